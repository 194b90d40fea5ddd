"""The app factory: settings, database, extensions, blueprints and the realtime wiring."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask

from server.config import load_config
from server.extensions import api_spec, csrf, login_manager, socketio
from server.live import LiveVenue
from server.realtime import packets
from server.realtime.control import ControlNamespace
from server.realtime.hub import Hub
from server.realtime.ingest import IngestNamespace
from server.realtime.kiosk import KioskNamespace, RateLimiter
from server.services.presence import DailyVisitors
from server.services.previews import Previews
from server.services.reports import Reports
from server.services.retention import RetentionJob
from server.services.sandbox import ChildPool
from server.services.webhook import AlertWebhook
from server.storage.database import Database
from server.storage.presence_book import PresenceBook
from server.storage.zone_index import ZoneIndexCache

__all__ = ["create_app", "socketio"]


@dataclass
class LanternState:
    """What the app holds besides Flask's own config: the database, the settings and the live
    parts, each built once here in create_app."""

    db: Database
    settings: dict[str, Any]
    zone_index: ZoneIndexCache      # each site's geo/ index, per zones version
    presence: PresenceBook          # visitor presence folded in memory, written behind
    previews: Previews              # scene previews rendered in child processes
    impact: ChildPool               # heritage-impact checks run in child processes
    hub: Hub                        # kiosk connections, command delivery, operator updates
    live: LiveVenue                 # what happens when occupancy, zones, alerts or the clock move
    reports: Reports                # report notebook runs: the queue, the cache, the workers


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then the environment, then ``config`` (tests' overrides)."""
    settings = load_config(config)
    instance = Path(settings["LANTERN_INSTANCE_PATH"])
    app = Flask(__name__, instance_path=str(instance.resolve()))
    app.config.update(settings)
    app.config.update(
        MAX_CONTENT_LENGTH=settings["LANTERN_MAX_CONTENT_LENGTH"],
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings["LANTERN_SESSION_COOKIE_SECURE"],
        REMEMBER_COOKIE_HTTPONLY=True,
        WTF_CSRF_CHECK_DEFAULT=False,  # forms check it themselves; API calls check in auth.require
        JSON_SORT_KEYS=False,
    )
    logging.basicConfig(level=settings["LANTERN_LOG_LEVEL"],
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    db = Database(settings["DATABASE_URL"])
    zone_index = ZoneIndexCache()
    presence = PresenceBook(db, float(settings["LANTERN_PRESENCE_FLUSH_S"]))
    hub = Hub(socketio, db, settings)
    state = LanternState(
        db=db, settings=settings, zone_index=zone_index, presence=presence,
        previews=Previews(Path(settings["LANTERN_ASSETS_PATH"]), instance / "previews",
                          settings["LANTERN_PREVIEW_WORKERS"], settings["LANTERN_PREVIEW_TIMEOUT_S"],
                          settings["LANTERN_PREVIEW_MEMORY_MB"]),
        impact=ChildPool("geo", workers=settings["LANTERN_IMPACT_WORKERS"],
                         timeout_s=settings["LANTERN_IMPACT_TIMEOUT_S"],
                         memory_mb=settings["LANTERN_IMPACT_MEMORY_MB"]),
        hub=hub,
        live=LiveVenue(hub, zone_index, presence,
                       DailyVisitors(float(settings["LANTERN_VISITORS_TODAY_REFRESH_S"])),
                       alert_webhook(settings, db)),
        reports=Reports(db, database_url=settings["DATABASE_URL"],
                        root=Path(settings["LANTERN_REPORTS_PATH"]),
                        workers=settings["LANTERN_REPORT_WORKERS"],
                        timeout_s=settings["LANTERN_REPORT_TIMEOUT_S"],
                        emit=hub.to_operators, spawn=socketio.start_background_task))
    app.extensions["lantern"] = state

    login_manager.init_app(app)
    login_manager.login_view = "panel.login"
    csrf.init_app(app)

    from server import security_headers
    from server.api import api
    from server.api import envelope as api_errors
    from server.panel import panel

    app.register_blueprint(api)
    app.register_blueprint(panel)
    api_errors.register(app)
    api_spec.register(app)
    security_headers.register(app)

    socketio.init_app(
        app,
        message_queue=settings["SOCKETIO_MESSAGE_QUEUE"],
        async_mode=settings["LANTERN_ASYNC_MODE"],
        cors_allowed_origins=allowed_origins(settings),
        max_http_buffer_size=settings["LANTERN_SOCKET_MAX_FRAME"],
        serializer=packets.Packet,  # an undecodable packet is refused in an ack, not dropped
        manage_session=False,
        # each connection's events are handled in order on that connection's own greenlet;
        # a new greenlet per event cost an eighth of the server's time under heartbeat load
        async_handlers=False,
    )
    _wire_realtime(state)
    return app


def _wire_realtime(state: LanternState) -> None:
    """Give the hub its tasks and open the three namespaces."""
    hub, live = state.hub, state.live
    hub.on_start(state.presence.recover)
    hub.on_start(lambda: state.db.start_checkpointer(hub.health))
    hub.add_step("presence_flush", 0.0, live.flush_presence)  # writes when due
    hub.add_step("visitor_expiry", float(state.settings["LANTERN_VISITOR_SWEEP_S"]),
                 live.expire_visitors)  # timeouts are minutes long
    hub.every_second(live.end_due_sessions)
    hub.on_start(state.reports.start)  # fail runs of dead processes, take queued runs
    hub.add_step("report_queue", 1.0, state.reports.tick)
    hub.emit_occupancy_with(live.emit_occupancy)
    hub.alert_with(live.alert)  # kiosks offline: operators and the webhook
    retention = RetentionJob(state.db, int(state.settings["LANTERN_POSITION_RETENTION_DAYS"]),
                             int(state.settings["LANTERN_EVENT_MAX_AGE_S"]))
    hub.add_step("position_retention", RetentionJob.EVERY_S, retention.step)
    hub.add_step("readings_emit", float(state.settings["LANTERN_READINGS_EMIT_S"]),
                 live.emit_readings)  # batches coalesce: at most one event a site per interval
    socketio.on_namespace(KioskNamespace("/kiosk", hub))
    socketio.on_namespace(ControlNamespace("/control", hub))
    ingest = IngestNamespace("/ingest", RateLimiter(float(state.settings["LANTERN_SOCKET_RATE"])))
    socketio.on_namespace(ingest)
    hub.on_token_revoked(ingest.drop_token)


def alert_webhook(settings: dict[str, Any], db: Database) -> AlertWebhook | None:
    """The alert webhook of LANTERN_ALERT_WEBHOOK_URL, posting from a background task; None
    when unset."""
    url = settings["LANTERN_ALERT_WEBHOOK_URL"]
    if not url:
        return None

    def site_name(site_id: str) -> str | None:
        from server.storage.models import Site

        with db.open_session() as session:
            site = session.get(Site, site_id)
            return site.name_en if site is not None else None

    return AlertWebhook(url, attempts=int(settings["LANTERN_ALERT_WEBHOOK_ATTEMPTS"]),
                        first_delay_s=float(settings["LANTERN_ALERT_WEBHOOK_FIRST_DELAY_S"]),
                        timeout_s=float(settings["LANTERN_ALERT_WEBHOOK_TIMEOUT_S"]),
                        queue_size=int(settings["LANTERN_ALERT_WEBHOOK_QUEUE"]),
                        site_name=site_name, spawn=socketio.start_background_task,
                        sleep=socketio.sleep)


def allowed_origins(settings: dict[str, Any]) -> Callable[[str, dict], bool]:
    """Browsers may open Socket.IO connections from the server's own origin or the allowlist."""
    extra = {o.strip().rstrip("/") for o in settings["LANTERN_CORS_ORIGINS"].split(",") if o.strip()}

    def check(origin: str, environ: dict) -> bool:
        own = f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}"
        return origin == own or origin in extra

    return check
