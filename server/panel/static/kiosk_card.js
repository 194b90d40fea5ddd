// One approved (or revoked) kiosk's card: who and where it is, what it shows and how fast, its
// last screenshot, its session, its latest commands and their state, and, folded, its history
// and management. Live updates refresh the facts without touching what an operator is typing.

import { api } from "./api.js";
import { el } from "./dom.js";
import { errorText, t } from "./i18n.js";
import { CommandLog } from "./kiosk_commands.js";
import { KioskControls } from "./kiosk_controls.js";
import { actionName, experienceTitle, renderFacts } from "./kiosk_format.js";
import { PresenceTimeline } from "./kiosk_presence.js";
import { ScreenshotView } from "./kiosk_screens.js";
import { SessionBlock } from "./kiosk_session.js";
import { TokenRotation } from "./kiosk_token.js";
import { siteTime } from "./time.js";

export class KioskCard {
  /** ``page``: {canOperate, role, timeZone, experiences, demo, send, toast, log, reload}. */
  constructor(record, page) {
    this.record = record;
    this.page = page;
    this.loaded = false;
    this.commands = new CommandLog(page.timeZone);
    this.build();
  }

  get id() {
    return this.record.kiosk_id;
  }

  /** Build the whole card from what is known (first time, and after a language switch). */
  build() {
    const { canOperate, role, timeZone, experiences, toast, log } = this.page;
    const old = this.node;
    const operable = canOperate && this.record.status === "approved";
    this.screen = new ScreenshotView(this.id, this.record.name || this.id, timeZone);
    this.head = el("div", { class: "kiosk-head" });
    this.facts = el("div", { class: "kiosk-facts" });
    this.session = new SessionBlock(this.id, { canOperate: operable, experiences, toast, log }, this.session);
    this.controls = operable ? new KioskControls(this.id, { experiences, featured: this.record.featured,
      send: (action, args, button) => this.send(action, args, button) }) : null;
    this.presence = new PresenceTimeline(this.id, timeZone);
    const history = el("details", { class: "fold", ontoggle: (event) => {
      if (event.currentTarget.open) this.presence.load();
    } }, el("summary", {}, t("kiosks.history")), this.presence.node);
    this.commands.draw();
    this.node = el("article", { class: "kiosk", dataset: { kiosk: this.id } },
      this.head,
      el("div", { class: "kiosk-body" }, this.screen.node, this.facts),
      this.session.node,
      el("section", { class: "kiosk-log", "aria-label": t("kiosks.latest_commands") },
        el("h3", {}, t("kiosks.latest_commands")), this.commands.node),
      this.controls ? this.controls.node : null,
      history,
      operable ? this.manage(role) : null);
    this.update(this.record);
    if (old) old.replaceWith(this.node);
  }

  /** Revoking (operators) and a new token (admins), folded away from the everyday buttons. */
  manage(role) {
    const revoke = el("button", { type: "button", class: "small danger", dataset: { action: "revoke" }, onclick: () => {
      if (revoke.dataset.armed) return this.revoke();
      revoke.dataset.armed = "1";
      revoke.textContent = t("kiosks.revoke_confirm");
      setTimeout(() => { delete revoke.dataset.armed; revoke.textContent = t("kiosks.revoke"); }, 4000);
    } }, t("kiosks.revoke"));
    return el("details", { class: "fold manage" }, el("summary", {}, t("kiosks.manage")),
      el("div", { class: "row" }, revoke),
      role === "admin" ? new TokenRotation(this.id, this.page).node : null);
  }

  /** Take a newer record (a kiosk_status) and refresh the parts that show it. */
  update(record) {
    this.record = record;
    const k = record;
    Object.assign(this.node.dataset, { online: String(Boolean(k.online)), status: k.status,
      scene: k.scene || "", state: k.state || "" });
    this.head.replaceChildren(...[
      el("span", { class: `dot ${k.online ? "on" : "off"}`, "aria-hidden": "true" }),
      el("strong", { class: "name" }, k.name || k.kiosk_id),
      el("span", { class: `badge ${k.online ? "online" : "offline"}` }, k.online ? t("kiosks.online") : t("kiosks.offline")),
      k.kind ? el("span", { class: "badge kind" }, t(`kiosks.kind.${k.kind}`)) : null,
      k.status !== "approved" ? el("span", { class: "badge closed" }, t(`kiosks.state_${k.status}`)) : null,
      el("code", { class: "id" }, k.kiosk_id)].filter(Boolean));
    this.facts.replaceChildren(...this.factLines(k));
    this.screen.show(k.screenshot_at);
    if (this.controls) this.controls.setOnline(Boolean(k.online));
  }

  factLines(k) {
    const { experiences, timeZone } = this.page;
    const experience = experiences.find((x) => x.id === k.experience_id);
    const featured = experiences.find((x) => x.id === k.featured);
    const showing = experience ? experienceTitle(experience) : k.scene ? t("kiosks.scene", { scene: k.scene }) : null;
    const line = (cls, ...parts) => (parts.some(Boolean) ? el("p", { class: cls }, ...parts) : null);
    const lines = [
      line("showing", showing ? el("span", { class: "title", title: k.scene || "" }, showing) : t("kiosks.nothing_loaded"),
        k.state ? el("span", { class: `state ${k.state}` }, ` · ${t(`kiosks.kiosk_state.${k.state}`)}`) : null,
        typeof k.fps === "number" ? el("span", { class: "fps" }, ` · ${t("kiosks.fps", { fps: k.fps.toFixed(1) })}`) : null),
      line("render", renderFacts(k.render)),
      line("featured", featured && featured.id !== k.experience_id ? t("kiosks.featured", { title: experienceTitle(featured) }) : null),
      line("where muted", [k.group && t("kiosks.group", { group: k.group }), k.zone_id && t("kiosks.zone", { zone: k.zone_id })]
        .filter(Boolean).join(" · ")),
      line("seen muted", k.last_seen ? t(k.online ? "kiosks.seen" : "kiosks.offline_since",
        { time: siteTime(k.last_seen, timeZone) }) : t("kiosks.never_seen")),
    ];
    if (!lines[0]) lines[0] = el("p", { class: "showing" }, t("kiosks.no_heartbeat"));
    return lines.filter(Boolean);
  }

  /** The card came into view: load what only a visible card needs. */
  seen() {
    if (this.loaded) return;
    this.loaded = true;
    this.loadCommands();
    this.session.load();
  }

  async loadCommands() {
    try {
      const { commands } = await api("GET", `/kiosks/${encodeURIComponent(this.id)}/commands`);
      this.commands.load(commands.filter((c) => c.action !== "screenshot").slice(0, 10));
    } catch (exc) {
      this.commands.node.replaceChildren(el("li", { class: "error" }, errorText(exc)));
    }
  }

  /** A command's state changed: screenshots speak on the picture, the others in the log. */
  commandStatus(entry) {
    if (entry.action === "screenshot") {
      if (entry.status === "failed") this.screen.note(t("kiosks.screenshot_failed", { error: entry.error || "" }), "error");
      else if (entry.status === "expired") this.screen.note(t("kiosks.screenshot_expired"), "error");
      return;
    }
    this.commands.merge(entry);
  }

  /** Send one command from this card; resolves to whether the server queued it. */
  async send(action, args, button, { quiet = false } = {}) {
    const label = button ? [...button.childNodes] : [];
    if (button) {
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      button.textContent = t("kiosks.sending");
    }
    if (action === "screenshot" && !quiet) this.screen.note(t("kiosks.screenshot_asked"));
    try {
      const queued = await this.page.send({ kiosk_id: this.id, action, args });
      for (const command of queued || []) this.commandStatus({ ...command, status: command.status || "pending" });
      if (!quiet) this.page.log(t("kiosks.sent_log", { action: actionName(action), kiosk: this.id }));
      return true;
    } catch (exc) {
      if (!quiet) this.page.toast(errorText(exc), "error");
      return false;
    } finally {
      if (button) {
        button.disabled = false;
        button.removeAttribute("aria-busy");
        button.replaceChildren(...label);
      }
    }
  }

  async revoke() {
    try {
      await api("POST", `/kiosks/${encodeURIComponent(this.id)}/revoke`);
      this.page.toast(t("kiosks.revoked", { kiosk: this.id }));
      this.page.log(t("kiosks.revoked", { kiosk: this.id }));
      await this.page.reload();
    } catch (exc) {
      this.page.toast(errorText(exc), "error");
    }
  }
}
