"""A lean Socket.IO kiosk for load generation: aiohttp WebSocket speaking the protocol directly.

Hundreds of python-socketio ``AsyncClient`` s in one process cost more per message than the
server under test: with 500 of them, the load generator's own queue decided the tail of a
fan-out. This client does only what a kiosk does on the wire, with Engine.IO 4 / Socket.IO 5
over WebSocket: the handshake, the namespace connect with ``auth``, answering pings, noting
each event and answering an ack request with ``{"ok": true}``. Both servers of a benchmark
are driven by it alike.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import aiohttp

OK_ACK = '[{"ok":true}]'


class LeanKiosk:
    """One WebSocket connection to ``namespace``; ``on_event(name, data, t_received)``."""

    def __init__(self, namespace: str, on_event: Callable[[str, Any, float], None]) -> None:
        self.namespace = namespace
        self.prefix = f"42{namespace},"
        self.on_event = on_event
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.task: asyncio.Task[None] | None = None

    async def connect(self, http: aiohttp.ClientSession, url: str, auth: dict[str, Any],
                      timeout: float = 30.0) -> None:
        ws_url = url.replace("http://", "ws://", 1).rstrip("/") + "/socket.io/?EIO=4&transport=websocket"
        self.ws = ws = await http.ws_connect(ws_url, timeout=aiohttp.ClientWSTimeout(ws_close=timeout),
                                             autoping=False, max_msg_size=0)
        opened = await asyncio.wait_for(ws.receive_str(), timeout)
        if not opened.startswith("0"):
            raise ConnectionError(f"no Engine.IO open packet: {opened[:80]!r}")
        await ws.send_str(f"40{self.namespace}," + json.dumps(auth))
        while True:  # the namespace answer; a ping may come first
            answer = await asyncio.wait_for(ws.receive_str(), timeout)
            if answer == "2":
                await ws.send_str("3")
                continue
            break
        if not answer.startswith(f"40{self.namespace},"):
            raise ConnectionError(f"namespace refused: {answer[:200]!r}")
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        ws = self.ws
        assert ws is not None
        prefix, n = self.prefix, len(self.prefix)
        async for msg in ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                break
            data: str = msg.data
            if data == "2":  # ping
                await ws.send_str("3")
            elif data.startswith(prefix):
                now = time.monotonic()
                i = n
                while data[i].isdigit():
                    i += 1
                name, *args = json.loads(data[i:])
                self.on_event(name, args[0] if args else None, now)
                if i > n:  # the server asked for an ack
                    await ws.send_str(f"43{self.namespace},{data[n:i]}{OK_ACK}")

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.task is not None:
            self.task.cancel()
