"""The geo/ zone index of each site, built from the stored zones and cached per zones version,
with each zone's live capacity: the venue data's figure, or an override set over it."""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from geo import ZoneIndex, Zones, load_zones, to_display_geojson, with_capacity
from server.services.zones import capacity_overrides, current_zones, zone_states
from server.storage.models import Site, ZoneCapacityOverride

# an area-derived capacity means something for places people stand in, not for the kilometres
# of a construction-control belt
DERIVABLE = {"visitor_area", "cave", "niche", "hall", "pit", "plaza"}


@dataclass
class SiteZones:
    site_id: str
    version: int
    index: ZoneIndex
    # id -> kind, parent_id, name_en, name_zh, capacity (live), venue_capacity,
    # capacity_source (given, derived, none or override), capacity_override, ...
    zones: dict[str, dict[str, Any]]
    tiers: list[dict[str, Any]]
    config: dict[str, Any]
    geo_zones: Zones
    # shared by every copy of one version (the live capacities differ, the shapes do not)
    _display: dict[str, Any] = field(default_factory=dict)

    def display_geojson(self) -> dict[str, Any]:
        """The zones simplified for the map (lon/lat), built once per version."""
        if "geojson" not in self._display:
            self._display["geojson"] = to_display_geojson(self.geo_zones, tolerance_m=0.5)
        return self._display["geojson"]  # type: ignore[no-any-return]


class ZoneIndexCache:
    """One ZoneIndex per (site, zones version); thread-safe, rebuilt only when zones change.

    Capacity overrides are read from the database on every ``get`` (a few rows a site), so
    that every server process serves a change at once; only the zone records are copied when
    they differ, never the index."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: dict[str, SiteZones] = {}
        self._live: dict[str, tuple[tuple[Any, ...], SiteZones]] = {}

    def get(self, session: Session, site: Site) -> SiteZones:
        base = self._base(session, site)
        overrides = capacity_overrides(session, site.id)
        if not overrides:
            return base
        key = (base.version, *sorted(_key(o) for o in overrides.values()))
        live = self._live.get(site.id)
        if live is not None and live[0] == key:
            return live[1]
        built = dataclasses.replace(base, zones=with_overrides(base.zones, overrides))
        self._live[site.id] = (key, built)
        return built

    def _base(self, session: Session, site: Site) -> SiteZones:
        """The site's zones as the venue data gives them, built once per zones version."""
        cached = self._cache.get(site.id)
        if cached is not None and cached.version == site.zones_version:
            return cached
        with self._lock:
            cached = self._cache.get(site.id)
            if cached is not None and cached.version == site.zones_version:
                return cached
            rows = current_zones(session, site.id)
            collection = {"type": "FeatureCollection", "features": [
                {"type": "Feature", "id": z.zone_id, "geometry": z.geometry,
                 "properties": {**z.properties, "id": z.zone_id}} for z in rows]}
            zones = load_zones(collection, site_center=(site.center_lon, site.center_lat))
            zones = with_capacity(zones, float(site.config.get("density_per_m2", 0.5)))
            frame = zones.frame.set_index("id")
            capacity, source = frame["capacity"].to_dict(), frame["capacity_source"].to_dict()
            info = {}
            for z in rows:
                counted = z.capacity is not None or z.kind in DERIVABLE
                figure = _int_or_none(capacity.get(z.zone_id)) if counted else None
                info[z.zone_id] = {
                    "kind": z.kind, "parent_id": z.parent_id, "name_en": z.name_en,
                    "name_zh": z.name_zh, "capacity": figure, "venue_capacity": figure,
                    "capacity_source": source.get(z.zone_id, "given") if counted else "none",
                    "capacity_override": None, "initial_state": z.initial_state,
                    "properties": z.properties}
            built = SiteZones(site.id, site.zones_version, ZoneIndex.build(zones), info,
                              list(site.config.get("capacity_tiers", [])), dict(site.config),
                              zones)
            self._cache[site.id] = built
            return built


def with_overrides(zones: dict[str, dict[str, Any]],
                   overrides: dict[str, ZoneCapacityOverride]) -> dict[str, dict[str, Any]]:
    """The zone records with each override's capacity in force (zones no longer current keep
    their override stored, unused, until they come back)."""
    out = dict(zones)
    for zone_id, row in overrides.items():
        if zone_id in zones:
            out[zone_id] = {**zones[zone_id], "capacity": row.capacity,
                            "capacity_source": "override",
                            "capacity_override": override_facts(row)}
    return out


def override_facts(row: ZoneCapacityOverride) -> dict[str, Any]:
    """What the zones GeoJSON and the capacity record say of an override."""
    return {"source": row.source, "reason": row.reason, "set_by": row.set_by,
            "set_at": row.set_at.isoformat()}


def _key(row: ZoneCapacityOverride) -> tuple[Any, ...]:
    return (row.zone_id, row.capacity, row.set_by, row.set_at.isoformat(), row.reason,
            repr(sorted(row.source.items())))


def _int_or_none(value: Any) -> int | None:
    try:
        return None if value is None or value != value else int(value)
    except (TypeError, ValueError):
        return None


def live_states(session: Session, site_zones: SiteZones) -> dict[str, str]:
    """Each zone's state now: the operator's or the alert's, else the imported one."""
    states = zone_states(session, site_zones.site_id)
    return {zid: states.get(zid, z["initial_state"]) for zid, z in site_zones.zones.items()}
