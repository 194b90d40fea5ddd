"""One command fanned out to 500 connected kiosks on loopback, beside a raw python-socketio emit.

Lantern: ``python -m server run`` (gevent mode, the real venues, a fresh SQLite file); 500
kiosks registered over REST in group ``bench``; 500 lean Socket.IO clients
(``socketio_peers.lean``: aiohttp WebSocket speaking the protocol directly) in this one
asyncio process connect to ``/kiosk``, each with its own id and token.
Each round posts ``POST /api/v1/commands`` ``{"group": "bench", "action": "announce",
"args": {"text": ...}}``; the server queues one command a kiosk, then emits each (with an
ack request) to its kiosk, which acks ``{"ok": true}``. Latency per kiosk: from just before
the POST to the kiosk's receipt of the command (``time.monotonic``, same process).

Baseline in the same run: python-socketio ``AsyncServer`` on uvicorn
(``socketio_peers.fanout_serve``) emitting the same payload to the same 500 clients in one
room, triggered by a POST. Goal: p99 < 100 ms.

    .venv/bin/python -m bench.bench_fanout [--kiosks 500] [--rounds 10]
"""

from __future__ import annotations

import asyncio
import gc
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.socketio_peers.lean import LeanKiosk  # noqa: E402
from bench.socketio_peers.report import parser_for, show  # noqa: E402
from bench.socketio_peers.runner import (  # noqa: E402
    HOST,
    _child_env,
    _stop,
    _wait_listening,
    free_port,
    percentile,
)
from bench.socketio_peers.venue import create_kiosks, live_server  # noqa: E402

GOAL_P99_MS = 100.0
NAMESPACE = "/kiosk"
ROUND_TIMEOUT_S = 15.0


class Fleet:
    """Connected kiosk clients (``LeanKiosk``) that note when each announcement arrives."""

    def __init__(self) -> None:
        self.clients: list[LeanKiosk] = []
        self.received: list[dict[str, float]] = []
        self.http: Any = None

    async def connect(self, url: str, creds: Sequence[dict[str, str]], chunk: int = 50) -> float:
        """Connect one client per credential, ``chunk`` at a time; return the seconds taken."""
        import aiohttp

        self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        t0 = time.monotonic()
        for i in range(0, len(creds), chunk):
            await asyncio.gather(*(self._one(url, c) for c in creds[i:i + chunk]))
        return time.monotonic() - t0

    async def _one(self, url: str, cred: dict[str, str]) -> None:
        seen: dict[str, float] = {}

        def on_event(name: str, data: Any, t: float) -> None:
            if name == "command" and isinstance(data, dict):
                seen.setdefault(str(data.get("args", {}).get("text")), t)

        kiosk = LeanKiosk(NAMESPACE, on_event)
        await kiosk.connect(self.http, url, {"kiosk_id": cred["kiosk_id"], "token": cred["token"]})
        self.clients.append(kiosk)
        self.received.append(seen)

    async def round(self, key: str, post: Callable[[], Any]) -> dict[str, Any]:
        """Run ``post`` in a thread and wait for every client to receive ``key``."""
        t0 = time.monotonic()
        posting = asyncio.create_task(asyncio.to_thread(post))
        deadline = t0 + ROUND_TIMEOUT_S
        while time.monotonic() < deadline and not all(key in s for s in self.received):
            await asyncio.sleep(0.005)
        await posting
        post_s = time.monotonic() - t0
        latencies = [s[key] - t0 for s in self.received if key in s]
        return {"latencies_s": latencies, "missing": len(self.received) - len(latencies),
                "post_s": post_s}

    async def close(self) -> None:
        await asyncio.gather(*(c.close() for c in self.clients), return_exceptions=True)
        if self.http is not None:
            await self.http.close()


async def _measure(url: str, creds: Sequence[dict[str, str]], rounds: int,
                   post: Callable[[str], Any]) -> dict[str, Any]:
    fleet = Fleet()
    try:
        connect_s = await fleet.connect(url, creds)
        # the collector must not pause this process, which timestamps every receipt
        gc.collect()
        gc.freeze()
        gc.disable()
        await fleet.round("warm-up", lambda: post("warm-up"))
        await asyncio.sleep(0.5)
        per_round = []
        for n in range(rounds):
            key = f"bench announcement {n}"
            per_round.append(await fleet.round(key, lambda k=key: post(k)))  # type: ignore[misc]
            await asyncio.sleep(0.5)  # let the acks settle before the next round
    finally:
        gc.enable()
        gc.unfreeze()
        await fleet.close()
    lat = sorted(x for r in per_round for x in r["latencies_s"])
    return {"connect_s": connect_s, "deliveries": len(lat),
            "missing": sum(r["missing"] for r in per_round),
            "p50_ms": percentile(lat, 50) * 1e3, "p99_ms": percentile(lat, 99) * 1e3,
            "max_ms": (lat[-1] if lat else float("nan")) * 1e3,
            "post_ms": sorted(r["post_s"] for r in per_round)[len(per_round) // 2] * 1e3,
            "round_p99_ms": [percentile(sorted(r["latencies_s"]), 99) * 1e3 for r in per_round]}


def measure_baseline(creds: Sequence[dict[str, str]], rounds: int) -> dict[str, Any]:
    """Serve ``fanout_serve`` in a child process and fan out to ``creds`` through it."""
    import requests

    port = free_port()
    url = f"http://{HOST}:{port}"
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen([sys.executable, "-m", "socketio_peers.fanout_serve", str(port)],
                                  env=_child_env(), stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_listening(port, server, log)
            http = requests.Session()

            def post(text: str) -> None:
                body: dict[str, Any] = {"id": "c-bench", "seq": 1, "action": "announce",
                                        "args": {"text": text}}
                http.post(f"{url}/fanout", json=body, timeout=60).raise_for_status()

            return asyncio.run(_measure(url, creds, rounds, post))
        finally:
            _stop(server)


def run(kiosks: int = 500, rounds: int = 10) -> dict[str, Any]:
    """Register ``kiosks`` on a Lantern server, measure the baseline, then Lantern."""
    import requests

    if kiosks < 1 or rounds < 1:
        raise ValueError("kiosks and rounds must be >= 1")
    # the bench's kiosks do not send heartbeats: keep them online for the whole run
    with live_server(LANTERN_SOCKET_RATE="100000",
                     LANTERN_KIOSK_OFFLINE_AFTER_S="600") as server:
        t0 = time.monotonic()
        creds = create_kiosks(server, kiosks, group="bench")
        register_s = time.monotonic() - t0
        baseline = measure_baseline(creds, rounds)

        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {server.admin}"

        def post(text: str) -> None:
            resp = http.post(f"{server.url}/api/v1/commands", timeout=60, json={
                "group": "bench", "action": "announce", "args": {"text": text}})
            resp.raise_for_status()

        lantern = asyncio.run(_measure(server.url, creds, rounds, post))
    return {"settings": {"kiosks": kiosks, "rounds": rounds, "register_s": register_s},
            "results": {"baseline": baseline, "lantern": lantern},
            "p99_ratio": lantern["p99_ms"] / baseline["p99_ms"],
            "meets_goal": lantern["p99_ms"] < GOAL_P99_MS and lantern["missing"] == 0}


def format_table(report: dict[str, Any]) -> str:
    """Render a report from :func:`run` as a fixed-width table."""
    head = (f"{'server':<28} {'delivered':>9} {'missing':>7} {'p50 ms':>7} {'p99 ms':>7} "
            f"{'max ms':>7} {'POST ms':>7} {'conn s':>6}")
    lines = [head, "-" * len(head)]
    names = {"baseline": "python-socketio room emit", "lantern": "Lantern POST /commands"}
    for key, r in report["results"].items():
        lines.append(f"{names[key]:<28} {r['deliveries']:>9} {r['missing']:>7} {r['p50_ms']:>7.1f} "
                     f"{r['p99_ms']:>7.1f} {r['max_ms']:>7.1f} {r['post_ms']:>7.1f} "
                     f"{r['connect_s']:>6.2f}")
    s = report["settings"]
    each = ", ".join(f"{x:.0f}" for x in report["results"]["lantern"]["round_p99_ms"])
    base = ", ".join(f"{x:.0f}" for x in report["results"]["baseline"]["round_p99_ms"])
    lines += ["", f"Lantern p99 per round (ms): {each}", f"baseline p99 per round (ms): {base}",
              f"{s['kiosks']} kiosks, {s['rounds']} rounds after one warm-up round; latency from "
              f"just before the POST to each kiosk's receipt. Lantern p99 = "
              f"{report['p99_ratio']:.1f}x the raw emit's. Goal p99 < {GOAL_P99_MS:g} ms with "
              f"nothing missing: {'met' if report['meets_goal'] else 'NOT met'}."]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print the table (and, with ``--json``, the whole report)."""
    parser = parser_for(__doc__)
    parser.add_argument("--kiosks", type=int, default=500, help="connected kiosks (500)")
    parser.add_argument("--rounds", type=int, default=10, help="measured commands (10)")
    args = parser.parse_args(argv)
    return show(run(args.kiosks, args.rounds), format_table, args.json)


if __name__ == "__main__":
    sys.exit(main())
