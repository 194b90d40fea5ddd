// A row of small tiles, one per cave: its name, its latest CO2 against the limit, a sparkline
// of the last 24 h, and whether it is closed. A tile is a button that picks the cave.

import { limitsOf } from "./climate_chart.js";
import { el } from "./dom.js";
import { named, t } from "./i18n.js";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 100;
const HEIGHT = 28;

function svg(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  return node;
}

/** A CO2 sparkline with the limit as a dashed line; points are [{x, co2_ppm}]. */
export function sparkline(points, limit) {
  const values = points.filter((p) => typeof p.co2_ppm === "number");
  const box = svg("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: "spark", "aria-hidden": "true",
    preserveAspectRatio: "none" });
  if (values.length < 2) return box;
  const ys = values.map((p) => p.co2_ppm).concat(typeof limit === "number" ? [limit] : []);
  const low = Math.min(...ys);
  const high = Math.max(...ys);
  const x0 = values[0].x;
  const span = values[values.length - 1].x - x0 || 1;
  const y = (v) => (HEIGHT - 2 - ((v - low) / (high - low || 1)) * (HEIGHT - 4)).toFixed(1);
  if (typeof limit === "number") {
    box.append(svg("line", { x1: 0, x2: WIDTH, y1: y(limit), y2: y(limit), class: "limit" }));
  }
  box.append(svg("polyline", { class: "line", points: values.map((p) =>
    `${(((p.x - x0) / span) * WIDTH).toFixed(1)},${y(p.co2_ppm)}`).join(" ") }));
  return box;
}

/** "Cave 96" of "Cave 96, the Nine-storey building (Northern Giant Buddha)": a tile is small. */
export function shortName(name) {
  return String(name).split(/[(,（，]/)[0].trim() || String(name);
}

/** Fill ``root`` with a tile per cave ([{zone, points, thresholds}]); ``picked`` is pressed. */
export function renderTiles(root, caves, picked, onPick) {
  root.replaceChildren(...caves.filter((c) => c.zone).map(({ zone, points, thresholds }) => {
    const limit = limitsOf(thresholds, "co2_ppm").max;
    const last = [...points].reverse().find((p) => typeof p.co2_ppm === "number");
    const over = last && typeof limit === "number" && last.co2_ppm > limit;
    const value = last ? `${Math.round(last.co2_ppm)} ppm` : t("climate.no_value");
    return el("button", { type: "button", class: `tile${over ? " over" : ""}`,
      "aria-pressed": String(zone.id === picked), dataset: { zone: zone.id, state: zone.state },
      onclick: () => onPick(zone.id) },
    el("span", { class: "name", title: named(zone) }, shortName(named(zone))),
    zone.state === "closed" ? el("span", { class: "badge closed" }, t("state.closed")) : null,
    el("span", { class: "co2" }, `CO₂ ${value}`),
    sparkline(points, limit));
  }));
}
