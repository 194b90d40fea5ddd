// The history of report runs, newest first: report, status (a failed run's error, a cached
// answer's source), who, parameters, duration; Open and Run again.

import { el } from "./dom.js";
import { has, t } from "./i18n.js";

/** A notebook's title in the panel's language (the server's titles are English). */
export function notebookTitle(name, fallback) {
  return has(`reports.notebook.${name}`) ? t(`reports.notebook.${name}`) : fallback || name;
}

/** A run's parameters in one line: "mogao · 2026-11-24 – 2026-11-30 · en · height_m 6". */
export function parameterText(parameters = {}) {
  const { site_id: site, start, end, language, work_geojson: work, ...rest } = parameters;
  const parts = [site, start && end ? `${start} – ${end}` : start || end, language];
  if (work) parts.push(t("reports.with_work"));
  for (const [key, value] of Object.entries(rest)) parts.push(`${key} ${value}`);
  return parts.filter(Boolean).join(" · ");
}

/** How long a run took: "9 s", "2 min 5 s"; a cached answer took none. */
export function durationText(run) {
  if (run.cached_from) return t("reports.cached");
  if (!run.started_at || !run.finished_at) return "–";
  const seconds = Math.max(0, Math.round((new Date(run.finished_at) - new Date(run.started_at)) / 1000));
  return seconds < 60 ? t("reports.seconds", { s: seconds })
    : t("reports.minutes", { m: Math.floor(seconds / 60), s: seconds % 60 });
}

export class RunHistory {
  constructor(body, { canRun, open, runAgain }) {
    this.body = body;
    this.canRun = canRun;
    this.open = open;
    this.runAgain = runAgain;
    this.runs = [];
    this.current = null;
  }

  show(runs) {
    this.runs = runs;
    this.render();
  }

  /** Mark the run shown above the table. */
  select(runId) {
    this.current = runId;
    for (const row of this.body.rows) {
      if (row.dataset.run === runId) row.setAttribute("aria-current", "true");
      else row.removeAttribute("aria-current");
    }
  }

  render() {
    if (!this.runs.length) {
      this.body.replaceChildren(el("tr", {}, el("td", { colspan: "6", class: "muted" }, t("reports.no_runs"))));
      return;
    }
    this.body.replaceChildren(...this.runs.map((run) => this.row(run)));
    this.select(this.current);
  }

  row(run) {
    const status = el("td", {},
      el("span", { class: `status status-${run.status}` }, t(`reports.status.${run.status}`)),
      run.cached_from ? el("div", { class: "muted small" }, t("reports.cached_from", { run: run.cached_from })) : null,
      run.status === "failed" && run.error
        ? el("div", { class: "error small" }, `${run.error.ename}: ${run.error.evalue}`) : null);
    const actions = el("td", { class: "actions" },
      el("button", { type: "button", class: "small quiet open-run", onclick: () => this.open(run.id),
        "aria-label": t("reports.open_label", { run: run.id }) }, t("reports.open")),
      this.canRun && ["succeeded", "failed"].includes(run.status)
        ? el("button", { type: "button", class: "small run-again", onclick: () => this.runAgain(run),
          "aria-label": t("reports.run_again_label", { run: run.id }) }, t("reports.run_again")) : null);
    return el("tr", { dataset: { run: run.id, status: run.status, notebook: run.notebook } },
      el("td", {}, notebookTitle(run.notebook), el("div", { class: "muted small" },
        new Date(run.created_at).toLocaleString())),
      status, el("td", {}, run.created_by), el("td", { class: "small" }, parameterText(run.parameters)),
      el("td", { class: "num" }, durationText(run)), actions);
  }
}
