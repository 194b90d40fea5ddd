"""The current zones of a site, as stored, with their live state and capacity overrides, and
the one write of a zone's state (an operator's or the preservation rules'), audited."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.services import audit
from server.storage.models import (
    Site,
    Zone,
    ZoneCapacityOverride,
    ZoneState,
    ZoneStateChange,
    utcnow,
)


def current_zones(session: Session, site_id: str) -> list[Zone]:
    return list(session.scalars(select(Zone).where(Zone.site_id == site_id,
                                                   Zone.current.is_(True)).order_by(Zone.zone_id)))


def zone_states(session: Session, site_id: str) -> dict[str, str]:
    return {s.zone_id: s.state for s in session.scalars(
        select(ZoneState).where(ZoneState.site_id == site_id))}


def capacity_overrides(session: Session, site_id: str) -> dict[str, ZoneCapacityOverride]:
    """The capacities set over the venue data's figures at a site, by zone id."""
    return {o.zone_id: o for o in session.scalars(
        select(ZoneCapacityOverride).where(ZoneCapacityOverride.site_id == site_id))}


def set_zone_state(session: Session, site_id: str, zone_id: str, state: str,
                   reason: str | None, actor: str, *, now: datetime | None = None,
                   **audit_details: Any) -> ZoneState:
    """Open, close or restrict a zone, and record who did it and why in the audit log;
    ``now`` is the clock it happens on (the server's, or a history's)."""
    now = now or utcnow()
    row = session.get(ZoneState, (site_id, zone_id))
    if row is None:
        row = ZoneState(site_id=site_id, zone_id=zone_id, state=state)
        session.add(row)
    row.state, row.reason, row.changed_at, row.changed_by = state, reason, now, actor
    session.add(ZoneStateChange(site_id=site_id, zone_id=zone_id, state=state, reason=reason,
                                changed_by=actor, at=now))
    audit.record(session, actor, "set_zone_state", f"{site_id}/{zone_id}", at=now, state=state,
                 reason=reason, **audit_details)
    return row


def live_feature_collection(session: Session, site: Site, site_zones: Any,
                            counts: dict[str, int]) -> dict[str, Any]:
    """The geo engine's display GeoJSON of the zones, with live state, capacity and occupancy.

    ``capacity`` is the one in force (0 while closed), ``venue_capacity`` the venue data's,
    ``capacity_source`` says where the figure comes from (``given``, ``derived``, ``none`` or
    ``override``) and ``capacity_override`` who set it, when, why and from what (or null)."""
    states = zone_states(session, site.id)
    features = []
    for feature in site_zones.display_geojson()["features"]:
        zid = feature["id"]
        zone = site_zones.zones[zid]
        state = states.get(zid, zone["initial_state"])
        props = {**feature["properties"], "name": zone["name_en"], "state": state,
                 "capacity": 0 if state == "closed" else zone["capacity"],
                 "venue_capacity": zone["venue_capacity"],
                 "capacity_source": zone["capacity_source"],
                 "capacity_override": zone["capacity_override"],
                 "occupancy": counts.get(zid, 0)}
        features.append({**feature, "properties": props})
    return {"type": "FeatureCollection", "features": features, "zones_version": site.zones_version}
