// The site's saved heritage-impact checks, newest first: reopen one on the map, or run the
// heritage-impact report on it (its geometry, height and strip over a date range), which opens
// on the reports page.

import { el } from "./dom.js";
import { t } from "./i18n.js";

export class SavedChecks {
  constructor(list, { canPlan, reopen, report }) {
    this.list = list;
    this.canPlan = canPlan;
    this.reopen = reopen;
    this.report = report;
    this.checks = [];
  }

  show(checks) {
    this.checks = checks;
    this.render();
  }

  add(check) {
    this.checks = [check, ...this.checks.filter((c) => c.id !== check.id)];
    this.render();
  }

  render() {
    if (!this.checks.length) {
      this.list.replaceChildren(el("li", { class: "muted" }, t("impact.no_saved")));
      return;
    }
    this.list.replaceChildren(...this.checks.map((check) => el("li", { dataset: { check: check.id } },
      el("button", { type: "button", class: "link-like reopen", onclick: () => this.reopen(check) }, check.name),
      el("span", { class: `muted small approval ${check.result.requires_approval ? "needed" : "free"}` },
        t(check.result.requires_approval ? "impact.approval_needed_short" : "impact.approval_free_short")),
      el("span", { class: "muted small" }, `${check.created_by} · ${new Date(check.created_at).toLocaleString()}`),
      this.canPlan ? el("button", { type: "button", class: "small quiet run-report",
        "aria-label": t("impact.run_report_label", { name: check.name }), onclick: () => this.report(check) },
      t("impact.run_report")) : null)));
  }
}
