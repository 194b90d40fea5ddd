"""Saved heritage-impact checks: run a check as ``POST /sites/<site>/impact`` does and keep it
by name with its result; list, read and map the saved ones (server/services/impact_checks.py)."""

from __future__ import annotations

from typing import Any

from flask import Response as FlaskResponse
from flask import request
from spectree import Response

from server.api import actor, api, lantern
from server.api.impact import check_report, run_check
from server.api.sites import get_site
from server.auth import require
from server.extensions import api_spec
from server.schemas import ErrorEnvelope
from server.schemas.impact_checks import (
    ImpactCheckIn,
    ImpactCheckList,
    ImpactCheckOut,
    ImpactCheckQuery,
)
from server.services import impact_checks
from server.storage.models import ImpactCheck

PATH = "/sites/<site_id>/impact-checks"
ERRORS = {f"HTTP_{s}": ErrorEnvelope for s in (400, 401, 403, 404, 413, 422, 503)}
READ_ERRORS = {f"HTTP_{s}": ErrorEnvelope for s in (401, 403, 404, 422)}


def check_out(check: ImpactCheck) -> dict[str, Any]:
    """A saved check as the API shows it."""
    return {"id": check.id, "name": check.name, "site_id": check.site_id,
            "geometry": check.geometry, "height_m": check.height_m, "buffer_m": check.buffer_m,
            "result": check.result, "created_by": check.created_by,
            "created_at": check.created_at.isoformat(),
            "map_url": f"/api/v1/sites/{check.site_id}/impact-checks/{check.id}/map.png"}


@api.get(PATH)
@require("read")
@api_spec.validate(query=ImpactCheckQuery, resp=Response(HTTP_200=ImpactCheckList, **READ_ERRORS),
                   tags=["planning"])
def list_impact_checks(site_id: str):  # type: ignore[no-untyped-def]
    """The site's saved checks, newest first (?limit=, ?before=)."""
    query: ImpactCheckQuery = request.context.query  # type: ignore[attr-defined]
    with lantern().db.open_session() as session:
        get_site(session, site_id)
        checks, next_before = impact_checks.listing(session, site_id, query.limit, query.before)
        return {"checks": [check_out(c) for c in checks], "next_before": next_before}


@api.post(PATH)
@require("plan")
@api_spec.validate(json=ImpactCheckIn, resp=Response(HTTP_201=ImpactCheckOut, **ERRORS),
                   tags=["planning"])
def save_impact_check(site_id: str):  # type: ignore[no-untyped-def]
    """Check a proposed work and keep it, by name, with its result."""
    body: ImpactCheckIn = request.context.json  # type: ignore[attr-defined]
    # the check runs before the transaction: no write waits on its child process
    result = check_report(site_id, body.geometry, body.height_m, body.buffer_m)
    with lantern().db.transaction() as session:
        check = impact_checks.save(session, site_id, body.name, body.geometry, body.height_m,
                                   body.buffer_m, result, actor())
        out = check_out(check)
    return out, 201, {"Location": f"/api/v1/sites/{site_id}/impact-checks/{out['id']}"}


@api.get(f"{PATH}/<check_id>")
@require("read")
@api_spec.validate(resp=Response(HTTP_200=ImpactCheckOut, **READ_ERRORS), tags=["planning"])
def get_impact_check(site_id: str, check_id: str):  # type: ignore[no-untyped-def]
    """One saved check with its result."""
    with lantern().db.open_session() as session:
        return check_out(impact_checks.get(session, site_id, check_id))


@api.get(f"{PATH}/<check_id>/map.png")
@require("read")
@api_spec.validate(resp=Response("HTTP_200", HTTP_503=ErrorEnvelope, **READ_ERRORS),
                   tags=["planning"])
def impact_check_map(site_id: str, check_id: str):  # type: ignore[no-untyped-def]
    """The saved work drawn over the site's current zones, as POST .../impact/map.png draws."""
    with lantern().db.open_session() as session:
        check = impact_checks.get(session, site_id, check_id)
        geometry, height_m, buffer_m = check.geometry, check.height_m, check.buffer_m
    png = run_check(site_id, geometry, height_m, buffer_m, "png")
    response = FlaskResponse(png, mimetype="image/png")
    response.headers["Cache-Control"] = "private, max-age=60"
    return response
