// Modal dialogs on <dialog>: the browser keeps focus inside and Escape cancels; on closing,
// focus returns to the control that opened it, so a keyboard user goes on where they were.

import { el } from "./dom.js";
import { t } from "./i18n.js";

let made = 0;

/** Show a modal with a heading and content; it is removed from the page when closed. */
export function modal(heading, ...content) {
  const opener = document.activeElement;
  const id = `dialog-title-${++made}`;
  const dialog = el("dialog", { class: "modal", "aria-labelledby": id },
    el("h2", { id }, heading), ...content);
  dialog.addEventListener("close", () => {
    dialog.remove();
    if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
  });
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

/** Ask before an action that cannot be taken back quietly; resolves true when confirmed.
 * Cancel has the focus, so Enter alone never confirms. */
export function confirmAction({ heading, text, confirm, danger = true }) {
  return new Promise((resolve) => {
    let answer = false;
    const yes = el("button", { type: "button", class: danger ? "danger" : null, dataset: { action: "confirm" },
      onclick: () => { answer = true; dialog.close(); } }, confirm);
    const no = el("button", { type: "button", class: "quiet", dataset: { action: "cancel" },
      onclick: () => dialog.close() }, t("common.cancel"));
    const dialog = modal(heading, el("p", { class: "dialog-text" }, text),
      el("div", { class: "dialog-actions" }, yes, no));
    dialog.addEventListener("close", () => resolve(answer));
    no.focus();
  });
}
