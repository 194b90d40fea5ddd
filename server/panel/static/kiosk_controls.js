// The live commands of one kiosk's card: play, pause, end the session, screenshot, load an
// experience, language, announce. For an offline kiosk they look held back and say why:
// what is sent waits in the queue and runs when the kiosk reconnects (unless it expires first).

import { el } from "./dom.js";
import { t } from "./i18n.js";
import { experienceTitle } from "./kiosk_format.js";

let counter = 0;

export class KioskControls {
  /** ``send(action, args, button)`` sends one command and resolves when it is queued. */
  constructor(kioskId, { experiences, featured, send }) {
    Object.assign(this, { kioskId, experiences, send });
    this.noteId = `kiosk-note-${++counter}`;
    this.note = el("p", { class: "offline-note", id: this.noteId, role: "note" }, t("kiosks.offline_note"));
    this.buttons = [
      this.button("▶", "play"), this.button("❚❚", "pause"), this.button("■", "end_session"),
      this.button("⟳", "screenshot", "kiosks.refresh_screenshot"),
    ];
    this.node = el("div", { class: "controls" }, this.note, el("div", { class: "row" }, this.buttons),
      this.announce(), this.more(featured));
  }

  button(icon, action, label = `kiosks.action.${action}`) {
    return el("button", { type: "button", class: "small", dataset: { action },
      onclick: (event) => this.send(action, {}, event.currentTarget) },
    el("span", { "aria-hidden": "true" }, icon), " ", t(label));
  }

  /** Show the buttons as held back (offline) or live. */
  setOnline(online) {
    this.node.classList.toggle("waits", !online);
    this.note.hidden = online;
    for (const b of this.node.querySelectorAll("button")) {
      if (online) b.removeAttribute("aria-describedby");
      else b.setAttribute("aria-describedby", this.noteId);
    }
  }

  /** A banner on the kiosk's screen, in English and (optionally) Chinese. */
  announce() {
    const textEn = el("input", { type: "text", maxlength: "200", placeholder: t("kiosks.announce_en_hint"),
      "aria-label": t("kiosks.announce_en") });
    const textZh = el("input", { type: "text", maxlength: "200", placeholder: t("kiosks.announce_zh_hint"),
      "aria-label": t("kiosks.announce_zh") });
    return el("form", { class: "row announce", onsubmit: (event) => {
      event.preventDefault();
      const en = textEn.value.trim();
      const zh = textZh.value.trim();
      if (!en && !zh) return;
      this.send("announce", { text: { en: en || zh, zh: zh || en }, duration_s: 15 },
        event.submitter || null).then((ok) => {
        if (ok) { textEn.value = ""; textZh.value = ""; }
      });
    } }, textEn, textZh, el("button", { class: "small", type: "submit", dataset: { action: "announce" } },
      t("kiosks.action.announce")));
  }

  /** Load and language, folded: a compact card shows the everyday commands. */
  more(featured) {
    const scenes = el("select", { "aria-label": t("kiosks.experience_to_load") },
      this.experiences.map((x) => el("option", { value: x.id, selected: x.id === featured }, experienceTitle(x))));
    const load = el("button", { type: "button", class: "small", dataset: { action: "load_scene" }, onclick: (event) => {
      const x = this.experiences.find((e) => e.id === scenes.value);
      if (x) this.send("load_scene", { experience_id: x.id, scene: x.scene }, event.currentTarget);
    } }, t("kiosks.load"));
    const language = el("select", { "aria-label": t("kiosks.language") },
      el("option", { value: "en" }, "English"), el("option", { value: "zh" }, "中文"));
    const setLang = el("button", { type: "button", class: "small", dataset: { action: "set_language" },
      onclick: (event) => this.send("set_language", { lang: language.value }, event.currentTarget) },
    t("kiosks.action.set_language"));
    return el("details", { class: "fold" }, el("summary", {}, t("kiosks.more_commands")),
      el("div", { class: "row" }, scenes, load), el("div", { class: "row" }, language, setLang));
  }
}
