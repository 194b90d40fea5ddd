// What happened at the site, newest first: loaded from the server when a site is shown (a
// reload keeps the story), then extended by live events. Entries are kept as data and
// worded in the panel's language each time they are drawn.

import { api } from "./api.js";
import { el } from "./dom.js";
import { errorText, has, named, t } from "./i18n.js";
import { relativeTime, siteTime } from "./time.js";

const KEEP = 60;

/** One entry in words: {"at", "kind", "actor", "subject", "details"} as the server sends it,
 * or {"kind": "note", "details": {"text"}} for a line the page writes itself. */
export function activityText(entry, zoneName = (id) => id) {
  const what = describe(entry, zoneName);
  const actor = entry.actor && entry.actor !== "system" && entry.kind !== "session" ? entry.actor : null;
  return actor ? `${what} ${t("activity.by", { actor })}` : what;
}

function describe(entry, zoneName) {
  const d = entry.details || {};
  const subject = entry.subject || "";
  switch (entry.kind) {
    case "command":
      return t("activity.command", { action: d.action || subject, kiosk: d.kiosk_id || d.group || subject });
    case "zone_state":
      if (!d.state && d.capacity !== undefined) {
        return t("activity.zone_capacity", { zone: zoneName(d.zone_id || subject), capacity: d.capacity ?? "–" });
      }
      return t(`activity.zone_${d.state === "closed" ? "closed" : d.state === "restricted" ? "restricted" : "opened"}`,
        { zone: zoneName(d.zone_id || subject) }) + (d.reason ? ` (${d.reason})` : "");
    case "alert": {
      const kind = d.alert_kind || d.kind;
      const change = d.change || d.state;
      return t(`activity.alert_${["cleared", "acknowledged"].includes(change) ? change : "raised"}`,
        { kind: has(`alerts.kind.${kind}`) ? t(`alerts.kind.${kind}`) : kind || "",
          zone: zoneName(d.zone_id || subject) });
    }
    case "kiosk":
      return has(`activity.kiosk.${d.action}`)
        ? t(`activity.kiosk.${d.action}`, { kiosk: d.kiosk_id || subject })
        : `${d.action || ""} ${subject}`.trim();
    case "session":
      return t(has(`activity.session.${d.event}`) ? `activity.session.${d.event}` : "activity.session.other",
        { kiosk: d.kiosk_id || subject, event: d.event || "", experience: d.experience_id || "" });
    default:
      return d.text || subject;
  }
}

export class ActivityFeed {
  constructor(list) {
    this.list = list;
    this.entries = [];
    this.context = { siteId: null, zones: new Map(), timeZone: undefined };
  }

  /** Load the site's recent activity (newest first) and draw it. */
  async show(siteId, zones, timeZone) {
    this.context = { siteId, zones, timeZone };
    this.entries = [];
    this.error = null;
    try {
      const { activity } = await api("GET", `/sites/${siteId}/activity?limit=50`);
      if (siteId !== this.context.siteId) return;
      this.entries = activity;
    } catch (exc) {
      this.error = t("activity.unavailable", { reason: errorText(exc) });
    }
    this.render();
  }

  /** A live entry, in the server's shape; ``at`` defaults to now. */
  add(entry) {
    this.entries.unshift({ at: new Date().toISOString(), ...entry });
    this.entries.length = Math.min(this.entries.length, KEEP);
    this.render();
  }

  /** A line the page writes itself (for example a command it sent). */
  note(text) {
    this.add({ kind: "note", details: { text } });
  }

  render() {
    const tz = this.context.timeZone;
    const zoneName = (id) => (this.context.zones.has(id) ? named(this.context.zones.get(id)) : id);
    if (!this.entries.length) {
      this.list.replaceChildren(el("li", { class: "muted" }, this.error || t("activity.none")));
      return;
    }
    this.list.replaceChildren(...this.entries.map((entry) => el("li", { dataset: { kind: entry.kind } },
      el("time", { datetime: entry.at, title: relativeTime(entry.at) }, siteTime(entry.at, tz, "seconds")),
      " ", el("span", { class: `kind ${entry.kind}` }, t(`activity.kind.${entry.kind}`)),
      " ", activityText(entry, zoneName))));
  }
}
