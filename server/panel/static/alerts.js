// The site's alerts: the raised ones (newest first, with Acknowledge for operators) and a
// history tab that lists raised, cleared and acknowledged ones by state, kind and zone.

import { api } from "./api.js";
import { el } from "./dom.js";
import { errorText, named, t } from "./i18n.js";
import { relativeTime, siteTime } from "./time.js";

export const ALERT_KINDS = ["microclimate", "capacity", "kiosk_offline"];
const UNITS = { co2_ppm: "ppm", relative_humidity: "%", temperature_c: "°C" };

/** An alert in words of the panel's language, built from its fields (the server's message
 * is English, and says the same). */
export function alertText(alert, zoneName) {
  const zone = zoneName || alert.zone_id || alert.subject || "";
  const value = typeof alert.value === "number" ? Number(alert.value.toFixed(1)) : alert.value;
  if (alert.kind === "microclimate" && alert.metric) {
    return t("alerts.msg.microclimate", { zone, metric: t(`climate.${alert.metric}`), value,
      unit: UNITS[alert.metric] || "", limit: alert.threshold });
  }
  if (alert.kind === "capacity") {
    return t("alerts.msg.capacity", { zone, count: value ?? "?", limit: alert.threshold ?? "?" });
  }
  if (alert.kind === "kiosk_offline") return t("alerts.msg.kiosk_offline", { kiosk: alert.subject || "" });
  return alert.message || alert.kind;
}

export class AlertPanel {
  constructor(root, counter, { canOperate, acknowledge }) {
    Object.assign(this, { root, counter, canOperate, acknowledge });
    this.raised = new Map();
    this.unavailable = null;
    this.tab = "raised";
    this.filters = { state: "all", kind: "", zone: "" };
    this.history = null;
    this.context = { siteId: null, zones: new Map(), timeZone: undefined };
  }

  /** A new site: its zones (for names and the zone filter) and timezone. */
  show(siteId, zones, timeZone) {
    this.context = { siteId, zones, timeZone };
    this.history = null;
    this.render();
  }

  replace(alerts) {
    this.unavailable = null;
    this.raised = new Map(alerts.map((a) => [a.id, a]));
    this.render();
  }

  /** The alerts could not be loaded (the server answered an error or could not be reached). */
  showUnavailable(exc) {
    this.unavailable = t("alerts.unavailable", { reason: errorText(exc) });
    this.render();
  }

  /** A live ``alert`` event or an acknowledgement's answer. */
  upsert(alert) {
    if (alert.state === "raised") this.raised.set(alert.id, alert);
    else this.raised.delete(alert.id);
    if (this.history) {
      const i = this.history.findIndex((a) => a.id === alert.id);
      if (i >= 0) this.history[i] = alert;
      else if (this.matches(alert)) this.history.unshift(alert);
    }
    this.render();
  }

  matches(alert) {
    const f = this.filters;
    return (f.state === "all" || alert.state === f.state) && (!f.kind || alert.kind === f.kind) &&
      (!f.zone || alert.zone_id === f.zone);
  }

  async loadHistory() {
    const query = new URLSearchParams({ state: this.filters.state, limit: "100" });
    if (this.filters.kind) query.set("kind", this.filters.kind);
    if (this.filters.zone) query.set("zone", this.filters.zone);
    const siteId = this.context.siteId;
    try {
      const { alerts } = await api("GET", `/sites/${siteId}/alerts?${query}`);
      if (siteId !== this.context.siteId) return;
      this.history = alerts;
      this.historyError = null;
    } catch (exc) {
      this.history = [];
      this.historyError = t("alerts.unavailable", { reason: errorText(exc) });
    }
    this.render();
  }

  pickTab(tab) {
    this.tab = tab;
    if (tab === "history" && this.history === null) this.loadHistory();
    this.render();
    this.root.querySelector(`[role=tab][data-tab='${tab}']`)?.focus();
  }

  render() {
    const raised = [...this.raised.values()].sort(
      (a, b) => String(b.raised_at).localeCompare(String(a.raised_at)));
    this.counter.textContent = String(raised.length);
    this.counter.classList.toggle("hot", raised.length > 0);
    const tab = (id, label) => el("button", { type: "button", role: "tab", id: `alerts-tab-${id}`,
      "aria-selected": String(this.tab === id), "aria-controls": `alerts-${id}`, tabindex: this.tab === id ? "0" : "-1",
      dataset: { tab: id }, onclick: () => this.pickTab(id),
      onkeydown: (event) => {
        if (event.key === "ArrowRight" || event.key === "ArrowLeft") this.pickTab(id === "raised" ? "history" : "raised");
      } }, label);
    const raisedPanel = el("div", { role: "tabpanel", id: "alerts-raised", "aria-labelledby": "alerts-tab-raised",
      hidden: this.tab !== "raised" }, el("ul", { class: "alerts", id: "alert-list" },
      this.unavailable ? el("li", { class: "muted" }, this.unavailable)
        : raised.length ? raised.map((a) => this.item(a)) : el("li", { class: "muted" }, t("alerts.none_raised"))));
    const historyPanel = el("div", { role: "tabpanel", id: "alerts-history", "aria-labelledby": "alerts-tab-history",
      hidden: this.tab !== "history" }, this.tab === "history" ? [this.filterForm(), this.historyList()] : null);
    this.root.replaceChildren(el("div", { class: "tabs", role: "tablist", "aria-label": t("alerts.heading") },
      tab("raised", t("alerts.tab_raised")), tab("history", t("alerts.tab_history"))), raisedPanel, historyPanel);
  }

  filterForm() {
    const select = (name, options) => {
      const node = el("select", { name, onchange: () => { this.filters[name] = node.value; this.loadHistory(); } },
        options.map(([value, label]) => el("option", { value, selected: this.filters[name] === value }, label)));
      return el("label", {}, el("span", {}, t(`alerts.filter_${name}`)), node);
    };
    const caves = [...this.context.zones.values()].filter((z) => !["construction_control", "protection_range"].includes(z.kind));
    return el("form", { class: "filters", onsubmit: (event) => event.preventDefault() },
      select("state", ["all", "raised", "cleared"].map((s) => [s, t(`alerts.state_${s}`)])),
      select("kind", [["", t("alerts.any")], ...ALERT_KINDS.map((k) => [k, t(`alerts.kind.${k}`)])]),
      select("zone", [["", t("alerts.any")], ...caves.map((z) => [z.id, named(z)])]));
  }

  historyList() {
    if (this.history === null) return el("p", { class: "muted" }, t("common.loading"));
    if (this.historyError) return el("p", { class: "muted" }, this.historyError);
    if (!this.history.length) return el("p", { class: "muted" }, t("alerts.none_match"));
    return el("ul", { class: "alerts history", id: "alert-history" }, this.history.map((a) => this.item(a)));
  }

  item(alert) {
    const tz = this.context.timeZone;
    const zone = this.context.zones.get(alert.zone_id);
    const when = (label, at) => at ? el("span", { title: siteTime(at, tz, "stamp") },
      t(label, { time: siteTime(at, tz, "minutes"), ago: relativeTime(at) })) : null;
    return el("li", { class: `alert ${alert.kind || ""} ${alert.state}`, dataset: { alert: alert.id, state: alert.state } },
      el("div", {}, el("strong", {}, zone ? named(zone) : alert.subject || alert.zone_id || t(`alerts.kind.${alert.kind}`)),
        " ", el("span", { class: "muted small" }, t(`alerts.kind.${alert.kind}`))),
      el("div", {}, alertText(alert, zone ? named(zone) : null)),
      el("div", { class: "muted small when" }, when("alerts.raised_at", alert.raised_at),
        alert.cleared_at ? " · " : null, when("alerts.cleared_at", alert.cleared_at)),
      alert.acknowledged_at
        ? el("div", { class: "muted small acked" }, t("alerts.acknowledged_by",
          { who: alert.acknowledged_by || "?", time: siteTime(alert.acknowledged_at, tz, "minutes") }))
        : this.canOperate && alert.state === "raised"
          ? el("button", { type: "button", class: "small ack", onclick: () => this.acknowledge(alert.id) },
            t("alerts.acknowledge"))
          : null);
  }
}
