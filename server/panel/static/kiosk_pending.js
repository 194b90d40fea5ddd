// A kiosk waiting for approval: an operator types the code shown on the kiosk's own screen
// (the panel never shows it, so approving needs someone who stands at the kiosk).

import { el } from "./dom.js";
import { t } from "./i18n.js";

/** The card of a pending kiosk; ``approve(kioskId, code)`` is called for operators. */
export function pendingCard(kiosk, { canOperate, approve }) {
  const code = el("input", { type: "text", class: "pairing-code", inputmode: "numeric", maxlength: "16",
    placeholder: "123-456", "aria-label": t("kiosks.pairing_code") });
  const form = el("form", { class: "row", onsubmit: (event) => {
    event.preventDefault();
    approve(kiosk.kiosk_id, code.value.trim());
  } }, code, el("button", { class: "approve", type: "submit" }, t("kiosks.approve")));
  return el("article", { class: "kiosk pending-kiosk", dataset: { kiosk: kiosk.kiosk_id, status: "pending",
    online: "false", scene: "", state: "" } },
  el("div", { class: "kiosk-head" },
    el("strong", {}, kiosk.name || t("kiosks.new_kiosk")), el("code", {}, kiosk.kiosk_id),
    el("span", { class: "badge pending" }, t("kiosks.waiting_approval"))),
  el("p", {}, t("kiosks.pairing_hint")),
  canOperate ? form : null);
}
