"""Heritage-impact checks of proposed works, as JSON and as a PNG map.

The work's GeoJSON is bounded before anything is built from it (:func:`geo.check_work_geojson`),
and the check itself runs in a child process under a time and a memory limit
(:mod:`server.services.sandbox`): a few kilobytes of zig-zag line with a wide buffer can keep GEOS busy
for minutes and gigabytes, which the server's one event loop must never wait for.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import Response as FlaskResponse
from flask import current_app, request
from spectree import Response

from geo import check_work_geojson
from geo.wire import decode_impact_answer, encode_impact_request
from server import errors
from server.api import api
from server.api.envelope import envelope
from server.api.sites import get_site
from server.auth import require
from server.extensions import api_spec
from server.schemas import ErrorEnvelope, ImpactIn, ImpactOut
from server.services.sandbox import ChildFailed

log = logging.getLogger(__name__)
ERRORS = {f"HTTP_{s}": ErrorEnvelope for s in (400, 401, 403, 404, 413, 422, 503)}
ADVICE = {"time": "; a simpler geometry or a smaller buffer_m checks faster",
          "memory": "; a simpler geometry or a smaller buffer_m needs less",
          "busy": "; try again shortly"}


class CheckFailed(errors.LanternError):
    """An impact check ran out of time or memory, or its process failed."""

    code = "check_failed"


@api.errorhandler(CheckFailed)
def _check_failed(exc: CheckFailed):  # type: ignore[no-untyped-def]
    # the server's error table has no "unavailable" class; status_of() gives 503 to render_failed only
    return envelope(exc.code, exc.message, 503)


def run_check(site_id: str, geometry: dict[str, Any], height_m: float | None, buffer_m: float,
              output: str) -> bytes:
    """The child's answer (report JSON or map PNG) to a check of ``geometry`` at the site:
    an unknown site is a 404 and a bad geometry a 422 before any child runs."""
    state = current_app.extensions["lantern"]
    with state.db.open_session() as session:
        site = get_site(session, site_id)  # an unknown site is a 404 whatever the body
        work = check_work_geojson(geometry,
                                  max_vertices=int(state.settings["LANTERN_IMPACT_MAX_VERTICES"]))
        zones = state.zone_index.get(session, site)
    limits = dict(site.config.get("construction_limits") or {})
    if height_m is not None:
        limits["proposed_height_m"] = height_m
    data = encode_impact_request(zones.geo_zones, work, buffer_m=buffer_m,
                                 limits=limits or None, output=output)
    try:
        answer = state.impact.run(["impact", "--map"] if output == "png"
                                              else ["impact"], data)
    except ChildFailed as exc:
        log.warning("impact check on %s (%d bytes) %s", site_id, len(data), exc)
        raise CheckFailed(f"the impact check {exc}{ADVICE.get(exc.kind, '')}") from None
    return decode_impact_answer(answer)


def check_report(site_id: str, geometry: dict[str, Any], height_m: float | None,
                 buffer_m: float) -> dict[str, Any]:
    """The check's report as ``POST /sites/<site>/impact`` answers it."""
    return {"site_id": site_id,
            **json.loads(run_check(site_id, geometry, height_m, buffer_m, "report"))}


@api.post("/sites/<site_id>/impact")
@require("plan")
@api_spec.validate(json=ImpactIn, resp=Response(HTTP_200=ImpactOut, **ERRORS), tags=["planning"])
def impact(site_id: str):  # type: ignore[no-untyped-def]
    """Zones a proposed work touches, overlap in m2, distance to protection, rules that apply."""
    body: ImpactIn = request.context.json  # type: ignore[attr-defined]
    return check_report(site_id, body.geometry, body.height_m, body.buffer_m)


@api.post("/sites/<site_id>/impact/map.png")
@require("plan")
@api_spec.validate(json=ImpactIn, resp=Response("HTTP_200", **ERRORS), tags=["planning"])
def impact_map(site_id: str):  # type: ignore[no-untyped-def]
    """The same check drawn as a PNG map."""
    body: ImpactIn = request.context.json  # type: ignore[attr-defined]
    return FlaskResponse(run_check(site_id, body.geometry, body.height_m, body.buffer_m, "png"),
                         mimetype="image/png")
