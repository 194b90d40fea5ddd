// Closing the preservation loop: beside a succeeded preservation report, each cave's
// recommended capacity (its 95 % interval, what limits it) next to the zone's capacity now and
// the venue data's figure; operators and admins Apply it (with a reason, confirmed) or Revert
// to the venue figure through the capacity API, and the new figure shows at once.

import { api } from "./api.js";
import { el, toast } from "./dom.js";
import { errorText, named, t } from "./i18n.js";
import { capacityNote, historyDetails } from "./report_capacity_history.js";

function interval(ci) {
  if (!Array.isArray(ci) || ci[0] === null || ci[0] === undefined) return "–";
  return `${ci[0]} – ${ci[1] === null || ci[1] === undefined ? "∞" : ci[1]}`;
}

function limitingWords(metric) {
  if (!metric) return "–";
  return t(`reports.limit.${metric === "co2_ppm" ? "co2" : metric === "relative_humidity" ? "humidity" : "other"}`);
}

export class CapacityTable {
  constructor(box, run, { canOperate }) {
    this.box = box;
    this.run = run;
    this.site = run.parameters.site_id;
    this.canOperate = canOperate;
    this.caves = Object.entries(run.results?.caves || {});
    this.dialog = null;
  }

  async show() {
    if (!this.caves.length) return;
    this.box.replaceChildren(el("p", { class: "muted" }, t("common.loading")));
    await this.reload();
  }

  async reload() {
    try {
      const collection = await api("GET", `/sites/${this.site}/zones`);
      this.zones = new Map(collection.features.map((f) => [f.properties.id, f.properties]));
    } catch (exc) {
      this.box.replaceChildren(el("p", { class: "error" }, errorText(exc)));
      return;
    }
    this.render();
  }

  render() {
    const rows = this.caves.map(([zoneId, cave]) => this.row(zoneId, cave, this.zones.get(zoneId) || { id: zoneId }));
    this.box.replaceChildren(
      el("h3", {}, t("reports.capacity_heading")),
      el("p", { class: "muted small" }, t("reports.capacity_intro")),
      el("table", { class: "capacities" },
        el("thead", {}, el("tr", {},
          ...["cave", "recommended", "interval", "limiting", "now", "venue"].map((k) =>
            el("th", { scope: "col" }, t(`reports.capacity_col.${k}`))),
          el("th", { scope: "col" }, el("span", { class: "sr-only" }, t("reports.col_actions"))))),
        el("tbody", { id: "capacity-rows" }, rows)));
  }

  row(zoneId, cave, zone) {
    const recommended = cave.recommended_capacity;
    const note = capacityNote(zone);
    const now = el("td", { class: "num now" }, el("span", { class: "figure" }, String(zone.capacity ?? "–")),
      note ? el("div", { class: "muted small capacity-source" }, historyDetails(this.site, zoneId, note)) : null);
    const actions = el("td", { class: "actions" });
    if (this.canOperate && recommended !== null && recommended !== undefined) {
      actions.append(el("button", { type: "button", class: "small apply", disabled: zone.capacity === recommended && !!note,
        onclick: () => this.confirmApply(zoneId, zone, recommended) }, t("reports.apply")));
    }
    if (this.canOperate && zone.capacity_override) {
      actions.append(el("button", { type: "button", class: "small quiet revert", onclick: () => this.revert(zoneId, zone) },
        t("reports.revert")));
    }
    return el("tr", { dataset: { zone: zoneId, recommended: recommended ?? "" } },
      el("th", { scope: "row" }, named(zone) || zoneId),
      el("td", { class: "num recommended" }, recommended ?? "–",
        cave.fit_note ? el("div", { class: "muted small" }, cave.fit_note) : null),
      el("td", { class: "num" }, interval(cave.recommended_capacity_ci95)),
      el("td", {}, limitingWords(cave.limiting)),
      now, el("td", { class: "num venue" }, zone.venue_capacity ?? zone.capacity ?? "–"), actions);
  }

  /** Ask for the reason in a dialog; Apply only after it is confirmed. */
  confirmApply(zoneId, zone, capacity) {
    const reason = el("input", { type: "text", name: "reason", maxlength: "500", required: true,
      value: t("reports.apply_reason_default", { run: this.run.id }) });
    const dialog = el("dialog", { class: "confirm", "aria-labelledby": "apply-title" },
      el("form", { method: "dialog", onsubmit: (event) => {
        event.preventDefault();
        if (!reason.value.trim()) return reason.focus();
        dialog.close();
        this.apply(zoneId, capacity, reason.value.trim());
      } },
      el("h3", { id: "apply-title" }, t("reports.apply_title", { zone: named(zone) || zoneId })),
      el("p", {}, t("reports.apply_text", { from: zone.capacity ?? "–", to: capacity })),
      el("label", {}, el("span", {}, t("reports.apply_reason")), reason),
      el("div", { class: "row" },
        el("button", { type: "submit", class: "confirm-apply" }, t("reports.apply_confirm", { n: capacity })),
        el("button", { type: "button", class: "quiet", onclick: () => dialog.close() }, t("common.cancel")))));
    dialog.addEventListener("close", () => dialog.remove());
    document.body.append(dialog);
    dialog.showModal();
    reason.select();
  }

  async apply(zoneId, capacity, reason) {
    try {
      const record = await api("POST", `/sites/${this.site}/zones/${encodeURIComponent(zoneId)}/capacity`,
        { capacity, source: { report_run: this.run.id }, reason });
      toast(t("reports.applied", { zone: named(this.zones.get(zoneId)) || zoneId, n: record.capacity }));
    } catch (exc) {
      toast(errorText(exc), "error");
    }
    await this.reload();
  }

  async revert(zoneId, zone) {
    try {
      await api("DELETE", `/sites/${this.site}/zones/${encodeURIComponent(zoneId)}/capacity`);
      toast(t("reports.reverted", { zone: named(zone) || zoneId }));
    } catch (exc) {
      toast(errorText(exc), "error");
    }
    await this.reload();
  }
}
