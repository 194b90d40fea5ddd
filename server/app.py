"""The app factory: settings, database, extensions, blueprints and the realtime wiring."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask

from server.config import load_config
from server.db import Database
from server.extensions import api_spec, csrf, login_manager, socketio
from server.realtime import packets

__all__ = ["create_app", "socketio"]


@dataclass
class LanternState:
    """What the app holds besides Flask's own config: the database and live services."""

    db: Database
    settings: dict[str, Any]
    services: dict[str, Any] = field(default_factory=dict)


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
    state = LanternState(db=db, settings=settings)
    app.extensions["lantern"] = state
    from server.zone_index import ZoneIndexCache

    state.services["zone_index"] = ZoneIndexCache()
    from server.presence_book import PresenceBook

    state.services["presence"] = PresenceBook(db, float(settings["LANTERN_PRESENCE_FLUSH_S"]))
    from server.previews import Previews

    state.services["previews"] = Previews(Path(settings["LANTERN_ASSETS_PATH"]),
                                          instance / "previews", settings["LANTERN_PREVIEW_WORKERS"],
                                          settings["LANTERN_PREVIEW_TIMEOUT_S"],
                                          settings["LANTERN_PREVIEW_MEMORY_MB"])
    from server.sandbox import ChildPool

    state.services["impact"] = ChildPool("geo", workers=settings["LANTERN_IMPACT_WORKERS"],
                                         timeout_s=settings["LANTERN_IMPACT_TIMEOUT_S"],
                                         memory_mb=settings["LANTERN_IMPACT_MEMORY_MB"])

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
    _wire_realtime(app, state)
    return app


def _wire_realtime(app: Flask, state: LanternState) -> None:
    from server.live import LiveVenue
    from server.realtime.control import ControlNamespace
    from server.realtime.hub import Hub
    from server.realtime.ingest import IngestNamespace
    from server.realtime.kiosk import KioskNamespace, RateLimiter

    hub = Hub(socketio, state.db, state.settings)
    live = LiveVenue(hub, state.services["zone_index"], state.services["presence"])
    state.services.update(hub=hub, live=live, on_zone_change=live.zone_changed, on_alert=live.alert)
    hub.start_tasks.append(lambda: state.db.start_checkpointer(hub.health))
    socketio.on_namespace(KioskNamespace("/kiosk", hub))
    socketio.on_namespace(ControlNamespace("/control", hub))
    ingest = IngestNamespace("/ingest", RateLimiter(float(state.settings["LANTERN_SOCKET_RATE"])))
    socketio.on_namespace(ingest)
    hub.token_listeners.append(ingest.drop_token)


def allowed_origins(settings: dict[str, Any]) -> Callable[[str, dict], bool]:
    """Browsers may open Socket.IO connections from the server's own origin or the allowlist."""
    extra = {o.strip().rstrip("/") for o in settings["LANTERN_CORS_ORIGINS"].split(",") if o.strip()}

    def check(origin: str, environ: dict) -> bool:
        own = f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}"
        return origin == own or origin in extra

    return check
