// The control panel: picks a site, shows it at a glance (header, map, zones, microclimate,
// alerts, kiosks, activity) and keeps every part current from the /control Socket.IO events.
// Each part is its own module; this one only wires them together and holds the site's zones.

import { ActivityFeed } from "./activity.js";
import { AlertPanel } from "./alerts.js";
import { api } from "./api.js";
import { Microclimate } from "./climate.js";
import { el, toast } from "./dom.js";
import { errorText, named, onLangChange, t } from "./i18n.js";
import { KioskGrid } from "./kiosk_grid.js";
import { startLanguage } from "./language.js";
import { Live } from "./live.js";
import { SiteHeader } from "./site_header.js";
import { ZoneMap } from "./zonemap.js";
import { ZoneTable } from "./zones.js";

const root = document.getElementById("panel");
const role = root.dataset.role;
const canOperate = ["admin", "operator"].includes(role);
const state = { sites: [], site: null, zones: new Map(), figures: null, demo: null };
const BUSY = new Set(["divert", "stop"]); // an empty closed zone is "closed", not busy

function fail(exc) {
  toast(errorText(exc), "error");
}

function siteEntry() {
  return state.sites.find((s) => s.id === state.site);
}

const header = new SiteHeader(document.getElementById("site-header"));
const activity = new ActivityFeed(document.getElementById("activity-list"));
const zoneMap = new ZoneMap(document.getElementById("map"), (id) => pickZone(id));
const zoneTable = new ZoneTable(document.getElementById("zone-rows"), {
  canOperate,
  onFocus: (id) => { zoneMap.focus(id); pickZone(id); },
  setState: (zoneId, wanted, reason) =>
    api("POST", `/sites/${state.site}/zones/${encodeURIComponent(zoneId)}/state`, { state: wanted, reason })
      .then((body) => {
        applyZoneState(body);
        toast(t("zones.now", { zone: zoneName(zoneId), state: t(`state.${wanted}`) }));
      })
      .catch(fail),
});
const climate = new Microclimate({
  tiles: document.getElementById("climate-tiles"),
  chart: document.getElementById("climate-chart"),
  caption: document.getElementById("climate-cave"),
}, { onPick: (id) => zoneTable.highlight(id) });
const alerts = new AlertPanel(document.getElementById("alert-body"), document.getElementById("alert-count"), {
  canOperate,
  acknowledge: (id) => api("POST", `/alerts/${id}/ack`)
    .then((alert) => { alerts.upsert(alert); toast(t("alerts.acknowledged")); })
    .catch(fail),
});
const grid = new KioskGrid(document.getElementById("kiosks"), {
  canOperate, role, toast, log: (text) => activity.note(text),
  send: (cmd) => live.command(cmd),
  onChange: (kiosks) => zoneMap.placeKiosks(kiosks),
});

const live = new Live({
  reconnected: () => loadSite(state.site, { redraw: false }).catch(fail),
  occupancy: (data) => {
    if (data.site_id !== state.site) return;
    for (const row of data.zones) {
      const zone = state.zones.get(row.zone_id);
      if (!zone) continue;
      Object.assign(zone, { count: row.count, capacity: row.capacity, level: row.level, state: row.state });
      refreshZone(zone);
    }
    showFigures(data.site);
  },
  zone_state: (data) => {
    if (data.site_id !== state.site) return;
    applyZoneState(data);
    climate.zoneState(data);
    activity.add({ kind: "zone_state", subject: data.zone_id, actor: data.changed_by,
      details: { zone_id: data.zone_id, state: data.state, reason: data.reason } });
  },
  kiosk_status: (data) => grid.kioskStatus(data),
  command_status: (data) => grid.commandStatus(data),
  session_event: (data) => {
    grid.sessionEvent(data);
    if (grid.kiosks().some((k) => k.kiosk_id === data.kiosk_id)) {
      activity.add({ kind: "session", subject: data.kiosk_id, details: data });
    }
  },
  alert: (alert) => {
    if (alert.site_id && alert.site_id !== state.site) return;
    alerts.upsert(alert);
    if (alert.state === "raised" && alert.change !== "acknowledged") toast(t("alerts.toast", { kind: t(`alerts.kind.${alert.kind}`), zone: zoneName(alert.zone_id) || alert.subject || "" }), "warn");
    activity.add({ kind: "alert", subject: alert.subject || alert.zone_id,
      details: { alert_kind: alert.kind, zone_id: alert.zone_id, state: alert.state, change: alert.change } });
  },
  readings: (data) => climate.readings(data),
});

function zoneName(id) {
  const zone = state.zones.get(id);
  return zone ? named(zone) : id;
}

function pickZone(id) {
  zoneTable.highlight(id);
  if (climate.has(id)) climate.pick(id).catch(fail);
}

function refreshZone(zone) {
  zoneMap.refresh(zone);
  zoneTable.update(zone);
  climate.renderTiles();
}

function applyZoneState({ zone_id: zoneId, state: wanted, reason }) {
  const zone = state.zones.get(zoneId);
  if (!zone) return;
  Object.assign(zone, { state: wanted, reason });
  refreshZone(zone);
}

/** The header's figures: the server's ``site`` block, or what the zones add up to without it. */
function showFigures(figures) {
  const roots = [...state.zones.values()].filter((z) => !state.zones.has(z.parent_id));
  state.figures = figures || { count: roots.reduce((sum, z) => sum + z.count, 0) };
  header.update(state.figures);
  showTotals();
}

function showTotals() {
  const zones = [...state.zones.values()];
  document.getElementById("totals").textContent = t("map.totals", {
    visitors: state.figures?.count ?? 0,
    busy: zones.filter((z) => BUSY.has(z.level)).length,
    closed: zones.filter((z) => z.state === "closed").length,
  });
}

async function reloadAlerts() {
  try {
    const { alerts: raised } = await api("GET", `/sites/${state.site}/alerts?state=raised`);
    alerts.replace(raised);
  } catch (exc) {
    alerts.showUnavailable(exc);
  }
}

function drawSiteNav() {
  document.querySelectorAll("#site-list button").forEach((b) => {
    const site = state.sites.find((s) => s.id === b.dataset.site);
    b.textContent = named(site);
    b.setAttribute("aria-pressed", String(b.dataset.site === state.site));
  });
}

async function loadSite(siteId, { redraw = true } = {}) {
  state.site = siteId;
  drawSiteNav();
  const site = siteEntry();
  if (redraw) header.show(site, state.demo);
  const [collection, occupancy, catalogue] = await Promise.all([
    api("GET", `/sites/${siteId}/zones`), api("GET", `/sites/${siteId}/occupancy`),
    api("GET", "/experiences")]);
  if (state.site !== siteId) return; // another site was picked meanwhile
  const levels = new Map(occupancy.zones.map((z) => [z.zone_id, z]));
  state.zones = new Map(collection.features.map((f) => {
    const now = levels.get(f.properties.id) || {};
    return [f.properties.id, { ...f.properties, count: now.count ?? f.properties.occupancy ?? 0,
      capacity: now.capacity ?? f.properties.capacity, level: now.level || "normal",
      state: now.state || f.properties.state }];
  }));
  if (redraw) zoneMap.draw(collection, state.zones);
  else state.zones.forEach((zone) => zoneMap.refresh(zone));
  zoneTable.render(state.zones);
  showFigures(occupancy.site);
  alerts.show(siteId, state.zones, site.timezone);
  const experiences = catalogue.experiences.filter((x) => x.site_id === siteId);
  await Promise.all([
    grid.show(site, experiences, state.demo).catch(fail),
    reloadAlerts(),
    activity.show(siteId, state.zones, site.timezone),
  ]);
  const hot = [...alerts.raised.values()].find((a) => a.kind === "microclimate");
  await climate.show(site, state.zones, climate.picked || hot?.zone_id).catch(fail);
  if (state.site === siteId) root.dataset.site = siteId;
}

/** Everything built in code is drawn again in the new language (the markup is translated by
 * i18n.js, the kiosk grid redraws itself). */
function relabel() {
  drawSiteNav();
  header.render();
  zoneTable.render(state.zones);
  zoneMap.relabel();
  showTotals();
  alerts.render();
  activity.render();
  climate.relabel();
}

async function demoSettings() {
  try {
    const health = await api("GET", "/health");
    return health.demo || null;
  } catch {
    return null; // the health check failing says nothing about whether a demo runs
  }
}

async function start() {
  await startLanguage(["venue"]);
  onLangChange(relabel);
  const [{ sites }, demo] = await Promise.all([api("GET", "/sites"), demoSettings()]);
  state.sites = sites;
  state.demo = demo;
  document.getElementById("site-list").replaceChildren(...sites.map((site) => el("button", {
    type: "button", class: "site", dataset: { site: site.id }, "aria-pressed": "false",
    title: site.basin_name_en || "", onclick: () => { location.hash = site.id; } }, named(site))));
  const pick = () => {
    const wanted = location.hash.slice(1);
    const site = sites.find((s) => s.id === wanted) || sites.find((s) => s.id === "mogao") || sites[0];
    if (site) loadSite(site.id).catch(fail);
  };
  window.addEventListener("hashchange", pick);
  pick();
}

start().catch(fail);
