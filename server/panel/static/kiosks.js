// The kiosk fleet of the current site: status cards, pending kiosks to approve, and commands.

import { el, timeOf } from "./dom.js";

export class KioskList {
  constructor({ list, pending, summary }, { canOperate, command, approve, revoke }) {
    Object.assign(this, { list, pending, summary, canOperate, command, approve, revoke });
    this.cards = new Map();
    this.experiences = [];
  }

  render(kiosks, experiences) {
    this.experiences = experiences;
    this.cards.clear();
    this.list.replaceChildren();
    this.pending.replaceChildren();
    const order = (k) => `${k.online ? 0 : 1}${k.name || k.kiosk_id}`;
    for (const kiosk of [...kiosks].sort((a, b) => order(a).localeCompare(order(b)))) this.upsert(kiosk);
    this.summarise();
  }

  /** Add or refresh one kiosk's card, keeping what an operator is typing in its form. */
  upsert(kiosk) {
    const old = this.cards.get(kiosk.kiosk_id);
    if (old && old.dataset.status === kiosk.status && kiosk.status !== "pending") {
      old.dataset.online = String(Boolean(kiosk.online));
      old.querySelector(".kiosk-head").replaceWith(this.head(kiosk));
    } else {
      const card = kiosk.status === "pending" ? this.pendingCard(kiosk) : this.card(kiosk);
      if (old) old.remove();
      this.cards.set(kiosk.kiosk_id, card);
      (kiosk.status === "pending" ? this.pending : this.list).append(card);
    }
    this.summarise();
  }

  summarise() {
    const cards = [...this.cards.values()];
    const online = cards.filter((c) => c.dataset.online === "true").length;
    const waiting = cards.filter((c) => c.dataset.status === "pending").length;
    this.summary.textContent = `${online} of ${cards.length - waiting} online` +
      (waiting ? ` · ${waiting} waiting for approval` : "");
    if (!cards.length) this.list.replaceChildren(el("p", { class: "muted" }, "No kiosks at this site."));
    else this.list.querySelector(":scope > p.muted")?.remove();
  }

  head(kiosk) {
    const facts = [
      kiosk.state && `${kiosk.state}`,
      kiosk.scene && `scene ${kiosk.scene}`,
      typeof kiosk.fps === "number" && `${kiosk.fps.toFixed(0)} fps`,
      kiosk.featured && `featured ${kiosk.featured}`,
      kiosk.group && `group ${kiosk.group}`,
      kiosk.zone_id && `zone ${kiosk.zone_id}`,
    ].filter(Boolean);
    return el("div", { class: "kiosk-head" },
      el("span", { class: `dot ${kiosk.online ? "on" : "off"}`, title: kiosk.online ? "online" : "offline" }),
      el("strong", {}, kiosk.name || kiosk.kiosk_id),
      el("code", {}, kiosk.kiosk_id),
      el("span", { class: `badge ${kiosk.online ? "online" : "offline"}` }, kiosk.online ? "online" : "offline"),
      kiosk.status !== "approved" ? el("span", { class: "badge closed" }, kiosk.status) : null,
      el("div", { class: "facts" }, facts.join(" · ") || "no heartbeat yet",
        kiosk.last_seen ? el("span", { class: "muted" }, ` · seen ${timeOf(kiosk.last_seen)}`) : null));
  }

  card(kiosk) {
    const card = el("article", { class: "kiosk", dataset: { kiosk: kiosk.kiosk_id, status: kiosk.status,
      online: String(Boolean(kiosk.online)) } }, this.head(kiosk));
    if (this.canOperate && kiosk.status === "approved") card.append(this.controls(kiosk.kiosk_id));
    return card;
  }

  controls(id) {
    const send = (action, args = {}) => this.command(id, action, args);
    const button = (label, action, extra = "") =>
      el("button", { class: `small ${extra}`, dataset: { action }, onclick: () => send(action) }, label);
    const scenes = el("select", { "aria-label": "Experience to load" },
      this.experiences.map((x) => el("option", { value: x.id }, `${x.title_en} · ${x.title_zh}`)));
    const load = el("button", { class: "small", dataset: { action: "load_scene" }, onclick: () => {
      const x = this.experiences.find((e) => e.id === scenes.value);
      if (x) send("load_scene", { experience_id: x.id, scene: x.scene });
    } }, "Load");
    const lang = el("select", { "aria-label": "Language" },
      el("option", { value: "en" }, "English"), el("option", { value: "zh" }, "中文"));
    const setLang = el("button", { class: "small", dataset: { action: "set_language" },
      onclick: () => send("set_language", { lang: lang.value }) }, "Set language");
    const textEn = el("input", { type: "text", placeholder: "Announcement", maxlength: "200",
      "aria-label": "Announcement in English" });
    const textZh = el("input", { type: "text", placeholder: "通知（中文，可选）", maxlength: "200",
      "aria-label": "Announcement in Chinese" });
    const announce = el("form", { class: "announce", onsubmit: (event) => {
      event.preventDefault();
      const en = textEn.value.trim();
      const zh = textZh.value.trim();
      if (!en && !zh) return;
      send("announce", { text: { en: en || zh, zh: zh || en }, duration_s: 15 });
      textEn.value = "";
      textZh.value = "";
    } }, textEn, textZh, el("button", { class: "small", type: "submit", dataset: { action: "announce" } },
      "Announce"));
    const revoke = el("button", { class: "small danger", dataset: { action: "revoke" }, onclick: () => {
      if (revoke.dataset.armed) return this.revoke(id);
      revoke.dataset.armed = "1";
      revoke.textContent = "Confirm revoke";
      setTimeout(() => { delete revoke.dataset.armed; revoke.textContent = "Revoke"; }, 4000);
    } }, "Revoke");
    return el("div", { class: "controls" },
      el("div", { class: "row" }, button("▶ Play", "play"), button("❚❚ Pause", "pause"),
        button("■ End session", "end_session"), el("span", { class: "gap" }), scenes, load,
        el("span", { class: "gap" }), lang, setLang, el("span", { class: "gap" }), revoke),
      announce);
  }

  pendingCard(kiosk) {
    // approving needs the code typed from the kiosk's own screen
    const code = el("input", { type: "text", class: "pairing-code", inputmode: "numeric",
      maxlength: "16", placeholder: "123-456", "aria-label": "Code on the kiosk's screen" });
    return el("article", { class: "kiosk pending-kiosk", dataset: { kiosk: kiosk.kiosk_id,
      status: "pending", online: "false" } },
      el("div", { class: "kiosk-head" },
        el("strong", {}, kiosk.name || "New kiosk"), el("code", {}, kiosk.kiosk_id),
        el("span", { class: "badge pending" }, "waiting for approval")),
      el("p", {}, "Type the pairing code shown on the kiosk's own screen to approve it."),
      this.canOperate ? code : null,
      this.canOperate ? el("button", { class: "approve",
        onclick: () => this.approve(kiosk.kiosk_id, code.value.trim()) }, "Approve for this site") : null);
  }
}
