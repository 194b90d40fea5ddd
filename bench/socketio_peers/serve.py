"""Serve the kiosk namespace in one async mode: ``python -m socketio_peers.serve MODE PORT``.

Modes:

- ``asgi``: python-socketio ``AsyncServer`` wrapped in ``ASGIApp`` on uvicorn (the baseline).
- ``asgi-validating``: the same, but ``heartbeat`` validates its payload with Lantern's own
  ``Heartbeat`` model (``server/realtime/kiosk.py``) and keeps the latest beat of each
  connection in a dict, as the Lantern server's handler does (the heartbeat bench's baseline).
- ``threading``: Flask-SocketIO, threading mode, Werkzeug's threaded server, WebSocket
  through simple-websocket.
- ``gevent``: Flask-SocketIO, gevent mode, gevent's ``pywsgi.WSGIServer``; the process is
  monkey-patched before anything else is imported, as a production server would be.

Only the standard library is imported at module level, so that the gevent mode can patch
first.
"""

from __future__ import annotations

import sys
from typing import Any

HOST = "127.0.0.1"
MODES = ("asgi", "asgi-validating", "threading", "gevent")


def _flask_app(async_mode: str) -> Any:
    import logging

    from flask import Flask
    from flask_socketio import ConnectionRefusedError, Namespace, SocketIO

    from .handlers import NAMESPACE, heartbeat_ack, is_authorized

    class KioskNamespace(Namespace):  # type: ignore[misc]
        """The kiosk namespace, Flask-SocketIO flavour."""

        def on_connect(self, auth: Any = None) -> None:
            """Refuse a kiosk without ``kiosk_id`` and ``token``."""
            if not is_authorized(auth):
                raise ConnectionRefusedError("unauthorized")

        def on_heartbeat(self, data: Any) -> dict[str, Any]:
            """Acknowledge a heartbeat."""
            return heartbeat_ack(data)

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = Flask("lantern_bench")
    socketio = SocketIO(app, async_mode=async_mode, logger=False, engineio_logger=False)
    socketio.on_namespace(KioskNamespace(NAMESPACE))
    return app, socketio


def serve_threading(port: int) -> None:
    """Run Flask-SocketIO in threading mode on Werkzeug's threaded server."""
    app, socketio = _flask_app("threading")
    socketio.run(app, host=HOST, port=port, allow_unsafe_werkzeug=True, log_output=False)


def serve_gevent(port: int) -> None:
    """Run Flask-SocketIO in gevent mode on ``gevent.pywsgi.WSGIServer``."""
    from gevent import pywsgi

    app, socketio = _flask_app("gevent")
    assert socketio.server.eio.async_mode == "gevent"
    try:  # the gevent-websocket handler when that package is installed
        from geventwebsocket.handler import WebSocketHandler

        server = pywsgi.WSGIServer((HOST, port), app, handler_class=WebSocketHandler, log=None)
    except ImportError:  # else python-engineio upgrades through simple-websocket
        server = pywsgi.WSGIServer((HOST, port), app, log=None)
    server.serve_forever()


def _validating_ack() -> Any:
    """``ack(sid, data)``: validate with Lantern's ``Heartbeat``, keep the beat per connection."""
    import os
    from datetime import UTC, datetime

    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    from pydantic import ValidationError

    from server.realtime.kiosk import Heartbeat

    beats: dict[str, dict[str, Any]] = {}

    def ack(sid: str, data: Any) -> dict[str, Any]:
        try:
            beat = Heartbeat.model_validate(data or {})
        except ValidationError as exc:
            return {"ok": False, "error": str(exc.errors(include_url=False)[0]["msg"])}
        beats[sid] = {**beat.model_dump(), "ts": datetime.now(UTC)}
        return {"ok": True}

    return ack


def serve_asgi(port: int, validating: bool = False) -> None:
    """Run python-socketio's ``AsyncServer`` as an ASGI app on uvicorn."""
    import socketio
    import uvicorn

    from .handlers import NAMESPACE, heartbeat_ack, is_authorized

    validated = _validating_ack() if validating else None

    class KioskNamespace(socketio.AsyncNamespace):
        """The kiosk namespace, python-socketio asyncio flavour."""

        async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
            """Refuse a kiosk without ``kiosk_id`` and ``token``."""
            if not is_authorized(auth):
                raise socketio.exceptions.ConnectionRefusedError("unauthorized")

        async def on_heartbeat(self, sid: str, data: Any) -> dict[str, Any]:
            """Acknowledge a heartbeat."""
            if validated is not None:
                return validated(sid, data)  # type: ignore[no-any-return]
            return heartbeat_ack(data)

    sio = socketio.AsyncServer(async_mode="asgi", logger=False, engineio_logger=False)
    sio.register_namespace(KioskNamespace(NAMESPACE))
    app = socketio.ASGIApp(sio)
    uvicorn.run(app, host=HOST, port=port, ws="wsproto", log_level="warning", access_log=False)


def main(argv: list[str]) -> int:
    """Serve ``argv[0]`` (a mode) on ``argv[1]`` (a port) until killed."""
    if len(argv) != 2 or argv[0] not in MODES:
        print(f"usage: python -m socketio_peers.serve {{{','.join(MODES)}}} PORT", file=sys.stderr)
        return 2
    mode, port = argv[0], int(argv[1])
    if mode == "gevent":
        from gevent import monkey

        monkey.patch_all()
    if mode == "asgi-validating":
        serve_asgi(port, validating=True)
        return 0
    {"asgi": serve_asgi, "threading": serve_threading, "gevent": serve_gevent}[mode](port)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
