"""Every error, ours or the framework's, leaves as the envelope {"error": {"code", "message"}}."""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from server import errors

log = logging.getLogger(__name__)

STATUS: dict[type[errors.LanternError], int] = {
    errors.BadRequest: 400,
    errors.Unauthenticated: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.TooLarge: 413,
    errors.UnsupportedMediaType: 415,
    errors.InvalidContent: 422,
}

HTTP_CODES = {
    400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
    422: "invalid", 429: "rate_limited", 500: "internal",
}


def status_of(exc: errors.LanternError) -> int:
    if exc.code == "render_failed":
        return 503
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def envelope(code: str, message: str, status: int, details=None):  # type: ignore[no-untyped-def]
    body: dict = {"error": {"code": code, "message": message}}
    if details is not None:
        body["error"]["details"] = details
    response = jsonify(body)
    response.status_code = status
    return response


def register(app: Flask) -> None:
    @app.errorhandler(errors.LanternError)
    def _lantern(exc: errors.LanternError):  # type: ignore[no-untyped-def]
        return envelope(exc.code, exc.message, status_of(exc), exc.details)

    from geo.errors import GeoError

    @app.errorhandler(GeoError)
    def _geo(exc: GeoError):  # type: ignore[no-untyped-def]
        return envelope("invalid_geometry", str(exc), 422)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):  # type: ignore[no-untyped-def]
        status = exc.code or 500
        message = exc.description or exc.name
        if status == 413:
            limit = app.config["MAX_CONTENT_LENGTH"]
            message = f"request body is larger than the limit of {limit} bytes"
        response = envelope(HTTP_CODES.get(status, exc.name.lower().replace(" ", "_")),
                            message, status)
        if status == 405 and exc.response is None and hasattr(exc, "valid_methods"):
            response.headers["Allow"] = ", ".join(exc.valid_methods or [])
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):  # type: ignore[no-untyped-def]
        log.exception("unhandled error")
        return envelope("internal", "internal server error", 500)
