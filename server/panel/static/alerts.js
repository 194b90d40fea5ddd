// Raised alerts of the current site, newest first, with an Acknowledge button for operators.

import { el, timeOf } from "./dom.js";

export class AlertList {
  constructor(list, counter, { canOperate, acknowledge }) {
    Object.assign(this, { list, counter, canOperate, acknowledge });
    this.alerts = new Map();
    this.unavailable = null;
  }

  replace(alerts) {
    this.unavailable = null;
    this.alerts = new Map(alerts.map((a) => [a.id, a]));
    this.render();
  }

  /** The alerts could not be loaded (the server answered an error or could not be reached). */
  showUnavailable(message) {
    this.unavailable = message;
    this.render();
  }

  upsert(alert) {
    if (alert.state === "raised") this.alerts.set(alert.id, alert);
    else this.alerts.delete(alert.id);
    this.render();
  }

  render() {
    const alerts = [...this.alerts.values()].sort(
      (a, b) => String(b.raised_at).localeCompare(String(a.raised_at)));
    this.counter.textContent = String(alerts.length);
    this.counter.classList.toggle("hot", alerts.length > 0);
    if (this.unavailable) {
      this.list.replaceChildren(el("li", { class: "muted" }, this.unavailable));
      return;
    }
    if (!alerts.length) {
      this.list.replaceChildren(el("li", { class: "muted" }, "No raised alerts."));
      return;
    }
    this.list.replaceChildren(...alerts.map((a) => el("li", { class: `alert ${a.kind || ""}`,
      dataset: { alert: a.id } },
      el("div", {}, el("strong", {}, a.subject || a.zone_id || a.kind), " ",
        el("span", { class: "muted small" }, `${a.kind || "alert"} · ${timeOf(a.raised_at)}`)),
      el("div", {}, a.message || ""),
      a.acknowledged_at
        ? el("div", { class: "muted small" }, `acknowledged by ${a.acknowledged_by || "?"}`)
        : this.canOperate
          ? el("button", { class: "small", onclick: () => this.acknowledge(a.id) }, "Acknowledge")
          : null)));
  }
}
