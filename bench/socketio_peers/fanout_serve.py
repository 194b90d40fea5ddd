"""Fan-out baseline: ``python -m socketio_peers.fanout_serve PORT``.

python-socketio's ``AsyncServer`` on uvicorn. Kiosks connect to ``/kiosk`` (refused without
``kiosk_id`` and ``token``) and join the room ``bench``. ``POST /fanout`` with a JSON body
emits that body as the event ``command`` to the room, then answers ``{"ok": true}``: a raw
emit of the same payload the Lantern server sends one kiosk at a time.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from .handlers import NAMESPACE, is_authorized
from .serve import HOST

ROOM = "bench"


def make_app() -> Any:
    """The ASGI app: Socket.IO plus the ``/fanout`` trigger."""
    import socketio

    sio = socketio.AsyncServer(async_mode="asgi", logger=False, engineio_logger=False)

    class KioskNamespace(socketio.AsyncNamespace):
        """Kiosks join one room."""

        async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
            """Refuse a kiosk without ``kiosk_id`` and ``token``; else join the room."""
            if not is_authorized(auth):
                raise socketio.exceptions.ConnectionRefusedError("unauthorized")
            await self.enter_room(sid, ROOM)

    sio.register_namespace(KioskNamespace(NAMESPACE))

    async def trigger(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != "/fanout":
            await send({"type": "http.response.start", "status": 404, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        await sio.emit("command", json.loads(body), room=ROOM, namespace=NAMESPACE)
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": b'{"ok": true}'})

    return socketio.ASGIApp(sio, other_asgi_app=trigger)


def main(argv: list[str]) -> int:
    """Serve on ``argv[0]`` (a port) until killed."""
    if len(argv) != 1:
        print("usage: python -m socketio_peers.fanout_serve PORT", file=sys.stderr)
        return 2
    import uvicorn

    uvicorn.run(make_app(), host=HOST, port=int(argv[0]), ws="wsproto", log_level="warning",
                access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
