// The impact page's map: the site's zones drawn as the operators' map draws them (zonemap.js),
// with Leaflet-Geoman's drawing tools for the proposed work (an area, a line or a point). One
// work at a time; what is drawn or edited is handed on as a GeoJSON geometry.

import { lang, t } from "./i18n.js";
import { ZoneMap } from "./zonemap.js";

const WORK_STYLE = { color: "#2f6fb0", weight: 3, fillColor: "#2f6fb0", fillOpacity: 0.25, className: "work-layer" };

export class ImpactMap {
  /** ``onWork(geometry | null)`` after the work is drawn, edited or cleared. */
  constructor(element, { onWork, onDrawing }) {
    this.zoneMap = new ZoneMap(element, () => {});
    this.map = this.zoneMap.map;
    this.onWork = onWork;
    this.onDrawing = onDrawing;
    this.work = null;
    this.footprint = null;
    this.map.pm.setGlobalOptions({ pathOptions: WORK_STYLE, templineStyle: WORK_STYLE, hintlineStyle: { color: "#2f6fb0", dashArray: "5 5" } });
    this.language();
    this.map.on("pm:create", ({ layer }) => this.drawn(layer));
    this.map.on("pm:drawend", () => this.onDrawing(null));
    // Geoman's vertex handles are focusable buttons without a name: give each one as it appears
    new MutationObserver(() => this.nameHandles()).observe(this.map.getPane("markerPane"), { childList: true });
  }

  nameHandles() {
    for (const handle of this.map.getPane("markerPane").querySelectorAll(".marker-icon:not([aria-label])")) {
      handle.setAttribute("aria-label", t("impact.vertex"));
    }
  }

  /** Geoman's own hints ("Click to place the first vertex") in the page's language. */
  language() {
    this.map.pm.setLang(lang() === "zh" ? "zh" : "en");
    for (const handle of this.map.getPane("markerPane").querySelectorAll(".marker-icon")) {
      handle.setAttribute("aria-label", t("impact.vertex"));
    }
  }

  /** The site's zones, washed by kind as on the operators' map (no live counts here). */
  showZones(collection) {
    const zones = new Map(collection.features.map((f) => [f.properties.id,
      { ...f.properties, count: f.properties.occupancy ?? 0, level: "normal" }]));
    this.zoneMap.draw(collection, zones);
    // the zones are the ground the work is drawn on: clicks go to the drawing, not to them
    for (const layer of this.zoneMap.layers.values()) layer.options.pmIgnore = true;
  }

  /** Start drawing a ``Polygon``, ``Line`` or ``Marker``; the previous work is replaced. */
  draw(shape) {
    this.map.pm.disableDraw();
    this.map.pm.enableDraw(shape, { snappable: false, finishOn: shape === "Marker" ? null : "dblclick" });
    this.onDrawing(shape);
  }

  stopDrawing() {
    this.map.pm.disableDraw();
    this.onDrawing(null);
  }

  drawn(layer) {
    this.setWorkLayer(layer);
    this.onWork(this.geometry());
  }

  setWorkLayer(layer) {
    if (this.work && this.work !== layer) this.work.remove();
    this.work = layer;
    layer.pm.enable({ allowSelfIntersection: false });
    layer.on("pm:edit", () => this.onWork(this.geometry()));
  }

  geometry() {
    return this.work ? this.work.toGeoJSON().geometry : null;
  }

  /** Draw a geometry typed or reopened (GeoJSON) as the work; the map frames it. */
  showWork(geometry) {
    const group = window.L.geoJSON(geometry, { style: WORK_STYLE,
      pointToLayer: (_, at) => window.L.marker(at) });
    const layer = group.getLayers()[0];
    if (!layer) return;
    layer.addTo(this.map);
    this.setWorkLayer(layer);
    const bounds = group.getBounds();
    if (bounds.isValid()) this.map.fitBounds(bounds.pad(1.5), { maxZoom: 18 });
  }

  /** The checked footprint (the work grown by its strip), drawn dashed under the work. */
  showFootprint(geometry) {
    if (this.footprint) this.footprint.remove();
    this.footprint = geometry ? window.L.geoJSON(geometry, { pmIgnore: true, interactive: false,
      style: { color: "#2f6fb0", weight: 1.5, dashArray: "4 3", fillOpacity: 0.08, className: "footprint-layer" } }).addTo(this.map) : null;
  }

  clear() {
    this.stopDrawing();
    if (this.work) this.work.remove();
    this.work = null;
    this.showFootprint(null);
    this.onWork(null);
  }
}
