"""A bare Socket.IO connection over one WebSocket: the Engine.IO and Socket.IO handshakes by
hand, then nothing the test does not ask for (no reading, no pongs, no acks)."""

from __future__ import annotations

import json
import socket
from typing import Any

import websocket


class RawSocketIO:
    """Connect to ``namespace`` with ``auth``; ``reply`` is the server's answer to it."""

    def __init__(self, url: str, namespace: str, auth: dict[str, Any],
                 receive_buffer: int | None = None) -> None:
        options = [(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)] if receive_buffer else ()
        self.ws = websocket.create_connection(
            url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket", timeout=5,
            sockopt=options)
        opened = self.ws.recv()
        assert opened.startswith("0"), opened  # Engine.IO open
        self.ws.send(f"40{namespace},{json.dumps(auth)}")
        self.namespace = namespace
        self.reply = self._namespace_reply()

    def _namespace_reply(self) -> dict[str, Any]:
        while True:
            message = self.ws.recv()
            prefix = f"4{{}}{self.namespace},"
            for kind in ("0", "4"):  # CONNECT or CONNECT_ERROR of our namespace
                if message.startswith(prefix.format(kind)):
                    data = json.loads(message[len(prefix.format(kind)):])
                    return {"connected": kind == "0", **data}

    @property
    def connected(self) -> bool:
        return bool(self.reply["connected"])

    def close(self) -> None:
        self.ws.close()
