// The zone table: visitors against capacity, level, state, and (for operators) close / open.

import { bilingual, el } from "./dom.js";

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

/** The load cell's content: "count / capacity" and a bar, or the count alone for a zone
 * without a capacity (no limit: there is nothing to fill). Capacity 0 means nobody may be
 * there, so anyone inside fills the bar. */
export function loadCell(count, capacity) {
  if (capacity === null || capacity === undefined) {
    return [el("span", { class: "count" }, String(count)), count === 1 ? " visitor" : " visitors"];
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

  highlight(zoneId) {
    const row = this.rows.get(zoneId);
    if (!row) return;
    row.scrollIntoView({ block: "nearest", behavior: "smooth" });
    row.classList.add("flash");
    setTimeout(() => row.classList.remove("flash"), 1500);
  }

  fill(row, zone) {
    row.className = `state-${zone.state} level-${zone.level}`;
    const name = el("td", { class: "name" },
      el("button", { class: "link-like", onclick: () => this.onFocus(zone.id) },
        bilingual(zone.name_en, zone.name_zh)),
      zone.state !== "open" ? el("span", { class: "badge closed" }, zone.state) : null,
      zone.reason && zone.state !== "open" ? el("div", { class: "muted small" }, zone.reason) : null);
    const load = el("td", { class: "load" }, ...loadCell(zone.count, zone.capacity));
    const level = el("td", {}, el("span", { class: `level ${zone.level}` }, zone.level));
    row.replaceChildren(name, load, level, el("td", { class: "actions" }, this.actions(row, zone)));
  }

  actions(row, zone) {
    // Protection ranges and control zones are legal boundaries, not places one closes.
    if (!this.canOperate || OUTER.has(zone.kind)) return null;
    if (zone.state === "closed") {
      return el("button", { class: "small", onclick: () => this.setState(zone.id, "open", null) },
        "Open");
    }
    return el("button", { class: "small danger", onclick: () => this.askReason(row, zone) }, "Close");
  }

  askReason(row, zone) {
    const reason = el("input", { type: "text", class: "reason", placeholder: "Reason (shown to operators)",
      maxlength: "200", "aria-label": `Reason to close ${zone.name_en}` });
    const confirm = el("button", { class: "small danger confirm-close", onclick: () =>
      this.setState(zone.id, "closed", reason.value.trim() || "closed by operator") }, "Confirm close");
    const cancel = el("button", { class: "small quiet", onclick: () => this.fill(row, zone) }, "Cancel");
    row.lastElementChild.replaceChildren(el("div", { class: "ask" }, reason, confirm, cancel));
    reason.focus();
  }
}
