// What a kiosk shows: its last uploaded frame on the card, and a refresher that asks the kiosks
// in view for a new frame once a minute, one after another rather than all at once.

import { el } from "./dom.js";
import { t } from "./i18n.js";
import { siteTime } from "./time.js";

export const REFRESH_MS = 60_000;
const SPACING_MS = 1500; // between two kiosks' requests within one round
const PER_ROUND = 12; // kiosks asked at most per minute by one page

/** The card's picture of the kiosk's screen, reloaded whenever a newer one is uploaded. */
export class ScreenshotView {
  constructor(kioskId, name, timeZone) {
    Object.assign(this, { kioskId, name, timeZone });
    this.at = null;
    this.img = el("img", { class: "kiosk-shot", decoding: "async" });
    this.img.addEventListener("load", () => this.node.classList.add("has-shot"));
    // a kiosk without a screenshot answers 404 no_screenshot: the placeholder stays
    this.img.addEventListener("error", () => { this.node.classList.remove("has-shot"); this.img.removeAttribute("src"); });
    this.empty = el("span", { class: "shot-empty" }, t("kiosks.no_screenshot"));
    this.caption = el("figcaption", { class: "shot-at" });
    this.node = el("figure", { class: "kiosk-screen" }, this.img, this.empty, this.caption);
  }

  /** Show the screenshot taken at ``at`` (ISO time) unless it is already shown. */
  show(at) {
    if (!at || at === this.at) return;
    this.at = at;
    this.img.alt = t("kiosks.screenshot_alt", { name: this.name, time: siteTime(at, this.timeZone) });
    this.img.src = `/api/v1/kiosks/${encodeURIComponent(this.kioskId)}/screenshot?at=${encodeURIComponent(at)}`;
    this.caption.textContent = t("kiosks.screenshot_at", { time: siteTime(at, this.timeZone) });
  }

  /** Say how a requested screenshot is going (sending, failed with the kiosk's reason). */
  note(text, kind = "") {
    this.caption.textContent = text;
    this.caption.className = `shot-at ${kind}`;
  }

  age() {
    return this.at ? Date.now() - Date.parse(this.at) : Infinity;
  }
}

/** Once a minute, asks each visible online kiosk whose picture is older than a minute for a
 * new one, spaced out; pauses while the page is hidden. ``request(card)`` sends the command. */
export class ScreenRefresher {
  constructor(request) {
    this.request = request;
    this.visible = new Set();
    this.timers = [];
    this.observer = "IntersectionObserver" in window ? new IntersectionObserver((entries) => {
      for (const entry of entries) {
        const card = entry.target.kioskCard;
        if (!card) continue;
        if (entry.isIntersecting) {
          this.visible.add(card);
          card.seen();
          if (card.screen.age() > REFRESH_MS) this.soon(); // scrolled into view with an old picture
        } else this.visible.delete(card);
      }
    }) : null;
    this.round = setInterval(() => this.refresh(), REFRESH_MS);
    this.soonTimer = null;
  }

  watch(card) {
    card.node.kioskCard = card;
    if (this.observer) this.observer.observe(card.node);
    else { this.visible.add(card); card.seen(); }
    this.soon();
  }

  /** A round shortly after cards appear (a page just opened, another site picked), so that a
   * kiosk with no recent picture shows one within seconds rather than after a minute. */
  soon(delayMs = 2000) {
    clearTimeout(this.soonTimer);
    this.soonTimer = setTimeout(() => this.refresh(), delayMs);
  }

  forget(card) {
    this.visible.delete(card);
    if (this.observer) this.observer.unobserve(card.node);
  }

  clear() {
    clearTimeout(this.soonTimer);
    for (const card of [...this.visible]) this.forget(card);
    this.visible.clear();
    this.timers.forEach(clearTimeout);
    this.timers = [];
  }

  refresh() {
    if (document.visibilityState === "hidden") return;
    this.timers.forEach(clearTimeout);
    const due = [...this.visible].filter((c) => c.record.online && c.screen.age() > REFRESH_MS - 5000)
      .sort((a, b) => b.screen.age() - a.screen.age()).slice(0, PER_ROUND);
    this.timers = due.map((card, i) => setTimeout(() => {
      if (this.visible.has(card) && card.record.online) this.request(card);
    }, i * SPACING_MS));
  }
}
