"""Operators open, close and restrict zones; anyone who reads sees the history of zone states."""

from __future__ import annotations

from flask import request
from spectree import Response
from sqlalchemy import select

from server import errors
from server.api import api, lantern
from server.api.sites import get_site, time_window
from server.auth import current_principal, require
from server.extensions import api_spec
from server.schemas import ErrorEnvelope, ZoneStateIn, ZoneStateOut
from server.schemas.venue import ZoneStateHistory, ZoneStateHistoryQuery
from server.services.activity import zone_state_history
from server.services.zones import set_zone_state
from server.storage.models import Zone

ERRORS = {f"HTTP_{s}": ErrorEnvelope for s in (400, 401, 403, 404, 413, 422)}


@api.post("/sites/<site_id>/zones/<zone_id>/state")
@require("operate")
@api_spec.validate(json=ZoneStateIn, resp=Response(HTTP_200=ZoneStateOut, **ERRORS), tags=["sites"])
def post_zone_state(site_id: str, zone_id: str):  # type: ignore[no-untyped-def]
    """Set a zone's state; a closed zone has capacity 0 until it is opened again."""
    principal = current_principal()
    assert principal is not None
    json: ZoneStateIn = request.context.json  # type: ignore[attr-defined]
    state = lantern()
    with state.db.transaction() as session:
        get_site(session, site_id)
        exists = session.scalar(select(Zone.pk).where(Zone.site_id == site_id,
                                                      Zone.zone_id == zone_id,
                                                      Zone.current.is_(True)))
        if exists is None:
            raise errors.NotFound(f"no zone {zone_id!r} at site {site_id!r}")
        set_zone_state(session, site_id, zone_id, json.state, json.reason, principal.name)
    state.live.zone_changed(site_id, zone_id, json.state, json.reason, principal.name)
    return {"site_id": site_id, "zone_id": zone_id, "state": json.state, "reason": json.reason}


@api.get("/sites/<site_id>/zone-states/history")
@require("read")
@api_spec.validate(query=ZoneStateHistoryQuery, resp=Response(HTTP_200=ZoneStateHistory, **ERRORS),
                   tags=["sites"])
def get_zone_state_history(site_id: str):  # type: ignore[no-untyped-def]
    """The site's zone-state changes in a window (default the last 24 h; a backwards one holds
    nothing), newest first, with each zone's last change before it."""
    query: ZoneStateHistoryQuery = request.context.query  # type: ignore[attr-defined]
    start, end = time_window(query)
    with lantern().db.open_session() as session:
        return zone_state_history(session, site_id, start, end, query.zone, query.limit)
