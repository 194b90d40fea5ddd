"""REST API under /api/v1."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from flask import Blueprint, current_app, request

from server import errors

if TYPE_CHECKING:
    from server.app import LanternState

api = Blueprint("api", __name__, url_prefix="/api/v1")
# views that validate the raw body themselves in one pass (the ingest hot path), with the same
# errors; parsing it here first would double the JSON work
RAW_BODY_VIEWS = {"api.post_positions"}
BINARY_BODY_VIEWS = {"api.put_screenshot"}  # images, read and checked by the view
# No body of this API goes deeper (a GeoJSON MultiPolygon in a request is 6 levels); deeper
# bodies are refused before validation, whose error messages would echo them back
MAX_DEPTH = 32


def lantern() -> LanternState:
    """The app's LanternState: database, settings and live parts."""
    return current_app.extensions["lantern"]


def actor() -> str:
    """The name of the authenticated caller (views behind ``require`` only)."""
    from server.auth import current_principal

    principal = current_principal()
    assert principal is not None
    return principal.name


@api.before_request
def _require_readable_json() -> None:
    """Bodies must be JSON objects; malformed JSON is a 400 before any view runs."""
    if request.method not in ("POST", "PUT", "PATCH") or not request.content_length:
        return
    if request.endpoint in RAW_BODY_VIEWS and request.is_json:
        return
    if request.endpoint in BINARY_BODY_VIEWS:
        return
    if not request.is_json:
        raise errors.BadRequest(f"send JSON (Content-Type: application/json), "
                                f"not {request.mimetype or 'no content type'}")
    try:
        body = request.get_json(silent=True)  # parsed once; views get Flask's cached result
    except RecursionError:
        raise errors.BadRequest("the JSON body is nested too deeply") from None
    if body is None:
        try:
            json.loads(request.get_data(cache=True))
        except (ValueError, UnicodeDecodeError) as exc:
            raise errors.BadRequest(f"malformed JSON: {exc}") from None
    if not isinstance(body, dict):
        raise errors.BadRequest("the JSON body must be an object")
    if _deeper_than(body, MAX_DEPTH):
        raise errors.BadRequest(f"the JSON body is nested too deeply (more than {MAX_DEPTH} "
                                f"levels)")


def _deeper_than(value: object, limit: int) -> bool:
    """Whether ``value`` nests lists and objects more than ``limit`` levels (no recursion)."""
    level = [value]
    for _ in range(limit):
        level = [child for item in level if isinstance(item, (dict, list))
                 for child in (item.values() if isinstance(item, dict) else item)]
        if not level:
            return False
    return any(isinstance(item, (dict, list)) for item in level)


from server.api import (  # noqa: E402,F401  (routes register on import)
    activity,
    admin,
    capacity,
    health,
    impact,
    impact_checks,
    kiosks,
    positions,
    readings,
    reports,
    screenshots,
    sites,
    users,
    zones,
)
