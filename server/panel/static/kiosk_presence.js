// A kiosk's last 24 hours online and offline: a bar of coloured stretches, and the same in
// words (share online, the latest changes in site time) for those who do not read the colours.

import { api } from "./api.js";
import { el } from "./dom.js";
import { errorText, t } from "./i18n.js";
import { siteTime } from "./time.js";

const DAY_MS = 24 * 3600 * 1000;

/** Stretches [{online, from, to}] (ms) of the window [start, end) from changes newest first. */
export function stretches(changes, start, end) {
  const ordered = changes.map((c) => ({ online: Boolean(c.online), at: Date.parse(c.ts) }))
    .filter((c) => !Number.isNaN(c.at)).sort((a, b) => a.at - b.at);
  const before = ordered.filter((c) => c.at <= start).pop();
  let state = before ? before.online : null; // null: nothing known yet
  let from = start;
  const out = [];
  for (const change of ordered.filter((c) => c.at > start && c.at < end)) {
    if (change.at > from) out.push({ online: state, from, to: change.at });
    state = change.online;
    from = change.at;
  }
  out.push({ online: state, from, to: end });
  return out;
}

export class PresenceTimeline {
  constructor(kioskId, timeZone) {
    Object.assign(this, { kioskId, timeZone });
    this.node = el("div", { class: "presence" }, el("p", { class: "muted" }, t("kiosks.presence_loading")));
  }

  async load() {
    let changes;
    try {
      ({ changes } = await api("GET", `/kiosks/${encodeURIComponent(this.kioskId)}/presence`));
    } catch (exc) {
      this.node.replaceChildren(el("p", { class: "error" }, errorText(exc)));
      return;
    }
    this.draw(changes, Date.now());
  }

  draw(changes, now) {
    const start = now - DAY_MS;
    const parts = stretches(changes, start, now);
    const bar = el("div", { class: "presence-bar", "aria-hidden": "true" }, parts.map((p) => {
      const piece = el("i", { class: p.online === null ? "unknown" : p.online ? "on" : "off",
        title: `${siteTime(new Date(p.from).toISOString(), this.timeZone, "minutes")}–` +
          `${siteTime(new Date(p.to).toISOString(), this.timeZone, "minutes")}` });
      // positions through the CSSOM: the page's policy refuses style attributes
      piece.style.left = `${((p.from - start) / DAY_MS) * 100}%`;
      piece.style.width = `${((p.to - p.from) / DAY_MS) * 100}%`;
      return piece;
    }));
    const known = parts.filter((p) => p.online !== null);
    const onlineMs = known.filter((p) => p.online).reduce((sum, p) => sum + p.to - p.from, 0);
    const knownMs = known.reduce((sum, p) => sum + p.to - p.from, 0);
    const recent = changes.slice(0, 6).map((c) => el("li", {},
      el("time", { datetime: c.ts }, siteTime(c.ts, this.timeZone, "stamp")), " ",
      c.online ? t("kiosks.online") : t("kiosks.offline")));
    this.node.replaceChildren(...[
      el("p", { class: "presence-sum" }, knownMs
        ? t("kiosks.presence_share", { share: Math.round((onlineMs / knownMs) * 100), changes: changes.length })
        : t("kiosks.presence_none")),
      bar,
      el("div", { class: "presence-scale", "aria-hidden": "true" },
        el("span", {}, t("kiosks.hours_ago", { hours: 24 })), el("span", {}, t("kiosks.now"))),
      recent.length ? el("ol", { class: "presence-list" }, recent) : null].filter(Boolean));
  }
}
