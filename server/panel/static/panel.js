// The control panel: picks a site, loads its zones, occupancy, kiosks and alerts, and keeps
// them current from the /control Socket.IO events.

import { api } from "./api.js";
import { AlertList } from "./alerts.js";
import { bilingual, el, timeOf, toast } from "./dom.js";
import { KioskList } from "./kiosks.js";
import { Live } from "./live.js";
import { ZoneMap } from "./zonemap.js";
import { ZoneTable } from "./zones.js";

const root = document.getElementById("panel");
const canOperate = ["admin", "operator"].includes(root.dataset.role);
const state = { sites: [], site: null, zones: new Map(), kiosks: new Map(), experiences: [] };

function fail(exc) {
  toast(exc.message, "error");
}

function log(text) {
  const list = document.getElementById("activity-list");
  list.prepend(el("li", {}, el("time", {}, timeOf(new Date().toISOString())), " ", text));
  while (list.children.length > 40) list.lastElementChild.remove();
}

const zoneMap = new ZoneMap(document.getElementById("map"), (id) => zoneTable.highlight(id));
const zoneTable = new ZoneTable(document.getElementById("zone-rows"), {
  canOperate,
  onFocus: (id) => zoneMap.focus(id),
  setState: (zoneId, wanted, reason) =>
    api("POST", `/sites/${state.site}/zones/${encodeURIComponent(zoneId)}/state`, { state: wanted, reason })
      .then((body) => { applyZoneState(body); toast(`${zoneName(zoneId)} is now ${wanted}.`); })
      .catch(fail),
});
const kioskList = new KioskList({
  list: document.getElementById("kiosk-list"),
  pending: document.getElementById("pending"),
  summary: document.getElementById("kiosk-summary"),
}, {
  canOperate,
  command: (kioskId, action, args) => live.command({ kiosk_id: kioskId, action, args })
    .then(() => { toast(`Sent ${action} to ${kioskId}.`); log(`${action} → ${kioskId}`); })
    .catch(fail),
  approve: (kioskId, code) => api("POST", `/kiosks/${encodeURIComponent(kioskId)}/approve`,
    { site_id: state.site, code })
    .then(() => { toast(`Approved ${kioskId} for ${state.site}.`); return reloadKiosks(); })
    .catch(fail),
  revoke: (kioskId) => api("POST", `/kiosks/${encodeURIComponent(kioskId)}/revoke`)
    .then(() => { toast(`Revoked ${kioskId}.`); return reloadKiosks(); })
    .catch(fail),
});
const alertList = new AlertList(document.getElementById("alert-list"),
  document.getElementById("alert-count"), {
    canOperate,
    acknowledge: (id) => api("POST", `/alerts/${id}/ack`)
      .then((alert) => { alertList.upsert(alert); toast("Alert acknowledged."); })
      .catch(fail),
  });

const live = new Live({
  reconnected: () => loadSite(state.site, { redraw: false }),
  occupancy: (data) => {
    if (data.site_id !== state.site) return;
    for (const row of data.zones) {
      const zone = state.zones.get(row.zone_id);
      if (!zone) continue;
      Object.assign(zone, { count: row.count, capacity: row.capacity, level: row.level,
        state: row.state });
      refreshZone(zone);
    }
    showTotals();
  },
  zone_state: (data) => {
    if (data.site_id !== state.site) return;
    applyZoneState(data);
    log(`${zoneName(data.zone_id)} ${data.state}${data.reason ? ` (${data.reason})` : ""}`);
  },
  kiosk_status: (data) => {
    if (!("site_id" in data)) {
      // a partial update (a kiosk asking to pair): fetch the whole record
      reloadKiosks().then(() => {
        if (data.status === "pending" && canOperate) toast(`Kiosk ${data.kiosk_id} asks to pair.`);
      }).catch(fail);
      return;
    }
    const merged = { ...(state.kiosks.get(data.kiosk_id) || {}), ...data };
    state.kiosks.set(data.kiosk_id, merged);
    if (!belongsHere(merged)) return;
    kioskList.upsert(merged);
    zoneMap.placeKiosks(siteKiosks());
  },
  alert: (alert) => {
    if (alert.site_id && alert.site_id !== state.site) return;
    alertList.upsert(alert);
    if (alert.state === "raised") toast(alert.message || `Alert: ${alert.kind}`, "warn");
    log(`alert ${alert.state}: ${alert.message || alert.kind}`);
  },
  session_event: (data) => {
    if (!state.kiosks.has(data.kiosk_id) || !belongsHere(state.kiosks.get(data.kiosk_id))) return;
    log(`session ${data.event} on ${data.kiosk_id}${data.experience_id ? ` · ${data.experience_id}` : ""}`);
  },
});

function zoneName(id) {
  const zone = state.zones.get(id);
  return zone ? zone.name_en : id;
}

function belongsHere(kiosk) {
  return kiosk.site_id === state.site || (kiosk.status === "pending" && !kiosk.site_id);
}

function siteKiosks() {
  return [...state.kiosks.values()].filter(belongsHere);
}

function refreshZone(zone) {
  zoneMap.refresh(zone);
  zoneTable.update(zone);
}

function applyZoneState({ zone_id: zoneId, state: wanted, reason }) {
  const zone = state.zones.get(zoneId);
  if (!zone) return;
  Object.assign(zone, { state: wanted, reason });
  refreshZone(zone);
}

function showTotals() {
  const roots = [...state.zones.values()].filter((z) => !state.zones.has(z.parent_id));
  const visitors = roots.reduce((sum, z) => sum + z.count, 0);
  const closed = [...state.zones.values()].filter((z) => z.state === "closed").length;
  const busy = [...state.zones.values()].filter((z) => z.level !== "normal").length;
  document.getElementById("totals").textContent = `${visitors} visitors on site · ` +
    `${busy} zone${busy === 1 ? "" : "s"} at divert or stop · ${closed} closed`;
}

async function reloadKiosks() {
  const { kiosks } = await api("GET", "/kiosks");
  state.kiosks = new Map(kiosks.map((k) => [k.kiosk_id, k]));
  kioskList.render(siteKiosks(), state.experiences);
  zoneMap.placeKiosks(siteKiosks());
}

async function reloadAlerts() {
  try {
    const { alerts } = await api("GET", `/sites/${state.site}/alerts?state=raised`);
    alertList.replace(alerts);
  } catch (exc) {
    alertList.showUnavailable(`Alerts could not be loaded: ${exc.message}`);
  }
}

async function loadSite(siteId, { redraw = true } = {}) {
  state.site = siteId;
  document.querySelectorAll("#site-list button").forEach((b) =>
    b.setAttribute("aria-pressed", String(b.dataset.site === siteId)));
  const site = state.sites.find((s) => s.id === siteId);
  document.getElementById("site-title").replaceChildren(bilingual(site.name_en, site.name_zh), " ",
    el("small", {}, site.basin_name_en || ""));
  const [collection, occupancy, catalogue] = await Promise.all([
    api("GET", `/sites/${siteId}/zones`), api("GET", `/sites/${siteId}/occupancy`),
    api("GET", "/experiences")]);
  if (state.site !== siteId) return; // another site was picked meanwhile
  const levels = new Map(occupancy.zones.map((z) => [z.zone_id, z]));
  state.zones = new Map(collection.features.map((f) => {
    const live = levels.get(f.properties.id) || {};
    return [f.properties.id, { ...f.properties, count: live.count ?? f.properties.occupancy ?? 0,
      capacity: live.capacity ?? f.properties.capacity, level: live.level || "normal",
      state: live.state || f.properties.state }];
  }));
  state.experiences = catalogue.experiences.filter((x) => x.site_id === siteId);
  if (redraw) zoneMap.draw(collection, state.zones);
  else state.zones.forEach(refreshZone);
  zoneTable.render(state.zones);
  showTotals();
  await Promise.all([reloadKiosks(), reloadAlerts()]);
  root.dataset.site = siteId;
}

async function start() {
  const { sites } = await api("GET", "/sites");
  state.sites = sites;
  const nav = document.getElementById("site-list");
  nav.replaceChildren(...sites.map((site) => el("button", { class: "site", dataset: { site: site.id },
    "aria-pressed": "false", title: site.basin_name_en || "",
    onclick: () => { location.hash = site.id; } }, site.name_en, el("small", {}, site.name_zh))));
  const pick = () => {
    const wanted = location.hash.slice(1);
    const site = sites.find((s) => s.id === wanted) || sites.find((s) => s.id === "mogao") || sites[0];
    if (site) loadSite(site.id).catch(fail);
  };
  window.addEventListener("hashchange", pick);
  pick();
}

start().catch(fail);
