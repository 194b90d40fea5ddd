// Small DOM helpers: build elements without innerHTML, show toasts.

import { t } from "./i18n.js";

/** el("button", {class: "x", onclick: f, style: {width: "4em"}}, "text", child) -> HTMLElement.
 * Styles are set through the CSSOM: the Content-Security-Policy refuses style attributes. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "style") Object.assign(node.style, value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** A message in the corner; errors stay until dismissed, others fade after a few seconds. */
export function toast(message, kind = "info") {
  const box = document.getElementById("toasts");
  const item = el("div", { class: `toast ${kind}`, role: kind === "error" ? "alert" : "status" },
    el("span", {}, message),
    el("button", { class: "close", "aria-label": t("common.dismiss"), onclick: () => item.remove() }, "×"));
  box.append(item);
  if (kind !== "error") setTimeout(() => item.remove(), 5000);
  while (box.children.length > 5) box.firstElementChild.remove();
}

export function timeOf(iso) {
  if (!iso) return "";
  const when = new Date(iso);
  return Number.isNaN(when.getTime()) ? iso : when.toLocaleTimeString([], { hour12: false });
}

/** The zone's two names: "Cave 61 · 第61窟". */
export function bilingual(en, zh) {
  return zh && zh !== en ? `${en} · ${zh}` : en || zh || "";
}
