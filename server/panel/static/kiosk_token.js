// An admin gives a kiosk a new token: asked to confirm first (the kiosk is disconnected and the
// old token stops working), then shown the new one once, with a button to copy it.

import { api } from "./api.js";
import { el } from "./dom.js";
import { errorText, t } from "./i18n.js";

export class TokenRotation {
  constructor(kioskId, { toast, log }) {
    Object.assign(this, { kioskId, toast, log });
    this.start = el("button", { type: "button", class: "small danger", dataset: { action: "rotate_token" },
      onclick: () => this.ask() }, t("kiosks.rotate_token"));
    this.node = el("div", { class: "token-rotation" }, this.start);
  }

  ask() {
    const confirm = el("button", { type: "button", class: "small danger", dataset: { action: "confirm_rotate" },
      onclick: () => this.rotate(confirm) }, t("kiosks.rotate_confirm"));
    const cancel = el("button", { type: "button", class: "small quiet", onclick: () => this.reset() }, t("kiosks.cancel"));
    this.node.replaceChildren(el("p", { class: "warning", role: "alert" }, t("kiosks.rotate_warning")),
      el("div", { class: "row" }, confirm, cancel));
    cancel.focus();
  }

  reset() {
    this.node.replaceChildren(this.start);
    this.start.focus();
  }

  async rotate(button) {
    button.disabled = true;
    let body;
    try {
      body = await api("POST", `/kiosks/${encodeURIComponent(this.kioskId)}/token`);
    } catch (exc) {
      this.toast(errorText(exc), "error");
      this.reset();
      return;
    }
    this.log(t("kiosks.token_rotated", { kiosk: this.kioskId }));
    this.reveal(body.token);
  }

  /** The token once: in a read-only field, selected, with a copy button and a warning. */
  reveal(token) {
    const field = el("input", { type: "text", readonly: true, class: "new-token", value: token,
      "aria-label": t("kiosks.new_token") });
    const copy = el("button", { type: "button", class: "small", dataset: { action: "copy_token" }, onclick: async () => {
      try {
        await navigator.clipboard.writeText(token);
      } catch {
        field.select(); // no clipboard here: selected for Ctrl+C
        document.execCommand?.("copy");
      }
      copy.textContent = t("kiosks.copied");
    } }, t("kiosks.copy"));
    const done = el("button", { type: "button", class: "small quiet", onclick: () => this.reset() }, t("kiosks.token_done"));
    this.node.replaceChildren(el("p", { class: "warning", role: "alert" }, t("kiosks.token_once")),
      el("div", { class: "row" }, field, copy, done));
    field.focus();
    field.select();
  }
}
