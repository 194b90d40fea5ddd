"""A site's recent activity: what the panel's feed shows again after a reload."""

from __future__ import annotations

from flask import request
from spectree import Response

from server.api import api, lantern
from server.auth import require
from server.extensions import api_spec
from server.schemas import ErrorEnvelope
from server.schemas.venue import ActivityList, ActivityQuery
from server.services.activity import recent_activity

ERRORS = {f"HTTP_{s}": ErrorEnvelope for s in (401, 403, 404, 422)}


@api.get("/sites/<site_id>/activity")
@require("read")
@api_spec.validate(query=ActivityQuery, resp=Response(HTTP_200=ActivityList, **ERRORS),
                   tags=["sites"])
def site_activity(site_id: str):  # type: ignore[no-untyped-def]
    """The site's latest commands, zone changes, alerts, kiosk changes and sessions, newest first."""
    query: ActivityQuery = request.context.query  # type: ignore[attr-defined]
    with lantern().db.open_session() as session:
        return {"activity": recent_activity(session, site_id, query.limit)}
