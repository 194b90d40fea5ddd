"""A zone's live capacity: set it from a preservation report's recommendation or by hand, go
back to the venue data's figure, read it and its history (server/services/capacity.py)."""

from __future__ import annotations

from typing import Any

from flask import request
from spectree import Response

from server.api import actor, api, lantern
from server.api.sites import get_site
from server.auth import require
from server.extensions import api_spec
from server.schemas import ErrorEnvelope
from server.schemas.capacity import (
    CapacityClearQuery,
    CapacityHistory,
    CapacityHistoryQuery,
    CapacityIn,
    CapacityOut,
)
from server.services import capacity

PATH = "/sites/<site_id>/zones/<zone_id>/capacity"
ERRORS = {f"HTTP_{s}": ErrorEnvelope for s in (400, 401, 403, 404, 413, 422)}
READ_ERRORS = {f"HTTP_{s}": ErrorEnvelope for s in (401, 403, 404, 422)}


def _record(site_id: str, zone_id: str) -> dict[str, Any]:
    """The zone's capacity record as the zone index serves it now."""
    state = lantern()
    with state.db.open_session() as session:
        zones = state.zone_index.get(session, get_site(session, site_id))
        return capacity.capacity_record(zones, zone_id)


@api.post(PATH)
@require("operate")
@api_spec.validate(json=CapacityIn, resp=Response(HTTP_200=CapacityOut, **ERRORS),
                   tags=["sites"])
def set_zone_capacity(site_id: str, zone_id: str):  # type: ignore[no-untyped-def]
    """Set the zone's capacity over the venue data's, from a report run or by hand; occupancy
    levels and the map follow at once."""
    body: CapacityIn = request.context.json  # type: ignore[attr-defined]
    state = lantern()
    source = body.source.model_dump() if body.source is not None else None
    with state.db.transaction() as session:
        zones = state.zone_index.get(session, get_site(session, site_id))
        capacity.set_capacity(session, zones, zone_id, body.capacity, source, body.reason,
                              actor())
    state.live.emit_occupancy(site_id)
    return _record(site_id, zone_id)


@api.delete(PATH)
@require("operate")
@api_spec.validate(query=CapacityClearQuery, resp=Response(HTTP_200=CapacityOut, **ERRORS),
                   tags=["sites"])
def clear_zone_capacity(site_id: str, zone_id: str):  # type: ignore[no-untyped-def]
    """Go back to the venue data's capacity (?reason=); 404 when none is set over it."""
    query: CapacityClearQuery = request.context.query  # type: ignore[attr-defined]
    state = lantern()
    with state.db.transaction() as session:
        zones = state.zone_index.get(session, get_site(session, site_id))
        capacity.clear_capacity(session, zones, zone_id, query.reason, actor())
    state.live.emit_occupancy(site_id)
    return _record(site_id, zone_id)


@api.get(PATH)
@require("read")
@api_spec.validate(resp=Response(HTTP_200=CapacityOut, **READ_ERRORS), tags=["sites"])
def get_zone_capacity(site_id: str, zone_id: str):  # type: ignore[no-untyped-def]
    """The zone's capacity in force, the venue data's, and the override's source and author."""
    return _record(site_id, zone_id)


@api.get(f"{PATH}/history")
@require("read")
@api_spec.validate(query=CapacityHistoryQuery, resp=Response(HTTP_200=CapacityHistory,
                                                             **READ_ERRORS), tags=["sites"])
def get_zone_capacity_history(site_id: str, zone_id: str):  # type: ignore[no-untyped-def]
    """Every change of the zone's capacity, newest first (?limit=)."""
    query: CapacityHistoryQuery = request.context.query  # type: ignore[attr-defined]
    state = lantern()
    with state.db.open_session() as session:
        zones = state.zone_index.get(session, get_site(session, site_id))
        zone = capacity.zone_record(zones, zone_id)
        return {"site_id": site_id, "zone_id": zone_id, "venue_capacity": zone["venue_capacity"],
                "changes": capacity.history(session, site_id, zone_id, query.limit)}
