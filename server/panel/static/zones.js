// The zone table: visitors against capacity (and where a capacity set over the venue data's
// comes from, with its history), level, state, and (for operators) close / open.

import { el } from "./dom.js";
import { named, t } from "./i18n.js";
import { capacityNote, historyDetails } from "./report_capacity_history.js";

const OUTER = new Set(["construction_control", "protection_range"]);

/** Zones in tree order (parents before children) with their depth. */
export function treeOrder(zones) {
  const children = new Map();
  for (const zone of zones.values()) {
    const parent = zones.has(zone.parent_id) ? zone.parent_id : null;
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(zone);
  }
  const out = [];
  const walk = (parent, depth) => {
    const kids = (children.get(parent) || []).sort((a, b) => a.id.localeCompare(b.id));
    for (const zone of kids) {
      out.push([zone, depth]);
      walk(zone.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

const englishUnit = (n) => (n === 1 ? " visitor" : " visitors");

/** The load cell's content: "count / capacity" and a bar, or the count alone for a zone
 * without a capacity (no limit: there is nothing to fill). Capacity 0 means nobody may be
 * there, so anyone inside fills the bar. ``unit(n)`` words a bare count (the table passes
 * the panel's language). */
export function loadCell(count, capacity, unit = englishUnit) {
  if (capacity === null || capacity === undefined) {
    return [el("span", { class: "count" }, String(count)), unit(count)];
  }
  const ratio = capacity > 0 ? Math.min(count / capacity, 1) : count ? 1 : 0;
  return [el("span", { class: "count" }, String(count)), ` / ${capacity}`,
    el("div", { class: "bar" }, el("i", { style: { width: `${(ratio * 100).toFixed(0)}%` } }))];
}

export class ZoneTable {
  constructor(body, { canOperate, setState, onFocus }) {
    this.body = body;
    this.canOperate = canOperate;
    this.setState = setState;
    this.onFocus = onFocus;
    this.rows = new Map();
  }

  render(zones) {
    this.rows.clear();
    this.body.replaceChildren();
    for (const [zone, depth] of treeOrder(zones)) {
      const row = el("tr", { dataset: { zone: zone.id } });
      row.style.setProperty("--depth", depth);
      this.rows.set(zone.id, row);
      this.fill(row, zone);
      this.body.append(row);
    }
  }

  update(zone) {
    const row = this.rows.get(zone.id);
    if (row) this.fill(row, zone);
  }

  /** Mark the zone the charts show (aria-current), and flash it. */
  highlight(zoneId) {
    for (const [id, other] of this.rows) {
      if (id === zoneId) other.setAttribute("aria-current", "true");
      else other.removeAttribute("aria-current");
    }
    const row = this.rows.get(zoneId);
    if (!row) return;
    row.scrollIntoView({ block: "nearest", behavior: "smooth" });
    row.classList.add("flash");
    setTimeout(() => row.classList.remove("flash"), 1500);
  }

  fill(row, zone) {
    row.classList.remove(...[...row.classList].filter((c) => /^(state|level)-/.test(c)));
    row.classList.add(`state-${zone.state}`, `level-${zone.level}`);
    const name = el("td", { class: "name" },
      el("button", { type: "button", class: "link-like", onclick: () => this.onFocus(zone.id) },
        named(zone)),
      zone.state !== "open" ? el("span", { class: "badge closed" }, t(`state.${zone.state}`)) : null,
      zone.reason && zone.state !== "open" ? el("div", { class: "muted small" }, zone.reason) : null);
    const load = el("td", { class: "load" }, ...loadCell(zone.count, zone.capacity,
      (n) => ` ${t("zones.visitors", { n })}`), this.capacitySource(zone));
    const level = el("td", {}, el("span", { class: `level ${zone.level}` }, t(`level.${zone.level}`)));
    row.replaceChildren(name, load, level, el("td", { class: "actions" }, this.actions(row, zone)));
  }

  /** A capacity set over the venue data's: where it comes from, and its history unfolded. */
  capacitySource(zone) {
    if (zone.capacity !== zone.capacitySeen && zone.capacitySeen !== undefined && zone.state !== "closed") {
      this.readCapacity(zone); // the capacity changed live: ask what set it
    }
    zone.capacitySeen = zone.capacity;
    const note = capacityNote(zone);
    if (!note) return null;
    return el("div", { class: "capacity-source muted small", title: note },
      historyDetails(() => siteOf(), zone.id, note));
  }

  async readCapacity(zone) {
    try {
      const { api } = await import("./api.js"); // loaded when needed: the table also runs without a page
      const record = await api("GET", `/sites/${siteOf()}/zones/${encodeURIComponent(zone.id)}/capacity`);
      const override = record.set_by ? { source: record.source, reason: record.reason,
        set_by: record.set_by, set_at: record.set_at } : null;
      Object.assign(zone, { capacity_override: override, venue_capacity: record.venue_capacity,
        capacity_source: record.capacity_source });
      this.update(zone);
    } catch {
      // the figure itself is current; only its source is not shown
    }
  }

  actions(row, zone) {
    // Protection ranges and control zones are legal boundaries, not places one closes.
    if (!this.canOperate || OUTER.has(zone.kind)) return null;
    if (zone.state === "closed") {
      return el("button", { type: "button", class: "small", onclick: () => this.setState(zone.id, "open", null) },
        t("zones.open"));
    }
    return el("button", { type: "button", class: "small danger", onclick: () => this.askReason(row, zone) },
      t("zones.close"));
  }

  askReason(row, zone) {
    const reason = el("input", { type: "text", class: "reason", placeholder: t("zones.reason_placeholder"),
      maxlength: "200", "aria-label": t("zones.reason_label", { zone: named(zone) }) });
    const confirm = el("button", { type: "submit", class: "small danger confirm-close" }, t("zones.confirm_close"));
    const cancel = el("button", { type: "button", class: "small quiet", onclick: () => this.fill(row, zone) },
      t("common.cancel"));
    const form = el("form", { class: "ask", onsubmit: (event) => {
      event.preventDefault();
      this.setState(zone.id, "closed", reason.value.trim() || t("zones.default_reason"));
    } }, reason, confirm, cancel);
    row.lastElementChild.replaceChildren(form);
    reason.focus();
  }
}

/** The site the panel shows (set on #panel once the site has loaded). */
function siteOf() {
  return document.getElementById("panel")?.dataset.site || location.hash.slice(1) || "mogao";
}
