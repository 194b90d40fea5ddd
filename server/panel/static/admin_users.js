// Users: who may sign in, and with which role. A role change or disabling ends that user's
// sign-ins at once (the server closes their sessions and live connections), so both are
// confirmed first; a new or reset password is shown once. Lantern keeps one active admin at
// least: the server refuses the change that would leave none (409 last_admin).

import { confirmAction } from "./admin_dialog.js";
import { roleName, timeCell } from "./admin_format.js";
import { secretBox } from "./admin_secret.js";
import { api } from "./api.js";
import { el } from "./dom.js";
import { errorText, t } from "./i18n.js";

export const USER_ROLES = ["admin", "operator", "planner", "viewer"];

function path(name) {
  return `/users/${encodeURIComponent(name)}`;
}

export class UserAdmin {
  /** ``me`` is the signed-in admin; ``changed`` is told after every change (the audit log). */
  constructor(root, { me, toast, changed }) {
    Object.assign(this, { root, me, toast, changed });
    this.users = null; // until the first answer
    this.heading = root.querySelector("h2");
    this.notice = el("p", { class: "error notice", role: "alert", hidden: true });
    this.secret = el("div", { class: "secret-slot" }); // kept across redraws: shown once
    this.rows = el("tbody");
    this.render();
  }

  async load() {
    const { users } = await api("GET", "/users");
    this.users = users;
    this.drawRows();
  }

  names() {
    return (this.users || []).map((u) => u.username);
  }

  render() {
    const head = el("tr", {}, ...["user", "role", "status", "last_sign_in"].map((k) =>
      el("th", { scope: "col" }, t(`admin.users.col_${k}`))),
    el("th", { scope: "col" }, el("span", { class: "sr-only" }, t("admin.users.col_actions"))));
    this.root.replaceChildren(this.heading, this.createForm(), this.secret, this.notice,
      el("div", { class: "table-wrap" }, el("table", { class: "admin-table users-table" },
        el("thead", {}, head), this.rows)));
    this.drawRows();
  }

  createForm() {
    const name = el("input", { name: "username", required: true, maxlength: "80", autocomplete: "off",
      spellcheck: "false" });
    const role = el("select", { name: "role" }, ...USER_ROLES.map((r) =>
      el("option", { value: r, selected: r === "operator" }, roleName(r))));
    return el("form", { class: "admin-form create-user", onsubmit: (event) => {
      event.preventDefault();
      this.create(name.value.trim(), role.value).then((made) => { if (made) name.value = ""; });
    } },
    el("label", {}, el("span", {}, t("admin.users.username")), name),
    el("label", {}, el("span", {}, t("admin.users.role")), role),
    el("button", { type: "submit", dataset: { action: "create_user" } }, t("admin.users.create")),
    el("p", { class: "hint" }, t("admin.users.create_hint")));
  }

  drawRows() {
    if (!this.users) {
      this.rows.replaceChildren(el("tr", {}, el("td", { colspan: "5", class: "muted" }, t("common.loading"))));
      return;
    }
    this.rows.replaceChildren(...this.users.map((user) => this.row(user)));
  }

  row(user) {
    const name = user.username;
    const role = el("select", { "aria-label": t("admin.users.role_of", { user: name }), dataset: { field: "role" },
      onchange: () => this.changeRole(user, role) },
    ...USER_ROLES.map((r) => el("option", { value: r, selected: r === user.role }, roleName(r))));
    const toggle = user.active
      ? el("button", { type: "button", class: "small danger", dataset: { action: "disable" },
        onclick: () => this.disable(user) }, t("admin.users.disable"))
      : el("button", { type: "button", class: "small", dataset: { action: "enable" },
        onclick: () => this.patch(user, { active: true }, t("admin.users.enabled", { user: name })) },
      t("admin.users.enable"));
    const reset = el("button", { type: "button", class: "small quiet", dataset: { action: "reset_password" },
      onclick: () => this.resetPassword(user) }, t("admin.users.reset"));
    return el("tr", { dataset: { user: name, role: user.role, active: String(user.active) },
      class: user.active ? null : "inactive" },
    el("th", { scope: "row" }, name, name === this.me ? el("span", { class: "badge you" }, t("admin.users.you")) : null),
    el("td", {}, role),
    el("td", {}, el("span", { class: `badge ${user.active ? "on" : "off"}` },
      t(user.active ? "admin.users.active" : "admin.users.disabled"))),
    el("td", {}, timeCell(user.last_sign_in, t("admin.users.never"))),
    el("td", { class: "actions" }, toggle, reset));
  }

  async create(username, role) {
    if (!username) return false;
    let made;
    try {
      made = await api("POST", "/users", { username, role });
    } catch (exc) {
      this.fail(exc, username);
      return false;
    }
    this.toast(t("admin.users.created", { user: username, role: roleName(role) }));
    this.reveal(username, made.password, "admin.users.password_once");
    await this.reload();
    return true;
  }

  async changeRole(user, select) {
    const wanted = select.value;
    const ok = await confirmAction({
      heading: t("admin.users.role_heading", { user: user.username }),
      text: t("admin.users.role_warning", { user: user.username, from: roleName(user.role), to: roleName(wanted) }),
      confirm: t("admin.users.role_confirm"),
    });
    if (!ok || !(await this.patch(user, { role: wanted },
      t("admin.users.role_changed", { user: user.username, role: roleName(wanted) })))) {
      select.value = user.role; // refused or cancelled: the row shows the role the user has
    }
  }

  async disable(user) {
    const ok = await confirmAction({
      heading: t("admin.users.disable_heading", { user: user.username }),
      text: t("admin.users.disable_warning", { user: user.username }),
      confirm: t("admin.users.disable"),
    });
    if (ok) await this.patch(user, { active: false }, t("admin.users.disabled_now", { user: user.username }));
  }

  async resetPassword(user) {
    const ok = await confirmAction({
      heading: t("admin.users.reset_heading", { user: user.username }),
      text: t("admin.users.reset_warning", { user: user.username }),
      confirm: t("admin.users.reset_confirm"),
    });
    if (!ok) return;
    try {
      const { password } = await api("POST", `${path(user.username)}/password`);
      this.reveal(user.username, password, "admin.users.reset_once");
      this.changed();
    } catch (exc) {
      this.fail(exc, user.username);
    }
  }

  /** PATCH one user; true when the server took it. */
  async patch(user, change, done) {
    try {
      await api("PATCH", path(user.username), change);
    } catch (exc) {
      this.fail(exc, user.username);
      return false;
    }
    this.toast(done);
    await this.reload();
    return true;
  }

  async reload() {
    this.notice.hidden = true;
    this.changed();
    try {
      await this.load();
    } catch (exc) {
      this.fail(exc);
    }
  }

  /** A refusal in words: the last admin's in the page's own, beside the table, too. */
  fail(exc, user = "") {
    const text = exc && exc.code === "last_admin" ? t("admin.users.last_admin", { user }) : errorText(exc);
    this.notice.textContent = text;
    this.notice.hidden = false;
    this.toast(text, "error");
  }

  reveal(user, password, warningKey) {
    const box = secretBox({ value: password, label: t("admin.users.password_of", { user }),
      warning: t(warningKey, { user }) });
    this.secret.replaceChildren(box);
    box.show();
  }
}
