"""GET /api/v1/health."""

from __future__ import annotations

from flask import current_app
from pydantic import BaseModel, Field
from spectree import Response
from sqlalchemy import text

from server.api import api
from server.extensions import api_spec
from server.schemas import Health

DEMO_EXTENSION = "lantern_demo"  # app.extensions key the demo sets its facts under


class DemoEpisode(BaseModel):
    """The demo's CO2 episode: the cave whose alert closes it, and what follows."""

    site_id: str
    zone_id: str = Field(description="the cave whose CO2 is past its limit")
    experience_id: str = Field(description="its virtual substitute, which the kiosks switch to")
    alert_due: str = Field(description="when the run above the limit spans the hold time")
    high_until: str = Field(description="when its CO2 falls back; the alert clears a hold "
                            "time later, and the cave waits for an operator to reopen it")
    kiosks: list[str] = Field(description="the kiosks the closure switches to the substitute")


class DemoFacts(BaseModel):
    """What `python -m server demo` runs, so that the panel can say it (absent otherwise)."""

    clock_offset_s: float = Field(description="the simulated crowd's clock minus the real one: "
                                  "the crowd lives inside the sites' opening hours")
    kiosk_size: str = Field(description="the demo's kiosk programs render at this size, WxH")
    kiosk_fps: float = Field(description="and at most this many frames a second")
    kiosks: list[str] = Field(default_factory=list,
                              description="the kiosks whose programs the demo started")
    episode: DemoEpisode | None = None


class HealthOut(Health):
    demo: DemoFacts | None = Field(default=None, description="present while the demo runs")


@api.get("/health")
@api_spec.validate(resp=Response(HTTP_200=HealthOut, HTTP_503=HealthOut), tags=["health"],
                   security={})
def health():  # type: ignore[no-untyped-def]
    """Liveness, database reachability and each background loop's last success; 503 when the
    database is unreachable or a loop has stopped. While the demo runs, what it runs."""
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
    demo = current_app.extensions.get(DEMO_EXTENSION)
    if demo is not None:
        body["demo"] = demo
    return body, 200 if healthy else 503


@api.get("/openapi.json")
def openapi():  # type: ignore[no-untyped-def]
    """The OpenAPI document, generated from the views and their models."""
    return api_spec.spec
