"""The geo/ zone index of each site, built from the stored zones and cached per zones version."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from geo import ZoneIndex, Zones, load_zones, to_display_geojson, with_capacity
from server.services.zones import current_zones, zone_states
from server.storage.models import Site


@dataclass
class SiteZones:
    site_id: str
    version: int
    index: ZoneIndex
    zones: dict[str, dict[str, Any]]  # id -> kind, parent_id, capacity, name_en, ...
    tiers: list[dict[str, Any]]
    config: dict[str, Any]
    geo_zones: Zones

    def display_geojson(self) -> dict[str, Any]:
        """The zones simplified for the map (lon/lat), built once per version."""
        if self._display is None:
            self._display = to_display_geojson(self.geo_zones, tolerance_m=0.5)
        return self._display

    _display: dict[str, Any] | None = None


class ZoneIndexCache:
    """One ZoneIndex per (site, zones version); thread-safe, rebuilt only when zones change."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: dict[str, SiteZones] = {}

    def get(self, session: Session, site: Site) -> SiteZones:
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
            # an area-derived capacity means something for places people stand in, not for the
            # kilometres of a construction-control belt
            derivable = {"visitor_area", "cave", "niche", "hall", "pit", "plaza"}
            info = {z.zone_id: {"kind": z.kind, "parent_id": z.parent_id, "name_en": z.name_en,
                                "name_zh": z.name_zh,
                                "capacity": _int_or_none(capacity.get(z.zone_id))
                                if z.capacity is not None or z.kind in derivable else None,
                                "capacity_source": source.get(z.zone_id, "given")
                                if z.capacity is not None or z.kind in derivable else "none",
                                "initial_state": z.initial_state, "properties": z.properties}
                    for z in rows}
            built = SiteZones(site.id, site.zones_version, ZoneIndex.build(zones), info,
                              list(site.config.get("capacity_tiers", [])), dict(site.config),
                              zones)
            self._cache[site.id] = built
            return built


def _int_or_none(value: Any) -> int | None:
    try:
        return None if value is None or value != value else int(value)
    except (TypeError, ValueError):
        return None


def live_states(session: Session, site_zones: SiteZones) -> dict[str, str]:
    """Each zone's state now: the operator's or the alert's, else the imported one."""
    states = zone_states(session, site_zones.site_id)
    return {zid: states.get(zid, z["initial_state"]) for zid, z in site_zones.zones.items()}
