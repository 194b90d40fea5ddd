// The site map: zones as GeoJSON on a plain background (no tiles: venues are offline),
// coloured by capacity level, closed zones hatched and labelled, kiosks where they stand.

import { el } from "./dom.js";
import { named, otherName, t } from "./i18n.js";

const LEVEL_COLOURS = { normal: "#3f8f4f", divert: "#d88c10", stop: "#c0392b" };
// Outer zones are washed out so that the visitor areas and caves inside them stay readable.
const FILL = { construction_control: 0.04, protection_range: 0.08, visitor_area: 0.3 };
const DEPTH = { construction_control: 0, protection_range: 1, visitor_area: 2 };

export class ZoneMap {
  constructor(element, onZoneClick) {
    this.map = window.L.map(element, { zoomSnap: 0.25, attributionControl: false });
    window.L.control.scale({ imperial: false }).addTo(this.map);
    this.onZoneClick = onZoneClick;
    this.zoneLayer = null;
    this.kioskLayer = window.L.layerGroup().addTo(this.map);
    this.layers = new Map();
    this.dots = new Map();
    this.dotLayer = window.L.layerGroup().addTo(this.map);
    this.closedLayer = window.L.layerGroup().addTo(this.map);
    this.closedMarks = new Map();
  }

  /** Draw a site's zones; ``zones`` maps zone id -> live properties (state, count, level). */
  draw(collection, zones) {
    if (this.zoneLayer) this.zoneLayer.remove();
    this.zones = zones;
    this.layers.clear();
    this.dots.clear();
    this.dotLayer.clearLayers();
    this.closedLayer.clearLayers();
    this.closedMarks.clear();
    const features = [...collection.features].sort(
      (a, b) => (DEPTH[a.properties.kind] ?? 3) - (DEPTH[b.properties.kind] ?? 3));
    this.zoneLayer = window.L.geoJSON({ type: "FeatureCollection", features }, {
      style: (feature) => this.styleOf(zones.get(feature.properties.id)),
      onEachFeature: (feature, layer) => {
        const id = feature.properties.id;
        this.layers.set(id, layer);
        layer.bindTooltip(() => tooltipOf(zones.get(id)), { sticky: true, className: "zone-tip" });
        layer.on("click", () => this.onZoneClick(id));
        layer.on("add", () => {
          const path = layer.getElement();
          path.dataset.zone = id;
          path.classList.toggle("closed", zones.get(id).state === "closed");
        });
      },
    }).addTo(this.map);
    // Frame the visitor areas and what lies in them: that is where operators act.
    const inner = features.filter((f) => (DEPTH[f.properties.kind] ?? 3) >= 2);
    const bounds = window.L.geoJSON({ type: "FeatureCollection",
      features: inner.length ? inner : features }).getBounds();
    if (bounds.isValid()) this.map.fitBounds(bounds, { padding: [24, 24] });
    // Caves and halls are specks at site scale: a dot at each keeps its level readable.
    for (const [id, layer] of this.layers) {
      const zone = zones.get(id);
      if (DEPTH[zone.kind] !== undefined) continue;
      const dot = window.L.circleMarker(layer.getBounds().getCenter(), this.dotStyleOf(zone))
        .bindTooltip(() => tooltipOf(zones.get(id)), { className: "zone-tip" })
        .on("click", () => this.onZoneClick(id))
        .addTo(this.dotLayer);
      dot.getElement().dataset.zone = id;
      dot.getElement().classList.toggle("closed", zone.state === "closed");
      this.dots.set(id, dot);
    }
    for (const zone of zones.values()) this.markClosed(zone);
  }

  /** A closed visitor place gets a label on the map, not only a hatch: it must be seen. */
  markClosed(zone) {
    const old = this.closedMarks.get(zone.id);
    if (old) {
      old.remove();
      this.closedMarks.delete(zone.id);
    }
    const layer = this.layers.get(zone.id);
    if (zone.state !== "closed" || !layer || DEPTH[zone.kind] !== undefined && DEPTH[zone.kind] < 2) return;
    const mark = window.L.marker(layer.getBounds().getCenter(), { keyboard: false, interactive: false,
      icon: window.L.divIcon({ className: "closed-mark", html: "", iconSize: [72, 18], iconAnchor: [36, -9] }) }).addTo(this.closedLayer);
    const node = mark.getElement();
    node.dataset.zone = zone.id;
    node.textContent = `✕ ${t("state.closed")}`;
    this.closedMarks.set(zone.id, mark);
  }

  /** Words on the map in the panel's language (tooltips are built when shown). */
  relabel() {
    if (this.zones) for (const zone of this.zones.values()) this.markClosed(zone);
    if (this.kiosks) this.placeKiosks(this.kiosks);
  }

  styleOf(zone) {
    const colour = LEVEL_COLOURS[zone.level] || LEVEL_COLOURS.normal;
    const closed = zone.state === "closed";
    return {
      className: `zone zone-${zone.kind}`,
      color: closed ? "#5f5850" : zone.kind === "construction_control" ? "#8a7a66" : colour,
      weight: DEPTH[zone.kind] === undefined ? 1.5 : 1,
      dashArray: zone.kind === "construction_control" || closed ? "4 3" : null,
      fillColor: closed ? "#9e978d" : colour,
      fillOpacity: closed ? 0.9 : FILL[zone.kind] ?? 0.65,
    };
  }

  dotStyleOf(zone) {
    const closed = zone.state === "closed";
    return { className: "zone-dot", radius: 7, weight: 1.5, color: "#1d1a17",
      fillColor: closed ? "#9e978d" : LEVEL_COLOURS[zone.level] || LEVEL_COLOURS.normal,
      fillOpacity: 1 };
  }

  /** Recolour one zone after its count, level or state changed. */
  refresh(zone) {
    const layer = this.layers.get(zone.id);
    if (!layer) return;
    layer.setStyle(this.styleOf(zone));
    const path = layer.getElement();
    if (path) path.classList.toggle("closed", zone.state === "closed");
    if (layer.isTooltipOpen()) layer.setTooltipContent(tooltipOf(zone));
    const dot = this.dots.get(zone.id);
    if (dot) {
      dot.setStyle(this.dotStyleOf(zone));
      dot.getElement()?.classList.toggle("closed", zone.state === "closed");
    }
    if (zone.state === "closed" ? !this.closedMarks.has(zone.id) : this.closedMarks.has(zone.id)) {
      this.markClosed(zone);
    }
  }

  focus(zoneId) {
    const layer = this.layers.get(zoneId);
    if (layer) layer.openTooltip(layer.getBounds().getCenter());
  }

  /** Each kiosk at its own coordinates; one without them at its zone's centre, fanned out.
   * Markers are kept and updated in place, so that a tooltip an operator is reading stays open
   * while heartbeats arrive. */
  placeKiosks(kiosks) {
    this.kiosks = kiosks;
    this.kioskMarkers ||= new Map();
    const byZone = new Map();
    const wanted = new Map();
    for (const kiosk of kiosks) {
      if (typeof kiosk.lon === "number" && typeof kiosk.lat === "number") {
        wanted.set(kiosk.kiosk_id, [kiosk, [kiosk.lat, kiosk.lon]]);
        continue;
      }
      if (!kiosk.zone_id || !this.layers.has(kiosk.zone_id)) continue;
      if (!byZone.has(kiosk.zone_id)) byZone.set(kiosk.zone_id, []);
      byZone.get(kiosk.zone_id).push(kiosk);
    }
    for (const [zoneId, group] of byZone) {
      const bounds = this.layers.get(zoneId).getBounds();
      const centre = bounds.getCenter();
      const spread = Math.min(bounds.getNorth() - bounds.getSouth(),
        bounds.getEast() - bounds.getWest()) * 0.3;
      group.forEach((kiosk, i) => {
        const angle = (2 * Math.PI * i) / group.length;
        const at = group.length === 1 ? centre
          : [centre.lat + spread * Math.sin(angle), centre.lng + spread * Math.cos(angle)];
        wanted.set(kiosk.kiosk_id, [kiosk, at]);
      });
    }
    for (const [id, marker] of this.kioskMarkers) {
      if (!wanted.has(id)) {
        marker.remove();
        this.kioskMarkers.delete(id);
      }
    }
    for (const [id, [kiosk, at]] of wanted) {
      const marker = this.kioskMarkers.get(id);
      if (marker) this.updateKiosk(marker, kiosk, at);
      else this.kioskMarkers.set(id, this.addKiosk(kiosk, at));
    }
  }

  addKiosk(kiosk, at) {
    const marker = window.L.marker(at, { icon: window.L.divIcon({
      className: `kiosk-marker ${kiosk.online ? "online" : "offline"}`, iconSize: [12, 12] }),
    keyboard: false }).bindTooltip(kioskTipOf(kiosk), { className: "zone-tip" })
      .addTo(this.kioskLayer);
    marker.getElement().dataset.kiosk = kiosk.kiosk_id;
    return marker;
  }

  updateKiosk(marker, kiosk, at) {
    marker.setLatLng(at);
    const element = marker.getElement();
    element?.classList.toggle("online", Boolean(kiosk.online));
    element?.classList.toggle("offline", !kiosk.online);
    marker.setTooltipContent(kioskTipOf(kiosk));
  }
}

// Tooltips are DOM nodes with text, never HTML strings: names, scenes and reasons come from
// kiosks and operators, and Leaflet would parse a string as markup.
function tooltipOf(zone) {
  const load = zone.capacity === null || zone.capacity === undefined
    ? t("map.tip_count", { count: zone.count }) : t("map.tip_load", { count: zone.count, capacity: zone.capacity });
  return el("div", {},
    el("strong", {}, named(zone)), otherName(zone) ? el("span", { class: "muted" }, ` ${otherName(zone)}`) : null,
    el("div", {}, `${load} · ${t(`level.${zone.level}`)} · ${t(`state.${zone.state}`)}` +
      (zone.reason ? ` (${zone.reason})` : "")),
    el("div", { class: "muted" }, t(`kind.${zone.kind}`)));
}

function kioskTipOf(kiosk) {
  return el("div", { class: "kiosk-tip" },
    el("strong", {}, kiosk.name || kiosk.kiosk_id), ` — ${t(kiosk.online ? "map.online" : "map.offline")}`,
    kiosk.scene ? el("span", { class: "scene" }, ` · ${kiosk.scene}`) : null);
}
