// Kiosks awaiting pairing: a new kiosk shows a code on its own screen and waits. An admin who
// stands at it types the code and places it (site, zone, group), or rejects it. The list is
// live: kiosks appear as they ask and leave when approved, rejected or expired.

import { api } from "./api.js";
import { el } from "./dom.js";
import { errorText, named, t } from "./i18n.js";

export class PairingQueue {
  constructor(root, count, { toast, changed }) {
    Object.assign(this, { root, count, toast, changed });
    this.sites = [];
    this.zones = new Map(); // site id -> its zones (fetched once a site)
    this.pending = new Map(); // kiosk id -> kiosk
    this.cards = new Map(); // kiosk id -> card, kept while the admin types into it
    this.heading = root.querySelector("h2");
    this.list = el("div", { class: "pairing-list" });
    this.empty = el("p", { class: "muted empty" }, t("common.loading"));
    root.replaceChildren(this.heading, el("p", { class: "hint" }, t("admin.pairing.hint")), this.empty, this.list);
  }

  async load(sites) {
    if (sites) this.sites = sites;
    const { kiosks } = await api("GET", "/kiosks");
    this.pending = new Map(kiosks.filter((k) => k.status === "pending").map((k) => [k.kiosk_id, k]));
    this.render();
  }

  /** Redraw every card (after a language switch or a full reload). */
  render() {
    this.cards.clear();
    this.list.replaceChildren(...[...this.pending.values()].map((kiosk) => this.card(kiosk)));
    this.root.querySelector(".hint").textContent = t("admin.pairing.hint");
    this.showCount();
  }

  showCount() {
    this.count.textContent = String(this.pending.size);
    this.count.classList.toggle("hot", this.pending.size > 0);
    this.empty.textContent = t("admin.pairing.none");
    this.empty.hidden = this.pending.size > 0;
  }

  /** A ``kiosk_status`` from /control: a new kiosk asking is added, a decided one removed. */
  kioskStatus(data) {
    const known = this.pending.has(data.kiosk_id);
    if (data.status === "pending" && !known) {
      this.pending.set(data.kiosk_id, data);
      this.list.append(this.card(data));
      this.toast(t("admin.pairing.asks", { kiosk: data.name || data.kiosk_id }));
    } else if (data.status && data.status !== "pending" && known) {
      this.remove(data.kiosk_id);
    } else {
      return;
    }
    this.showCount();
  }

  remove(kioskId) {
    this.pending.delete(kioskId);
    this.cards.get(kioskId)?.remove();
    this.cards.delete(kioskId);
    this.showCount();
  }

  card(kiosk) {
    const id = kiosk.kiosk_id;
    const code = el("input", { name: "code", required: true, maxlength: "16", inputmode: "numeric",
      autocomplete: "off", placeholder: "123-456", class: "pairing-code" });
    const site = el("select", { name: "site" }, ...this.sites.map((s) =>
      el("option", { value: s.id, selected: s.id === kiosk.site_id }, named(s))));
    const zone = el("select", { name: "zone" });
    const group = el("input", { name: "group", maxlength: "64", autocomplete: "off", value: kiosk.group || "" });
    site.addEventListener("change", () => this.fillZones(zone, site.value));
    this.fillZones(zone, site.value, kiosk.zone_id);
    const reject = el("button", { type: "button", class: "quiet small", dataset: { action: "reject" },
      onclick: () => this.reject(id) }, t("admin.pairing.reject"));
    const form = el("form", { class: "admin-form pair-form", onsubmit: (event) => {
      event.preventDefault();
      this.approve(id, { code: code.value.trim(), site_id: site.value, zone_id: zone.value || null,
        group: group.value.trim() || null });
    } },
    el("label", {}, el("span", {}, t("admin.pairing.code")), code),
    el("label", {}, el("span", {}, t("admin.pairing.site")), site),
    el("label", {}, el("span", {}, t("admin.pairing.zone")), zone),
    el("label", {}, el("span", {}, t("admin.pairing.group")), group),
    el("div", { class: "row" }, el("button", { type: "submit", dataset: { action: "approve" } }, t("admin.pairing.approve")), reject));
    const card = el("article", { class: "pairing-card", dataset: { kiosk: id }, "aria-label": kiosk.name || id },
      el("div", { class: "pairing-head" }, el("strong", {}, kiosk.name || t("admin.pairing.unnamed")),
        el("code", {}, id), kiosk.site_id ? el("span", { class: "muted" },
          t("admin.pairing.asked_for", { site: this.siteName(kiosk.site_id) })) : null),
      form);
    this.cards.set(id, card);
    return card;
  }

  siteName(siteId) {
    return named(this.sites.find((s) => s.id === siteId)) || siteId;
  }

  /** The zone picker of a site: "no zone" first, then its zones in the venue's order. */
  async fillZones(select, siteId, chosen = null) {
    const none = el("option", { value: "" }, t("admin.pairing.no_zone"));
    select.replaceChildren(none);
    if (!siteId) return;
    try {
      if (!this.zones.has(siteId)) {
        const { features } = await api("GET", `/sites/${encodeURIComponent(siteId)}/zones`);
        this.zones.set(siteId, features.map((f) => f.properties));
      }
    } catch (exc) {
      this.toast(errorText(exc), "error");
      return;
    }
    select.replaceChildren(none, ...this.zones.get(siteId).map((z) =>
      el("option", { value: z.id, selected: z.id === chosen }, `${named(z)} · ${t(`kind.${z.kind}`)}`)));
  }

  async approve(kioskId, body) {
    try {
      await api("POST", `/kiosks/${encodeURIComponent(kioskId)}/approve`, body);
    } catch (exc) {
      this.toast(errorText(exc), "error");
      return;
    }
    this.remove(kioskId);
    this.toast(t("admin.pairing.approved", { kiosk: kioskId, site: this.siteName(body.site_id) }));
    this.changed();
  }

  async reject(kioskId) {
    try {
      await api("POST", `/kiosks/${encodeURIComponent(kioskId)}/reject`);
    } catch (exc) {
      this.toast(errorText(exc), "error");
      return;
    }
    this.remove(kioskId);
    this.toast(t("admin.pairing.rejected", { kiosk: kioskId }));
    this.changed();
  }
}
