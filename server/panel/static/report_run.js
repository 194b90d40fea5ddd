// One report run on the page: its status and live progress ("cell 4 of 10"), who ran it with
// what, the HTML report framed in the page (served under its own strict policy), the executed
// notebook to download, a failed run's error, and Run again.

import { el } from "./dom.js";
import { t } from "./i18n.js";
import { durationText, notebookTitle, parameterText } from "./report_history.js";

const DONE = new Set(["succeeded", "failed"]);

export class RunView {
  /** ``runAgain(run)`` resubmits its parameters; ``extra(run, box)`` adds what a kind of
   * report offers beside its HTML (the preservation report's capacities). */
  constructor(box, { canRun, runAgain, extra }) {
    this.box = box;
    this.canRun = canRun;
    this.runAgain = runAgain;
    this.extra = extra;
    this.run = null;
    this.framed = null;
  }

  get id() {
    return this.run?.id || null;
  }

  show(run) {
    const same = this.run && this.run.id === run.id;
    this.run = run;
    if (!same) this.framed = null;
    this.render();
  }

  /** A ``report_progress`` event for the shown run: move the bar without redrawing the rest. */
  progress(event) {
    if (!this.run || event.run_id !== this.run.id) return;
    Object.assign(this.run, { status: event.status });
    this.run.progress = { cell: event.cell, cells: event.cells };
    if (this.bar) this.fillBar();
  }

  render() {
    const run = this.run;
    if (!run) return;
    this.bar = null;
    const parts = [
      el("h2", { id: "report-view-heading" }, notebookTitle(run.notebook)),
      el("p", { class: "run-facts" },
        el("span", { class: `status status-${run.status}`, dataset: { status: run.status } }, t(`reports.status.${run.status}`)),
        " ", el("code", {}, run.id),
        " · ", t("reports.by", { who: run.created_by }),
        run.finished_at && run.started_at ? ` · ${durationText(run)}` : null),
      el("p", { class: "muted small" }, parameterText(run.parameters)),
    ];
    if (run.cached_from) {
      parts.push(el("p", { class: "muted small cached" }, t("reports.cached_from", { run: run.cached_from })));
    }
    if (!DONE.has(run.status)) parts.push(this.progressBox());
    if (run.status === "failed" && run.error) parts.push(errorBox(run.error));
    const actions = el("div", { class: "row run-actions" });
    if (run.html_url) {
      actions.append(el("a", { class: "button-like", href: run.html_url, target: "_blank", rel: "noopener" },
        t("reports.open_tab")));
    }
    if (run.notebook_url) {
      actions.append(el("a", { class: "button-like quiet", href: run.notebook_url, download: "" },
        t("reports.download_notebook")));
    }
    if (this.canRun && DONE.has(run.status)) {
      actions.append(el("button", { type: "button", class: "quiet run-again", onclick: () => this.runAgain(run) },
        t("reports.run_again")));
    }
    if (actions.childElementCount) parts.push(actions);
    const extra = el("div", { class: "run-extra" });
    parts.push(extra);
    if (run.html_url) parts.push(this.frame(run));
    this.box.replaceChildren(...parts);
    if (run.status === "succeeded" && this.extra) this.extra(run, extra);
  }

  progressBox() {
    this.bar = el("progress", { max: "1", value: "0", "aria-labelledby": "run-progress-label" });
    this.barLabel = el("span", { id: "run-progress-label" });
    const box = el("div", { class: "run-progress" }, this.barLabel, this.bar);
    this.fillBar();
    return box;
  }

  fillBar() {
    const { cell, cells } = this.run.progress || {};
    if (cells) {
      this.bar.max = cells;
      this.bar.value = cell || 0;
      this.barLabel.textContent = t("reports.cell_of", { cell: cell || 0, cells });
    } else {
      this.bar.removeAttribute("value"); // indeterminate until the notebook's cells are known
      this.barLabel.textContent = t(`reports.status.${this.run.status}`);
    }
  }

  /** The HTML report inside the page. It is served with ``frame-ancestors 'self'`` and a
   * sandbox of its own; the frame adds a sandbox too, so no script in it could run. */
  frame(run) {
    if (!this.framed) {
      this.framed = el("iframe", { class: "report-frame", src: run.html_url, sandbox: "",
        title: t("reports.frame_title", { report: notebookTitle(run.notebook) }) });
    }
    return this.framed;
  }
}

function errorBox(error) {
  return el("div", { class: "run-error", role: "alert" },
    el("strong", {}, t("reports.failed_at", { cell: error.cell ?? "?" })), " ",
    el("code", {}, error.ename || ""), el("p", {}, error.evalue || ""));
}
