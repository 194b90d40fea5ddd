"""GET /api/v1/health."""

from __future__ import annotations

from flask import current_app
from spectree import Response
from sqlalchemy import text

from server.api import api
from server.extensions import api_spec
from server.schemas import Health


@api.get("/health")
@api_spec.validate(resp=Response(HTTP_200=Health), tags=["health"], security={})
def health():  # type: ignore[no-untyped-def]
    """Liveness and database reachability."""
    db = current_app.extensions["lantern"].db
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        database = "ok"
    except Exception:  # noqa: BLE001 - reported, not raised: health must answer
        database = "unreachable"
    return {"status": "ok" if database == "ok" else "degraded", "database": database,
            "version": "1"}


@api.get("/openapi.json")
def openapi():  # type: ignore[no-untyped-def]
    """The OpenAPI document, generated from the views and their models."""
    return api_spec.spec
