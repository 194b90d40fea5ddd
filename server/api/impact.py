"""Heritage-impact checks of proposed works, as JSON and as a PNG map."""

from __future__ import annotations

from flask import Response as FlaskResponse
from flask import current_app, request
from spectree import Response

from geo import check_impact, render_png
from server.api import api
from server.api.sites import get_site
from server.auth import require
from server.extensions import api_spec
from server.schemas import ErrorEnvelope, ImpactIn, ImpactOut

ERRORS = {f"HTTP_{s}": ErrorEnvelope for s in (400, 401, 403, 404, 413, 422)}


def _check(site_id: str):  # type: ignore[no-untyped-def]
    body: ImpactIn = request.context.json  # type: ignore[attr-defined]
    state = current_app.extensions["lantern"]
    with state.db.sessions() as session:
        site = get_site(session, site_id)
        zones = state.services["zone_index"].get(session, site)
    limits = dict(site.config.get("construction_limits") or {})
    if body.height_m is not None:
        limits["proposed_height_m"] = body.height_m
    return zones, check_impact(zones.geo_zones, body.geometry, buffer_m=body.buffer_m,
                               limits=limits or None)


@api.post("/sites/<site_id>/impact")
@require("plan")
@api_spec.validate(json=ImpactIn, resp=Response(HTTP_200=ImpactOut, **ERRORS), tags=["planning"])
def impact(site_id: str):  # type: ignore[no-untyped-def]
    """Zones a proposed work touches, overlap in m2, distance to protection, rules that apply."""
    _, report = _check(site_id)
    return {"site_id": site_id, **report.to_dict()}


@api.post("/sites/<site_id>/impact/map.png")
@require("plan")
@api_spec.validate(json=ImpactIn, resp=Response("HTTP_200", **ERRORS), tags=["planning"])
def impact_map(site_id: str):  # type: ignore[no-untyped-def]
    """The same check drawn as a PNG map."""
    zones, report = _check(site_id)
    return FlaskResponse(render_png(zones.geo_zones, report), mimetype="image/png")
