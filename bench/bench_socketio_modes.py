"""Socket.IO round trips: Flask-SocketIO async modes against python-socketio on uvicorn.

Each server runs alone in its own process on 127.0.0.1 with the same ``/kiosk`` handlers
(connect refuses a kiosk without ``kiosk_id`` and ``token``; ``heartbeat`` acks
``{"ok": True}``). The load generator connects the kiosks over WebSocket only, then each
kiosk calls ``heartbeat`` and waits for the ack, in a loop, for a warm-up and then a
measured window. The ASGI baseline (``asgi``) is always measured in the same run.

Usage::

    python bench/bench_socketio_modes.py                      # 100 kiosks, 10 s, all modes
    python bench/bench_socketio_modes.py --clients 5 --seconds 1 --modes gevent

From Python (with the repository root on ``sys.path``)::

    from bench.bench_socketio_modes import run
    report = run(["gevent"], clients=5, seconds=1)
    report["results"]["gevent"]["round_trips_per_s"]
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
from collections.abc import Sequence
from typing import Any

# Imported as bench.bench_socketio_modes, or run as a script with bench/ on sys.path.
_PEERS = "bench.socketio_peers" if __package__ == "bench" else "socketio_peers"
measure = importlib.import_module(f"{_PEERS}.runner").measure

BASELINE = "asgi"
MODES = ("threading", "gevent")
SERVERS = {
    "asgi": "python-socketio AsyncServer, uvicorn (h11 + wsproto)",
    "threading": "Flask-SocketIO threading, Werkzeug + simple-websocket",
    "gevent": "Flask-SocketIO gevent, gevent pywsgi + simple-websocket",
}
GOAL_THROUGHPUT = 0.8
GOAL_P99 = 1.5


def run(
    modes: Sequence[str] = MODES,
    clients: int = 100,
    seconds: float = 10.0,
    warmup: float = 2.0,
    procs: int = 1,
) -> dict[str, Any]:
    """Measure each mode in ``modes`` and the ASGI baseline; return figures and ratios.

    The result has ``settings``, ``machine``, ``results`` (per mode: ``round_trips_per_s``,
    ``p50_ms``, ``p99_ms``, ``connect_s``, ``errors``, ``refused_ok`` ...) and ``ratios``
    (per Flask-SocketIO mode: ``throughput``, ``p99`` against the baseline, and ``meets_goal``).
    """
    unknown = [m for m in modes if m not in SERVERS]
    if unknown:
        raise ValueError(f"unknown modes {unknown}; choose from {sorted(SERVERS)}")
    if clients < 1 or seconds <= 0 or warmup < 0 or procs < 1:
        raise ValueError("clients and procs must be >= 1, seconds > 0, warmup >= 0")
    order = [BASELINE] + [m for m in dict.fromkeys(modes) if m != BASELINE]
    results = {m: measure(m, clients, seconds, warmup, min(procs, clients)) for m in order}
    base = results[BASELINE]
    ratios: dict[str, dict[str, Any]] = {}
    for m in order[1:]:
        r = results[m]
        tput = r["round_trips_per_s"] / base["round_trips_per_s"] if base["round_trips"] else 0.0
        p99 = r["p99_ms"] / base["p99_ms"] if base["round_trips"] else float("inf")
        ratios[m] = {
            "throughput": tput,
            "p99": p99,
            "meets_goal": tput >= GOAL_THROUGHPUT and p99 <= GOAL_P99 and r["errors"] == 0,
        }
    return {
        "settings": {"clients": clients, "seconds": seconds, "warmup": warmup, "procs": procs},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "results": results,
        "ratios": ratios,
    }


def format_table(report: dict[str, Any]) -> str:
    """Render a report from :func:`run` as a fixed-width table."""
    head = (f"{'mode':<10} {'rt/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'connect s':>9} "
            f"{'errors':>6} {'refused':>7} {'srv cpu':>7} {'x rt/s':>6} {'x p99':>6} "
            f"{'goal':>4}  server")
    lines = [head, "-" * len(head)]
    for mode, r in report["results"].items():
        ratio = report["ratios"].get(mode)
        rel = f"{'base':>6} {'':>6} {'':>4}"
        if ratio:
            rel = (f"{ratio['throughput']:>6.2f} {ratio['p99']:>6.2f} "
                   f"{'yes' if ratio['meets_goal'] else 'no':>4}")
        lines.append(
            f"{mode:<10} {r['round_trips_per_s']:>8.0f} {r['p50_ms']:>7.2f} {r['p99_ms']:>7.2f} "
            f"{r['connect_s']:>9.2f} {r['errors']:>6} {'yes' if r['refused_ok'] else 'NO':>7} "
            f"{r['server_cpu']:>7.0%} "
            f"{rel}  {SERVERS[mode]}"
        )
    s = report["settings"]
    lines.append(
        f"{s['clients']} kiosks in {s['procs']} load process(es), {s['warmup']:g} s warm-up, "
        f"{s['seconds']:g} s measured, {report['machine']['cpus']} CPUs; goal: "
        f">= {GOAL_THROUGHPUT}x baseline rt/s and p99 <= {GOAL_P99}x baseline p99"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print the table (and, with ``--json``, the whole report)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=100, help="kiosks (default 100)")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds (10)")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds (2)")
    parser.add_argument("--modes", default=",".join(MODES),
                        help=f"comma-separated Flask-SocketIO modes (default {','.join(MODES)})")
    parser.add_argument("--procs", type=int, default=1, help="load generator processes (1)")
    parser.add_argument("--json", action="store_true", help="also print the report as JSON")
    args = parser.parse_args(argv)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    report = run(modes, args.clients, args.seconds, args.warmup, args.procs)
    print(format_table(report))
    if args.json:
        for r in report["results"].values():
            r.pop("connect_errors", None)
        print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
