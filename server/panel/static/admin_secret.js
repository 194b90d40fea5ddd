// A secret the server shows only once (a new password, an API token): in a read-only field,
// with Copy and a warning that it cannot be shown again. The page keeps no copy once hidden.

import { el } from "./dom.js";
import { t } from "./i18n.js";

/** Copy ``text``: the clipboard where the page may use it (HTTPS or this computer), else the
 * selected field and the older copy command. Returns whether it worked. */
async function copyText(text, field) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    field.select();
    return Boolean(document.execCommand?.("copy"));
  }
}

/** The box for one secret; call ``show`` once it is on the page to focus and select it. */
export function secretBox({ value, label, warning, onDone }) {
  const field = el("input", { type: "text", readonly: true, class: "secret", value, spellcheck: "false",
    autocomplete: "off", "aria-label": label });
  const status = el("span", { class: "copy-status", role: "status" });
  const copy = el("button", { type: "button", class: "small", dataset: { action: "copy" }, onclick: async () => {
    status.textContent = (await copyText(value, field)) ? t("admin.copied") : t("admin.copy_by_hand");
  } }, t("admin.copy"));
  const done = el("button", { type: "button", class: "small quiet", dataset: { action: "hide_secret" }, onclick: () => {
    box.remove();
    if (onDone) onDone();
  } }, t("admin.secret_done"));
  const box = el("div", { class: "secret-box" },
    el("p", { class: "warning", role: "alert" }, warning),
    el("div", { class: "row" }, field, copy, done), status);
  box.show = () => {
    field.focus();
    field.select();
  };
  return box;
}
