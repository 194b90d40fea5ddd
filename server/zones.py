"""The current zones of a site, as stored, with their live state."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.models import Site, Zone, ZoneState


def current_zones(session: Session, site_id: str) -> list[Zone]:
    return list(session.scalars(select(Zone).where(Zone.site_id == site_id,
                                                   Zone.current.is_(True)).order_by(Zone.zone_id)))


def zone_states(session: Session, site_id: str) -> dict[str, str]:
    return {s.zone_id: s.state for s in session.scalars(
        select(ZoneState).where(ZoneState.site_id == site_id))}


def zones_feature_collection(session: Session, site: Site,
                             occupancy: dict[str, int] | None = None) -> dict[str, Any]:
    """GeoJSON of the site's zones with properties per the wire contract."""
    states = zone_states(session, site.id)
    occupancy = occupancy or {}
    features = []
    for z in current_zones(session, site.id):
        features.append({
            "type": "Feature",
            "id": z.zone_id,
            "geometry": z.geometry,
            "properties": {
                "id": z.zone_id, "parent_id": z.parent_id, "name": z.name_en,
                "name_en": z.name_en, "name_zh": z.name_zh, "kind": z.kind,
                "capacity": 0 if states.get(z.zone_id) == "closed" else z.capacity,
                "state": states.get(z.zone_id, z.initial_state),
                "occupancy": occupancy.get(z.zone_id, 0), "version": z.version,
            },
        })
    return {"type": "FeatureCollection", "features": features, "zones_version": site.zones_version}
