// One cave's microclimate over a time window, drawn with uPlot: CO2, relative humidity and
// temperature in three stacked panels sharing the time axis, each with its threshold lines,
// and the cave's closures shaded across all three.

import uPlot from "/vendor/uplot/dist/uPlot.esm.js";

import { el } from "./dom.js";
import { t } from "./i18n.js";
import { siteTime } from "./time.js";

export const METRICS = [
  { key: "co2_ppm", unit: "ppm", digits: 0 },
  { key: "relative_humidity", unit: "%", digits: 1 },
  { key: "temperature_c", unit: "°C", digits: 1 },
];
const SENSOR_COLOURS = ["#2f6fb0", "#8a4fb0", "#1f8a80", "#b0602f"];
const LIMIT_COLOUR = "#b3261e";
const CLOSED_FILL = "rgba(95, 88, 80, 0.22)";

/** The limits of one metric ({min, max}, either may be missing) from a cave's thresholds,
 * as the venue writes them ({"co2_ppm": {"max": 1500}, ...}) or as a list of rules
 * ([{"metric": "co2_ppm", "max": 1500}, ...]). */
export function limitsOf(thresholds, metric) {
  if (!thresholds) return {};
  if (Array.isArray(thresholds)) {
    const found = thresholds.filter((r) => r && r.metric === metric);
    return Object.assign({}, ...found.map((r) => ({ min: r.min, max: r.max ?? r.limit })));
  }
  const own = thresholds[metric];
  return own && typeof own === "object" ? { min: own.min, max: own.max } : {};
}

/** The y range: the data, widened to show the limits, and never a flat line. */
function rangeWith(limits) {
  return (u, low, high) => {
    const values = [low, high, limits.min, limits.max].filter((v) => typeof v === "number");
    if (!values.length) return [0, 1];
    let lo = Math.min(...values);
    let hi = Math.max(...values);
    const pad = (hi - lo) * 0.08 || Math.abs(hi) * 0.05 || 1;
    lo -= pad;
    hi += pad;
    return [lo, hi];
  };
}

function drawClosures(u, closures, from, to) {
  const { ctx, bbox } = u;
  ctx.save();
  ctx.fillStyle = CLOSED_FILL;
  for (const { start, end } of closures) {
    const x0 = u.valToPos(Math.max(start, from), "x", true);
    const x1 = u.valToPos(Math.min(end ?? to, to), "x", true);
    // minutes in a day's window are a pixel or two: a closure stays visible however short
    const width = Math.max(x1 - x0, 4 * devicePixelRatio);
    if (x1 >= x0) ctx.fillRect(Math.min(x0, bbox.left + bbox.width - width), bbox.top, width, bbox.height);
  }
  ctx.restore();
}

function drawLimits(u, limits) {
  const { ctx, bbox } = u;
  ctx.save();
  ctx.strokeStyle = LIMIT_COLOUR;
  ctx.lineWidth = 1.5 * devicePixelRatio;
  ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
  for (const value of [limits.min, limits.max]) {
    if (typeof value !== "number") continue;
    const y = u.valToPos(value, "y", true);
    ctx.beginPath();
    ctx.moveTo(bbox.left, y);
    ctx.lineTo(bbox.left + bbox.width, y);
    ctx.stroke();
  }
  ctx.restore();
}

/** The series of several sensors on one time axis: [[x...], [sensor 1...], ...]. */
export function joined(sensorIds, readings, metric) {
  const tables = sensorIds.map((id) => {
    const rows = readings.get(id) || [];
    return [rows.map((r) => r.x), rows.map((r) => (typeof r[metric] === "number" ? r[metric] : null))];
  });
  if (!tables.length) return [[]];
  return tables.length === 1 ? tables[0] : uPlot.join(tables);
}

export class ClimateChart {
  constructor(root) {
    this.root = root;
    this.plots = [];
    this.view = null;
    new ResizeObserver(() => this.resize()).observe(root);
  }

  /** Draw ``view``: {zone, timeZone, from, to (epoch s), sensors: [id], readings: Map id ->
   * [{x, co2_ppm, ...}], thresholds, closures: [{start, end|null}]}. */
  draw(view) {
    this.view = view;
    for (const plot of this.plots) plot.destroy();
    this.plots = [];
    const panels = METRICS.map((metric, i) => {
      const box = el("div", { class: "plot" });
      const limits = limitsOf(view.thresholds, metric.key);
      const last = i === METRICS.length - 1;
      const plot = new uPlot({
        width: this.width(), height: last ? 120 : 96,
        padding: [8, 20, last ? 0 : 4, 0], // the same right edge in every panel, time labels or not
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), view.timeZone || "UTC"),
        legend: { show: false },
        cursor: { sync: { key: "climate" }, drag: { x: false, y: false } },
        scales: { x: { time: true, range: () => [view.from, view.to] }, y: { range: rangeWith(limits) } },
        axes: [
          { show: last, stroke: "#6b5f52", grid: { stroke: "#efe8dc" },
            values: (u, splits) => splits.map((v) => siteTime(v * 1000, view.timeZone, "minutes")) },
          { size: 48, stroke: "#6b5f52", grid: { stroke: "#efe8dc" } },
        ],
        series: [{}, ...view.sensors.map((id, k) => ({ label: id, width: 1.5,
          stroke: SENSOR_COLOURS[k % SENSOR_COLOURS.length] }))],
        hooks: {
          drawClear: [(u) => drawClosures(u, view.closures, view.from, view.to)],
          draw: [(u) => drawLimits(u, limits)],
        },
      }, joined(view.sensors, view.readings, metric.key), box);
      this.plots.push(plot);
      return el("div", { class: "panel", dataset: { metric: metric.key } },
        el("div", { class: "panel-title small muted" }, `${t(`climate.${metric.key}`)} (${metric.unit})`), box);
    });
    const summary = this.summary(view);
    this.root.replaceChildren(
      el("div", { class: "plots", role: "img", "aria-label": summary }, panels),
      el("p", { class: "chart-summary" }, summary),
      el("p", { class: "chart-key muted small" },
        el("i", { class: "key-limit" }), ` ${t("climate.key_limit")} `,
        el("i", { class: "key-closed" }), ` ${t("climate.key_closed")}`));
    this.describe(view);
  }

  /** Redraw with new data in the same window shape (live readings, a closure). */
  refresh(view) {
    if (!this.view || this.plots.length !== METRICS.length || view.sensors.join() !== this.view.sensors.join()) {
      this.draw(view);
      return;
    }
    this.view = view;
    METRICS.forEach((metric, i) => this.plots[i].setData(joined(view.sensors, view.readings, metric.key)));
    const summary = this.summary(view);
    this.root.querySelector(".plots")?.setAttribute("aria-label", summary);
    const text = this.root.querySelector(".chart-summary");
    if (text) text.textContent = summary;
    this.describe(view);
  }

  /** What the chart shows, as attributes a test or a script can read. */
  describe(view) {
    const all = view.sensors.flatMap((id) => view.readings.get(id) || []);
    const co2 = all.map((r) => r.co2_ppm).filter((v) => typeof v === "number");
    Object.assign(this.root.dataset, { zone: view.zone.id, points: String(all.length),
      co2Max: co2.length ? String(Math.max(...co2)) : "", closures: String(view.closures.length) });
  }

  /** The latest values against their limits, and the closures, in words. */
  summary(view) {
    const latest = {};
    for (const id of view.sensors) {
      for (const row of view.readings.get(id) || []) {
        for (const { key } of METRICS) {
          if (typeof row[key] === "number" && (!latest[key] || row.x >= latest[key].x)) latest[key] = row;
        }
      }
    }
    const parts = METRICS.filter(({ key }) => latest[key]).map(({ key, unit, digits }) => {
      const limits = limitsOf(view.thresholds, key);
      const value = latest[key][key].toFixed(digits);
      const limit = typeof limits.max === "number" ? ` (${t("climate.limit")} ${limits.max})` : "";
      return `${t(`climate.${key}`)} ${value} ${unit}${limit}`;
    });
    if (!parts.length) parts.push(t("climate.no_readings"));
    for (const { start, end } of view.closures) {
      parts.push(end === null
        ? t("climate.closed_since", { time: siteTime(start * 1000, view.timeZone, "minutes") })
        : t("climate.closed_between", { from: siteTime(start * 1000, view.timeZone, "minutes"),
          to: siteTime(end * 1000, view.timeZone, "minutes") }));
    }
    return parts.join(" · ");
  }

  width() {
    return Math.max(240, this.root.clientWidth || 480);
  }

  resize() {
    const width = this.width();
    for (const plot of this.plots) if (Math.abs(plot.width - width) > 2) plot.setSize({ width, height: plot.height });
  }
}
