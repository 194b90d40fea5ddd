"""Visitor positions in, live occupancy out."""

from __future__ import annotations

import orjson
from flask import current_app, request
from spectree import Response

from server import errors
from server.api import api, lantern
from server.api.sites import get_site
from server.auth import require
from server.extensions import api_spec
from server.schemas import ErrorEnvelope, OccupancyOut, PositionsIn, PositionsOut
from server.services.intake import record_positions
from server.services.presence import occupancy_report
from server.storage.models import utcnow

ERRORS = {f"HTTP_{s}": ErrorEnvelope for s in (400, 401, 403, 404, 413, 422)}

@api.post("/sites/<site_id>/positions")
@require("ingest")
@api_spec.validate(json=PositionsIn, resp=Response(HTTP_200=PositionsOut, **ERRORS),
                   tags=["presence"], skip_validation=True)  # validated below, at batch speed
def post_positions(site_id: str):  # type: ignore[no-untyped-def]
    """Classify and store positions; each event_id is stored once; answers per event its zone."""
    if not request.is_json:
        raise errors.BadRequest("send a JSON body: {\"positions\": [...]}")
    answer = record_positions(lantern(), site_id, request.get_data())
    # orjson: a thousand results serialise in a tenth of the time the json module takes
    return current_app.response_class(orjson.dumps(answer), mimetype="application/json")


@api.get("/sites/<site_id>/occupancy")
@require("read")
@api_spec.validate(resp=Response(HTTP_200=OccupancyOut, **ERRORS), tags=["presence"])
def get_occupancy(site_id: str):  # type: ignore[no-untyped-def]
    """Per zone: visitors (descendants included), effective capacity and level; and the site at
    a glance: visitors now and today against its capacities, its level, its local day."""
    state = lantern()
    state.presence.flush()
    with state.db.open_session() as session:
        site = get_site(session, site_id)
        zones = state.zone_index.get(session, site)
        return occupancy_report(session, site, zones, state.live.today, utcnow())
