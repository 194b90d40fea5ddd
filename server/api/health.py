"""GET /api/v1/health."""

from __future__ import annotations

from flask import current_app
from spectree import Response
from sqlalchemy import text

from server.api import api
from server.extensions import api_spec
from server.schemas import Health


@api.get("/health")
@api_spec.validate(resp=Response(HTTP_200=Health, HTTP_503=Health), tags=["health"], security={})
def health():  # type: ignore[no-untyped-def]
    """Liveness, database reachability and each background loop's last success; 503 when the
    database is unreachable or a loop has stopped."""
    state = current_app.extensions["lantern"]
    try:
        with state.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        database = "ok"
    except Exception:  # noqa: BLE001 - reported, not raised: health must answer
        database = "unreachable"
    hub = state.hub
    loops = hub.health.report() if hub is not None else {}
    stopped = [name for name, loop in loops.items() if loop["state"] != "ok"]
    healthy = database == "ok" and not stopped
    body = {"status": "ok" if healthy else "degraded", "database": database, "version": "1",
            "loops": loops, "stopped": stopped}
    return body, 200 if healthy else 503


@api.get("/openapi.json")
def openapi():  # type: ignore[no-untyped-def]
    """The OpenAPI document, generated from the views and their models."""
    return api_spec.spec
