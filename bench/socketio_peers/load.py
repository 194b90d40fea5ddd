"""Kiosk load generator: ``python -m socketio_peers.load URL CLIENTS FIRST_ID [CREDENTIALS]``.

CREDENTIALS, when given, is a JSON file ``[{"kiosk_id", "token"}, ...]`` of real kiosks
(for a server that checks tokens); kiosk ``FIRST_ID + i`` uses entry ``FIRST_ID + i``.
Without it the kiosks use made-up ids and tokens.

Driven over stdin/stdout so that several generator processes move in step. Each line
written is one JSON object:

1. on start: ``{"stage": "ready"}``;
2. on the line ``connect``: connects CLIENTS ``AsyncClient`` s at once, over WebSocket only,
   then answers ``{"stage": "connected", "connected": n, "errors": [...], "refused_ok": b}``;
3. on the line ``go T_START T_END`` (``time.monotonic()`` values, a clock shared by every
   process of the machine): every client calls ``heartbeat`` in a loop until ``T_END`` and
   waits for each ack; calls that start at or after ``T_START`` and end by ``T_END`` are
   measured. Answers ``{"stage": "done", "latencies_s": [...], "errors": n, "error_kinds": {...}}``.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from typing import Any

import socketio

from .handlers import HEARTBEAT, NAMESPACE

CALL_TIMEOUT_S = 10.0


def _say(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


async def _read_line() -> str:
    return (await asyncio.to_thread(sys.stdin.readline)).strip()


async def _connect(url: str, kiosk_id: str, token: str | None) -> socketio.AsyncClient:
    sio = socketio.AsyncClient(reconnection=False)
    auth: dict[str, Any] = {"kiosk_id": kiosk_id}
    if token is not None:
        auth["token"] = token
    await sio.connect(
        url, transports=["websocket"], namespaces=[NAMESPACE], auth=auth, wait_timeout=15
    )
    return sio


async def _refused(url: str) -> bool:
    """Tell whether the server refuses a kiosk that brings no token."""
    try:
        sio = await _connect(url, "k-bench-intruder", None)
    except socketio.exceptions.ConnectionError:
        return True
    await sio.disconnect()
    return False


async def _drive(
    sio: socketio.AsyncClient,
    t_start: float,
    t_end: float,
    latencies: list[float],
    errors: Counter[str],
) -> None:
    while True:
        t0 = time.monotonic()
        if t0 >= t_end:
            return
        kind = ""
        try:
            ack = await sio.call(
                "heartbeat", HEARTBEAT, namespace=NAMESPACE, timeout=CALL_TIMEOUT_S
            )
            if not (isinstance(ack, dict) and ack.get("ok") is True):
                kind = "bad ack"
        except Exception as exc:  # every failure is counted, by kind
            kind = type(exc).__name__
        t1 = time.monotonic()
        if t0 >= t_start and t1 <= t_end:
            if kind:
                errors[kind] += 1
            else:
                latencies.append(t1 - t0)
        elif kind and t0 >= t_start:
            errors[kind] += 1
        if kind == "BadNamespaceError" or not sio.connected:
            return


async def main(url: str, clients: int, first_id: int, credentials: str | None = None) -> None:
    """Run the three stages described in the module docstring."""
    _say({"stage": "ready"})
    if await _read_line() != "connect":
        return
    if credentials:
        with open(credentials) as fh:
            creds = json.load(fh)[first_id:first_id + clients]
        pairs = [(c["kiosk_id"], c["token"]) for c in creds]
    else:
        pairs = [(f"k-bench-{first_id + i:04d}", f"token-k-bench-{first_id + i:04d}")
                 for i in range(clients)]
    outcomes = await asyncio.gather(
        *(_connect(url, kid, token) for kid, token in pairs), return_exceptions=True
    )
    connected = [o for o in outcomes if isinstance(o, socketio.AsyncClient)]
    failures = [f"{type(o).__name__}: {o}" for o in outcomes if isinstance(o, BaseException)]
    refused_ok = await _refused(url) if first_id == 0 else True
    _say({"stage": "connected", "connected": len(connected), "errors": failures,
          "refused_ok": refused_ok})
    words = (await _read_line()).split()
    if len(words) != 3 or words[0] != "go":
        return
    t_start, t_end = float(words[1]), float(words[2])
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    await asyncio.gather(*(_drive(s, t_start, t_end, latencies, errors) for s in connected))
    _say({"stage": "done", "latencies_s": latencies, "errors": sum(errors.values()),
          "error_kinds": dict(errors)})
    await asyncio.gather(*(s.disconnect() for s in connected), return_exceptions=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]),
                     sys.argv[4] if len(sys.argv) > 4 else None))
