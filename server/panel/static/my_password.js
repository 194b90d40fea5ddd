// "My password" in the header of every signed-in page: the user types their current password
// and the new one twice. Loaded by the pages beside their own module; it wires #my-password
// when the page has one, and brings its labels and the dialog's styles along.

import { modal } from "./admin_dialog.js";
import { api } from "./api.js";
import { el } from "./dom.js";
import { errorText, loadCatalogs, onLangChange, t } from "./i18n.js";

const MIN_LENGTH = 8; // the server refuses shorter ones too; saying it here saves a round trip

function passwordField(name, labelKey, autocomplete) {
  const input = el("input", { type: "password", name, required: true, autocomplete, maxlength: "200",
    minlength: name === "current" ? null : String(MIN_LENGTH) });
  return [input, el("label", {}, el("span", {}, t(labelKey)), input)];
}

function open() {
  const [current, currentLabel] = passwordField("current", "account.password.current", "current-password");
  const [fresh, freshLabel] = passwordField("new", "account.password.new", "new-password");
  const [again, againLabel] = passwordField("again", "account.password.again", "new-password");
  const error = el("p", { class: "error", role: "alert" });
  const close = () => dialog.close();
  const form = el("form", { class: "password-form", onsubmit: async (event) => {
    event.preventDefault();
    error.textContent = "";
    if (fresh.value !== again.value) {
      error.textContent = t("account.password.differ");
      again.focus();
      return;
    }
    if (fresh.value === current.value) {
      error.textContent = t("account.password.same");
      fresh.focus();
      return;
    }
    submit.disabled = true;
    try {
      await api("POST", "/me/password", { current: current.value, new: fresh.value });
    } catch (exc) {
      error.textContent = errorText(exc);
      submit.disabled = false;
      return;
    }
    const done = el("button", { type: "button", onclick: close }, t("account.password.close"));
    form.replaceChildren(el("p", { class: "done", role: "status" }, t("account.password.changed")),
      el("div", { class: "dialog-actions" }, done));
    done.focus();
  } });
  const submit = el("button", { type: "submit", dataset: { action: "change_password" } }, t("account.password.submit"));
  form.append(el("p", { class: "hint" }, t("account.password.rule", { min: MIN_LENGTH })),
    currentLabel, freshLabel, againLabel, error,
    el("div", { class: "dialog-actions" }, submit,
      el("button", { type: "button", class: "quiet", onclick: close }, t("common.cancel"))));
  const dialog = modal(t("account.password.heading"), form);
  dialog.classList.add("password-dialog");
  current.focus();
}

function addStyles() {
  const href = new URL("admin.css", import.meta.url).href;
  if ([...document.styleSheets].some((sheet) => sheet.href === href)) return;
  document.head.append(el("link", { rel: "stylesheet", href }));
}

async function start() {
  const button = document.getElementById("my-password");
  if (!button) return;
  await loadCatalogs(["common", "admin"]);
  addStyles();
  const label = () => { button.textContent = t("account.password.open"); };
  label();
  onLangChange(label);
  button.addEventListener("click", open);
  button.hidden = false;
}

start().catch(() => {
  // without its labels the button stays hidden; the rest of the page works
});
