"""REST API under /api/v1."""

from __future__ import annotations

import json

from flask import Blueprint, request

from server import errors

api = Blueprint("api", __name__, url_prefix="/api/v1")
# views that validate the raw body themselves in one pass (the ingest hot path), with the same
# errors; parsing it here first would double the JSON work
RAW_BODY_VIEWS = {"api.post_positions"}


@api.before_request
def _require_readable_json() -> None:
    """Bodies must be JSON objects; malformed JSON is a 400 before any view runs."""
    if request.method not in ("POST", "PUT", "PATCH") or not request.content_length:
        return
    if request.endpoint in RAW_BODY_VIEWS and request.is_json:
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


from server.api import admin, health, impact, kiosks, positions, readings, sites, zones  # noqa: E402,F401  (routes register on import)
