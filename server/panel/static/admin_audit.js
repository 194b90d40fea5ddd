// The audit log: who changed what, newest first, filtered by actor, action and a range of days
// (days as the admin's browser counts them), and read further back page by page ("Older").

import { localMidnight, timeCell } from "./admin_format.js";
import { api } from "./api.js";
import { el } from "./dom.js";
import { errorText, has, t } from "./i18n.js";

const PAGE = 50;
// The actions the server records, offered in the filter even before one is listed.
const ACTIONS = ["login", "login_failed", "logout", "create_user", "update_user", "reset_password",
  "change_password", "change_password_refused", "create_token", "revoke_token", "create_kiosk", "approve_kiosk",
  "reject_kiosk", "revoke_kiosk", "rotate_kiosk_token", "command", "set_zone_state", "set_zone_capacity", "clear_zone_capacity",
  "acknowledge_alert", "report_run", "save_impact_check", "generate_history"];

function valueText(value) {
  if (Array.isArray(value) && value.length === 2) return `${valueText(value[0])} → ${valueText(value[1])}`; // a change
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** "key: value, key: old → new" of an entry's detail. */
function detailText(detail) {
  return Object.entries(detail || {}).filter(([, value]) => value !== null)
    .map(([key, value]) => `${key}: ${valueText(value)}`).join(", ");
}

export function actionName(action) {
  return has(`admin.audit.action.${action}`) ? t(`admin.audit.action.${action}`) : action;
}

export class AuditLog {
  /** ``actors()`` names the users to suggest in the actor filter. */
  constructor(root, { toast, actors }) {
    Object.assign(this, { root, toast, actors });
    this.filter = { actor: "", action: "", from: "", to: "" };
    this.entries = [];
    this.nextBefore = null;
    this.seen = new Set(ACTIONS);
    this.heading = root.querySelector("h2");
    this.rows = el("tbody");
    this.status = el("p", { class: "muted audit-status", role: "status" });
    this.older = el("button", { type: "button", class: "quiet small", dataset: { action: "older" }, hidden: true,
      onclick: () => this.more() });
    this.render();
  }

  render() {
    const head = el("tr", {}, ...["time", "actor", "action", "target", "detail"].map((k) =>
      el("th", { scope: "col" }, t(`admin.audit.col_${k}`))));
    this.older.textContent = t("admin.audit.older");
    this.root.replaceChildren(this.heading, this.filterForm(),
      el("div", { class: "table-wrap" }, el("table", { class: "admin-table audit-table" },
        el("caption", { class: "sr-only" }, t("admin.audit.caption")), el("thead", {}, head), this.rows)),
      el("div", { class: "row" }, this.older, this.status));
    this.drawRows();
  }

  filterForm() {
    const people = el("datalist", { id: "audit-actors" }, ...this.actors().map((name) => el("option", { value: name })));
    const actor = el("input", { name: "actor", list: "audit-actors", value: this.filter.actor, autocomplete: "off",
      maxlength: "120" });
    const action = el("select", { name: "action" }, el("option", { value: "" }, t("admin.audit.any_action")),
      ...[...this.seen].sort().map((a) => el("option", { value: a, selected: a === this.filter.action }, actionName(a))));
    const from = el("input", { type: "date", name: "from", value: this.filter.from });
    const to = el("input", { type: "date", name: "to", value: this.filter.to });
    const form = el("form", { class: "filters audit-filters", onsubmit: (event) => {
      event.preventDefault();
      if (from.value && to.value && from.value > to.value) {
        this.toast(t("admin.audit.bad_range"), "error");
        return;
      }
      this.filter = { actor: actor.value.trim(), action: action.value, from: from.value, to: to.value };
      this.search();
    } },
    el("label", {}, el("span", {}, t("admin.audit.actor")), actor, people),
    el("label", {}, el("span", {}, t("admin.audit.action")), action),
    el("label", {}, el("span", {}, t("admin.audit.from")), from),
    el("label", {}, el("span", {}, t("admin.audit.to")), to),
    el("button", { type: "submit", class: "small", dataset: { action: "filter" } }, t("admin.audit.show")),
    el("button", { type: "button", class: "small quiet", dataset: { action: "clear" }, onclick: () => {
      this.filter = { actor: "", action: "", from: "", to: "" };
      this.render();
      this.search();
    } }, t("admin.audit.clear")));
    return form;
  }

  query(before) {
    const params = new URLSearchParams({ limit: String(PAGE) });
    const { actor, action, from, to } = this.filter;
    if (actor) params.set("actor", actor);
    if (action) params.set("action", action);
    if (from) params.set("from", localMidnight(from));
    if (to) params.set("to", localMidnight(to, 1)); // the whole last day
    if (before) params.set("before", String(before));
    return `/audit?${params}`;
  }

  /** The newest entries that match the filter. */
  async search() {
    try {
      const page = await api("GET", this.query());
      this.entries = page.entries;
      this.nextBefore = page.next_before;
    } catch (exc) {
      this.toast(errorText(exc), "error");
      return;
    }
    this.drawRows();
  }

  /** The next page back in time. */
  async more() {
    try {
      const page = await api("GET", this.query(this.nextBefore));
      this.entries = this.entries.concat(page.entries);
      this.nextBefore = page.next_before;
    } catch (exc) {
      this.toast(errorText(exc), "error");
      return;
    }
    this.drawRows();
  }

  drawRows() {
    for (const entry of this.entries) this.seen.add(entry.action);
    this.rows.replaceChildren(...this.entries.map((entry) => el("tr", { dataset: { entry: String(entry.id),
      actor: entry.actor, action: entry.action } },
    el("td", { class: "when" }, timeCell(entry.ts)),
    el("td", {}, entry.actor),
    el("td", {}, el("span", { title: entry.action }, actionName(entry.action))),
    el("td", { class: "target" }, entry.target || ""),
    el("td", { class: "detail" }, detailText(entry.detail)))));
    this.older.hidden = !this.nextBefore;
    this.status.textContent = this.entries.length ? t("admin.audit.shown", { count: this.entries.length })
      : t("admin.audit.none");
  }
}
