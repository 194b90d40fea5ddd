// The caves' microclimate: a tile per cave with its CO2 over the last 24 h, and the chart of
// the cave picked in the tiles, the zone table or the map; both follow live readings and
// zone-state changes.

import { api } from "./api.js";
import { ClimateChart } from "./climate_chart.js";
import { renderTiles } from "./climate_tiles.js";
import { el } from "./dom.js";
import { named, t } from "./i18n.js";
import { epochSeconds } from "./time.js";

const DAY_S = 24 * 3600;
const TILE_POINTS = 96; // a sparkline needs no more; the server spreads them over the window

/** A reading as the charts keep it: x in epoch seconds beside the measures. */
function row(reading) {
  return { x: epochSeconds(reading.ts), co2_ppm: reading.co2_ppm,
    relative_humidity: reading.relative_humidity, temperature_c: reading.temperature_c };
}

/** Closed intervals [{start, end|null}] (epoch s) from a zone's state changes in the window,
 * its state as the window opened (``before``, when known) and its state now; a closure still
 * under way has no end. */
export function closuresOf(changes, stateNow, from, before = null) {
  const ordered = [...changes].sort((a, b) => epochSeconds(a.at) - epochSeconds(b.at));
  const out = [];
  const opening = before ? before.state : ordered.length ? null : stateNow;
  let start = opening === "closed" ? from : null;
  for (const change of ordered) {
    const at = epochSeconds(change.at);
    if (change.state === "closed" && start === null) start = at;
    else if (change.state !== "closed" && start !== null) {
      out.push({ start, end: at });
      start = null;
    }
  }
  if (start !== null) out.push({ start, end: stateNow === "closed" ? null : Date.now() / 1000 });
  return out;
}

export class Microclimate {
  constructor({ tiles, chart, caption }, { onPick }) {
    Object.assign(this, { tilesEl: tiles, captionEl: caption, onPick });
    this.chart = new ClimateChart(chart);
    this.chartEl = chart;
    this.reset();
  }

  reset() {
    this.siteId = null;
    this.sensors = [];
    this.caves = [];
    this.sparks = new Map(); // zone id -> [{x, co2_ppm}]
    this.picked = null;
    this.full = new Map(); // sensor id -> rows of the picked cave
    this.changes = []; // zone-state changes of the picked cave
    this.before = null; // its last change before the window
    this.pending = null;
  }

  /** Load a site's sensors and each cave's sparkline; pick ``preferred`` or the first cave. */
  async show(site, zones, preferred) {
    this.reset();
    this.siteId = site.id;
    this.site = site;
    this.zones = zones;
    let sensors = [];
    try {
      ({ sensors } = await api("GET", `/sites/${site.id}/sensors`));
    } catch (exc) {
      this.chartEl.replaceChildren(el("p", { class: "muted" }, t("climate.unavailable")));
      throw exc;
    }
    if (this.siteId !== site.id) return;
    this.sensors = sensors.filter((s) => zones.has(s.zone_id));
    this.caves = [...new Set(this.sensors.map((s) => s.zone_id))];
    if (!this.caves.length) {
      this.tilesEl.replaceChildren();
      this.captionEl.textContent = "";
      this.chartEl.replaceChildren(el("p", { class: "muted" }, t("climate.no_sensors")));
      return;
    }
    const { from, to } = this.window();
    await Promise.all(this.caves.map(async (zoneId) => {
      const first = this.sensors.find((s) => s.zone_id === zoneId);
      const body = await this.readingsOf(first.id, from, to, TILE_POINTS).catch(() => null);
      this.sparks.set(zoneId, body ? body.readings.map(row) : []);
    }));
    if (this.siteId !== site.id) return;
    this.renderTiles();
    await this.pick(this.caves.includes(preferred) ? preferred : this.caves[0]);
  }

  window() {
    const to = Date.now() / 1000;
    return { from: to - DAY_S, to };
  }

  readingsOf(sensorId, from, to, limit) {
    const query = new URLSearchParams({ from: new Date(from * 1000).toISOString(),
      to: new Date(to * 1000).toISOString() });
    if (limit) query.set("limit", String(limit));
    return api("GET", `/sites/${this.siteId}/sensors/${encodeURIComponent(sensorId)}/readings?${query}`);
  }

  /** Whether the zone has sensors (a cave the chart can show). */
  has(zoneId) {
    return this.caves.includes(zoneId);
  }

  /** Show one cave's last 24 h: every reading of its sensors and its closures. */
  async pick(zoneId) {
    if (!this.has(zoneId)) return;
    this.picked = zoneId;
    this.renderTiles();
    const { from, to } = this.window();
    const sensors = this.sensors.filter((s) => s.zone_id === zoneId);
    const query = new URLSearchParams({ from: new Date(from * 1000).toISOString(),
      to: new Date(to * 1000).toISOString(), zone: zoneId });
    const [bodies, history] = await Promise.all([
      Promise.all(sensors.map((s) => this.readingsOf(s.id, from, to).catch(() => ({ readings: [] })))),
      api("GET", `/sites/${this.siteId}/zone-states/history?${query}`).catch(() => ({ changes: [] })),
    ]);
    if (this.picked !== zoneId) return;
    this.full = new Map(sensors.map((s, i) => [s.id, bodies[i].readings.map(row)]));
    this.sparks.set(zoneId, [...this.full.get(sensors[0].id)]); // the tile agrees with the chart
    this.renderTiles();
    this.changes = history.changes.filter((c) => c.zone_id === zoneId);
    this.before = (history.before || []).find((c) => c.zone_id === zoneId) || null;
    this.draw(true);
    if (this.onPick) this.onPick(zoneId);
  }

  view() {
    const zone = this.zones.get(this.picked);
    const { from, to } = this.window();
    const sensors = this.sensors.filter((s) => s.zone_id === this.picked);
    return { zone, timeZone: this.site.timezone, from, to, sensors: sensors.map((s) => s.id),
      readings: this.full, thresholds: sensors.find((s) => s.thresholds)?.thresholds,
      closures: closuresOf(this.changes, zone.state, from, this.before) };
  }

  draw(anew = false) {
    if (!this.picked) return;
    const zone = this.zones.get(this.picked);
    this.captionEl.textContent = `· ${named(zone)}`;
    if (anew) this.chart.draw(this.view());
    else this.chart.refresh(this.view());
  }

  /** Redraw at most once a second, however fast readings arrive. */
  later() {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = null;
      this.trim();
      this.renderTiles();
      this.draw();
    }, 1000);
  }

  /** Keep the last 24 h, in time order (readings of a gateway's backlog arrive late). */
  trim() {
    const { from } = this.window();
    for (const rows of [...this.full.values(), ...this.sparks.values()]) {
      rows.sort((a, b) => a.x - b.x);
      while (rows.length && rows[0].x < from) rows.shift();
    }
  }

  /** Read the picked cave again over REST, once things settle: after its closure (the
   * readings that caused it may still be on their way) or when the live event left some out. */
  reloadSoon() {
    clearTimeout(this.reloading);
    this.reloading = setTimeout(() => { if (this.picked) this.pick(this.picked).catch(() => {}); }, 1500);
  }

  /** The live ``readings`` event (``dropped`` says how many it left out). */
  readings(data) {
    if (data.site_id !== this.siteId) return;
    if (data.dropped) this.reloadSoon();
    let touched = false;
    for (const reading of data.readings || []) {
      const spark = this.sparks.get(reading.zone_id);
      const first = this.sensors.find((s) => s.zone_id === reading.zone_id);
      if (spark && first && first.id === reading.sensor_id) spark.push(row(reading));
      const rows = this.full.get(reading.sensor_id);
      if (rows && reading.zone_id === this.picked) rows.push(row(reading));
      touched = touched || Boolean(spark);
    }
    if (touched) this.later();
  }

  /** A zone opened or closed (its state is already in the zones map). */
  zoneState(data) {
    if (data.site_id !== this.siteId || !this.has(data.zone_id)) return;
    if (data.zone_id === this.picked) {
      this.changes.push({ zone_id: data.zone_id, state: data.state, at: new Date().toISOString() });
      this.reloadSoon();
    }
    this.later();
  }

  /** Redraw in the new language. */
  relabel() {
    this.renderTiles();
    this.draw(true);
  }

  renderTiles() {
    renderTiles(this.tilesEl, this.caves.map((id) => ({ zone: this.zones.get(id),
      points: this.sparks.get(id) || [], thresholds: this.sensors.find((s) => s.zone_id === id)?.thresholds })),
    this.picked, (zoneId) => this.pick(zoneId));
  }
}
