// The kiosk grid of the operators' panel: every kiosk of the current site as a compact card,
// the kiosks waiting for approval, and a form for commands to several kiosks. It loads the
// fleet itself and takes the live events the page hears on /control.
//
//   const grid = new KioskGrid(root, { canOperate, role, send, toast, log, onChange });
//   await grid.show(site, experiences, demo);
//   grid.kioskStatus(data); grid.commandStatus(data); grid.sessionEvent(data);
//   grid.kiosks();

import { api } from "./api.js";
import { el } from "./dom.js";
import { errorText, loadCatalogs, onLangChange, t } from "./i18n.js";
import { KioskCard } from "./kiosk_card.js";
import { CommandForm } from "./kiosk_command_form.js";
import { commandEntry } from "./kiosk_commands.js";
import { pendingCard } from "./kiosk_pending.js";
import { ScreenRefresher } from "./kiosk_screens.js";

const noop = () => {};

export class KioskGrid {
  constructor(root, { canOperate = false, role = "viewer", send, toast = noop, log = noop, onChange = noop } = {}) {
    Object.assign(this, { root, canOperate, role, send, toast, log, onChange });
    this.site = null;
    this.experiences = [];
    this.demo = null;
    this.records = new Map(); // every kiosk the server listed, by id
    this.cards = new Map(); // this site's approved and revoked kiosks
    this.refresher = new ScreenRefresher((card) => card.send("screenshot", {}, null, { quiet: true }));
    this.ticker = setInterval(() => this.tick(), 1000);
    onLangChange(() => this.redraw({ rebuild: true }));
  }

  /** Show a site's kiosks (``site`` as GET /sites lists it, with its timezone). */
  async show(site, experiences, demo = null) {
    await loadCatalogs(["kiosks"]);
    this.site = site;
    this.experiences = experiences || [];
    this.demo = demo || null;
    this.fresh = true; // another site, or the same one read anew: every card is built again
    await this.reload();
  }

  /** Read the fleet again (after approving, revoking, or a partial status). */
  async reload() {
    const siteId = this.site && this.site.id;
    let kiosks;
    try {
      ({ kiosks } = await api("GET", "/kiosks"));
    } catch (exc) {
      this.layout();
      this.list.replaceChildren(el("p", { class: "error" }, t("kiosks.unavailable", { error: errorText(exc) })));
      throw exc;
    }
    if (!this.site || this.site.id !== siteId) return; // another site was picked meanwhile
    this.records = new Map(kiosks.map((k) => [k.kiosk_id, k]));
    this.redraw();
  }

  kiosks() {
    return [...this.records.values()].filter((k) => this.belongs(k));
  }

  belongs(kiosk) {
    return Boolean(this.site) && (kiosk.site_id === this.site.id || (kiosk.status === "pending" && !kiosk.site_id));
  }

  // -- drawing ----------------------------------------------------------------------------
  layout() {
    this.summary = el("span", { class: "muted kiosk-summary", id: "kiosk-summary", "aria-live": "polite" });
    this.pending = el("div", { class: "pending", id: "pending" });
    this.list = el("div", { class: "kiosk-grid", id: "kiosk-list" });
    this.form = this.canOperate ? new CommandForm(this) : null;
    this.root.replaceChildren(...[
      el("div", { class: "card-head" },
        el("h2", { id: "kiosks-heading" }, t("kiosks.heading"), " ", this.summary),
        this.demoNote()),
      this.form && this.form.node, this.pending, this.list].filter(Boolean));
  }

  demoNote() {
    const demo = this.demo;
    if (!demo || !demo.kiosk_size) return null;
    return el("p", { class: "muted demo-note" }, t("kiosks.demo_note", { size: demo.kiosk_size, fps: demo.kiosk_fps ?? "?" }));
  }

  /** Place the cards in order. Cards already shown keep their element, so what an operator
   * typed or unfolded stays; ``rebuild`` (another language, another site) builds all anew. */
  redraw({ rebuild = false } = {}) {
    if (!this.site) return;
    const previous = this.fresh ? new Map() : this.cards; // a card keeps its commands and sessions
    rebuild = rebuild || this.fresh || !this.list;
    this.fresh = false;
    if (rebuild) {
      this.refresher.clear();
      this.layout();
    } else {
      this.pending.replaceChildren();
      if (this.form) this.form.refresh();
    }
    this.cards = new Map();
    const order = (k) => `${k.online ? 0 : 1}${k.status === "approved" ? 0 : 1}${(k.name || k.kiosk_id).toLowerCase()}`;
    const placed = this.kiosks().sort((a, b) => order(a).localeCompare(order(b)))
      .map((kiosk) => this.place(kiosk, previous.get(kiosk.kiosk_id), rebuild)).filter(Boolean);
    for (const [id, card] of previous) if (!this.cards.has(id)) this.refresher.forget(card);
    this.list.replaceChildren(...placed.map((card) => card.node));
    this.summarise();
    this.onChange(this.kiosks());
  }

  /** The card of one kiosk, reusing ``known`` when it has one; a pending kiosk goes with the
   * ones to approve (and returns nothing). */
  place(kiosk, known, rebuild = false) {
    if (kiosk.status === "pending") {
      this.pending.append(pendingCard(kiosk, { canOperate: this.canOperate, approve: (id, code) => this.approve(id, code) }));
      return null;
    }
    let card = known;
    if (!card) {
      card = new KioskCard(kiosk, this.pageContext());
      this.refresher.watch(card);
    } else if (rebuild || card.record.status !== kiosk.status) {
      card.page = this.pageContext(); // another language, or approved/revoked: other buttons
      card.record = kiosk;
      this.refresher.forget(card);
      card.build();
      this.refresher.watch(card);
    } else card.update(kiosk);
    this.cards.set(kiosk.kiosk_id, card);
    return card;
  }

  pageContext() {
    return { canOperate: this.canOperate, role: this.role, timeZone: this.site.timezone,
      experiences: this.experiences, demo: this.demo, send: this.send, toast: this.toast, log: this.log,
      reload: () => this.reload() };
  }

  summarise() {
    const shown = [...this.cards.values()];
    const online = shown.filter((c) => c.record.online).length;
    const waiting = this.pending.children.length;
    this.summary.textContent = t("kiosks.summary", { online, total: shown.length }) +
      (waiting ? ` · ${t("kiosks.summary_waiting", { n: waiting })}` : "");
    if (!shown.length) this.list.replaceChildren(el("p", { class: "muted" }, t("kiosks.none")));
    else this.list.querySelector(":scope > p.muted")?.remove();
  }

  tick() {
    for (const card of this.cards.values()) {
      if (card.session.tick()) {
        card.session.countdown = null; // reload once, not every second
        card.session.load();
      }
    }
  }

  // -- live events ------------------------------------------------------------------------
  /** A ``kiosk_status`` event: refresh the kiosk's card, or read the fleet for a partial one. */
  kioskStatus(data) {
    if (!data || !data.kiosk_id) return;
    if (!("site_id" in data)) {
      // a kiosk asking to pair, or one that expired or was refused: read the whole fleet
      this.reload().then(() => {
        if (data.status === "pending" && this.canOperate) this.toast(t("kiosks.asks_to_pair", { kiosk: data.kiosk_id }));
      }).catch((exc) => this.toast(errorText(exc), "error"));
      return;
    }
    const old = this.records.get(data.kiosk_id);
    const merged = { ...(old || {}), ...data };
    this.records.set(data.kiosk_id, merged);
    const card = this.cards.get(data.kiosk_id);
    const wasHere = Boolean(card) || (old && this.belongs(old));
    if (!this.belongs(merged) && !wasHere) return;
    if (card && this.belongs(merged) && card.record.status === merged.status) {
      card.update(merged);
      this.summarise();
      if (this.form) this.form.refresh();
      this.onChange(this.kiosks());
    } else {
      this.redraw(); // it arrived, left, or changed status: the cards are placed anew
    }
  }

  /** A ``command_status`` event: each command's new state on its kiosk's card. */
  commandStatus(data) {
    for (const raw of (data && data.commands) || []) {
      const card = this.cards.get(raw.kiosk_id);
      if (card) card.commandStatus(commandEntry(raw));
    }
  }

  /** Commands a send queued: shown pending on their cards until their status comes. */
  delivered(commands) {
    this.commandStatus({ commands: commands.map((c) => ({ ...c, status: c.status || "pending" })) });
  }

  /** A ``session_event``: the kiosk's session and queue are read again. */
  sessionEvent(data) {
    const card = data && this.cards.get(data.kiosk_id);
    if (card && card.loaded) card.session.load();
  }

  async approve(kioskId, code) {
    try {
      await api("POST", `/kiosks/${encodeURIComponent(kioskId)}/approve`, { site_id: this.site.id, code });
      this.toast(t("kiosks.approved", { kiosk: kioskId, site: this.site.id }));
      this.log(t("kiosks.approved", { kiosk: kioskId, site: this.site.id }));
      await this.reload();
    } catch (exc) {
      this.toast(errorText(exc), "error");
    }
  }
}
