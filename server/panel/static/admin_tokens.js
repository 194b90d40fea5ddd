// API tokens for machines (gateways, sensor bridges, scripts): issued with a role, a name and
// an optional expiry, the secret shown once; listed with their last use; revoked (confirmed:
// every client holding one is refused from then on).

import { confirmAction } from "./admin_dialog.js";
import { instant, roleName, timeCell } from "./admin_format.js";
import { secretBox } from "./admin_secret.js";
import { api } from "./api.js";
import { el } from "./dom.js";
import { errorText, t } from "./i18n.js";

const TOKEN_ROLES = ["ingest", "viewer", "planner", "operator", "admin"];
const EXPIRY_DAYS = [0, 1, 7, 30, 90, 365]; // 0: never expires

/** "active", "revoked" or "expired" at ``now``. */
export function tokenState(token, now = Date.now()) {
  if (token.revoked_at) return "revoked";
  if (token.expires_at && instant(token.expires_at).getTime() <= now) return "expired";
  return "active";
}

function expiryLabel(days) {
  if (!days) return t("admin.tokens.expires_never");
  return days === 1 ? t("admin.tokens.expires_tomorrow") : t("admin.tokens.expires_days", { days });
}

export class TokenAdmin {
  constructor(root, { toast, changed }) {
    Object.assign(this, { root, toast, changed });
    this.tokens = null; // until the first answer
    this.showAll = false; // revoked and expired tokens are folded away
    this.heading = root.querySelector("h2");
    this.secret = el("div", { class: "secret-slot" });
    this.rows = el("tbody");
    this.render();
  }

  async load() {
    const { tokens } = await api("GET", "/tokens");
    this.tokens = tokens;
    this.drawRows();
  }

  render() {
    const head = el("tr", {}, ...["name", "role", "created", "last_used", "expires"].map((k) =>
      el("th", { scope: "col" }, t(`admin.tokens.col_${k}`))),
    el("th", { scope: "col" }, el("span", { class: "sr-only" }, t("admin.tokens.col_actions"))));
    const all = el("input", { type: "checkbox", checked: this.showAll, onchange: () => {
      this.showAll = all.checked;
      this.drawRows();
    } });
    this.root.replaceChildren(this.heading, this.createForm(), this.secret,
      el("label", { class: "check" }, all, t("admin.tokens.show_all")),
      el("div", { class: "table-wrap" }, el("table", { class: "admin-table tokens-table" },
        el("thead", {}, head), this.rows)));
    this.drawRows();
  }

  createForm() {
    const name = el("input", { name: "name", required: true, maxlength: "200", autocomplete: "off",
      placeholder: t("admin.tokens.name_example") });
    const role = el("select", { name: "role" }, ...TOKEN_ROLES.map((r) => el("option", { value: r }, roleName(r))));
    const expiry = el("select", { name: "expires" }, ...EXPIRY_DAYS.map((days) => el("option", { value: String(days) },
      expiryLabel(days))));
    return el("form", { class: "admin-form create-token", onsubmit: (event) => {
      event.preventDefault();
      this.create(name.value.trim(), role.value, Number(expiry.value)).then((made) => { if (made) name.value = ""; });
    } },
    el("label", {}, el("span", {}, t("admin.tokens.name")), name),
    el("label", {}, el("span", {}, t("admin.tokens.role")), role),
    el("label", {}, el("span", {}, t("admin.tokens.expiry")), expiry),
    el("button", { type: "submit", dataset: { action: "create_token" } }, t("admin.tokens.create")));
  }

  drawRows() {
    if (!this.tokens) {
      this.rows.replaceChildren(el("tr", {}, el("td", { colspan: "6", class: "muted" }, t("common.loading"))));
      return;
    }
    const shown = this.tokens.filter((tok) => this.showAll || tokenState(tok) === "active");
    this.rows.replaceChildren(...(shown.length ? shown.map((tok) => this.row(tok))
      : [el("tr", {}, el("td", { colspan: "6", class: "muted" }, t("admin.tokens.none")))]));
  }

  row(token) {
    const state = tokenState(token);
    const revoke = state === "active"
      ? el("button", { type: "button", class: "small danger", dataset: { action: "revoke" },
        onclick: () => this.revoke(token) }, t("admin.tokens.revoke"))
      : el("span", { class: `badge ${state}` }, t(`admin.tokens.state_${state}`));
    const label = token.name || t("admin.tokens.unnamed");
    return el("tr", { dataset: { token: String(token.id), state }, class: state === "active" ? null : "inactive" },
      el("th", { scope: "row" }, label, " ", el("code", { title: t("admin.tokens.prefix_hint") }, `${token.prefix}…`)),
      el("td", {}, roleName(token.role)),
      el("td", {}, timeCell(token.created_at)),
      el("td", {}, timeCell(token.last_used_at, t("admin.tokens.never_used"))),
      el("td", {}, timeCell(token.expires_at, t("admin.tokens.no_expiry"))),
      el("td", { class: "actions" }, revoke));
  }

  async create(name, role, days) {
    if (!name) return false;
    const body = { role, name };
    if (days) body.expires_at = new Date(Date.now() + days * 86400000).toISOString();
    let made;
    try {
      made = await api("POST", "/tokens", body);
    } catch (exc) {
      this.toast(errorText(exc), "error");
      return false;
    }
    const box = secretBox({ value: made.token, label: t("admin.tokens.secret_of", { name }),
      warning: t("admin.tokens.once", { name, role: roleName(role) }) });
    this.secret.replaceChildren(box);
    box.show();
    await this.reload();
    return true;
  }

  async revoke(token) {
    const name = token.name || `${token.prefix}…`;
    const ok = await confirmAction({ heading: t("admin.tokens.revoke_heading", { name }),
      text: t("admin.tokens.revoke_warning", { name }), confirm: t("admin.tokens.revoke") });
    if (!ok) return;
    try {
      await api("POST", `/tokens/${token.id}/revoke`);
    } catch (exc) {
      this.toast(errorText(exc), "error");
      return;
    }
    this.toast(t("admin.tokens.revoked", { name }));
    await this.reload();
  }

  async reload() {
    this.changed();
    try {
      await this.load();
    } catch (exc) {
      this.toast(errorText(exc), "error");
    }
  }
}
