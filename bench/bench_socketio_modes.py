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

import importlib
import importlib.util
import math
import os
import platform
import statistics
import sys
from collections.abc import Sequence
from typing import Any

# Imported as bench.bench_socketio_modes, or run as a script with bench/ on sys.path.
_PEERS = "bench.socketio_peers" if __package__ == "bench" else "socketio_peers"
measure = importlib.import_module(f"{_PEERS}.runner").measure
_report = importlib.import_module(f"{_PEERS}.report")
parser_for, show = _report.parser_for, _report.show

BASELINE = "asgi"
MODES = ("threading", "gevent")
SERVERS = {
    "asgi": "python-socketio AsyncServer, uvicorn (h11 + wsproto)",
    "threading": "Flask-SocketIO threading, Werkzeug + simple-websocket",
    "gevent": "Flask-SocketIO gevent, gevent pywsgi + "
    + ("gevent-websocket" if importlib.util.find_spec("geventwebsocket") else "simple-websocket"),
}
GOAL_THROUGHPUT = 0.8
GOAL_P99 = 1.5
MEDIAN_KEYS = ("round_trips_per_s", "p50_ms", "p99_ms", "connect_s", "server_cpu", "load_cpu",
               "rt_per_cpu_s")


def _combine(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Median of each figure over the rounds of one mode; errors are summed."""
    out = dict(rounds[-1])
    for key in MEDIAN_KEYS:
        out[key] = statistics.median(r[key] for r in rounds)
    out["errors"] = sum(r["errors"] for r in rounds)
    out["round_trips"] = sum(r["round_trips"] for r in rounds)
    out["refused_ok"] = all(r["refused_ok"] for r in rounds)
    return out


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 and math.isfinite(b) else float("nan")


def run(
    modes: Sequence[str] = MODES,
    clients: int = 100,
    seconds: float = 10.0,
    warmup: float = 2.0,
    procs: int = 1,
    rounds: int = 1,
) -> dict[str, Any]:
    """Measure each mode in ``modes`` and the ASGI baseline; return figures and ratios.

    With ``rounds`` > 1 the modes are measured in turn that many times (baseline first
    each round) and each figure is the median over the rounds.

    The result has ``settings``, ``machine``, ``results`` (per mode: ``round_trips_per_s``,
    ``p50_ms``, ``p99_ms``, ``connect_s``, ``errors``, ``refused_ok``, ``server_cpu``,
    ``rt_per_cpu_s`` ...), ``rounds`` (the figures of each round) and ``ratios`` (per
    Flask-SocketIO mode against the baseline: ``throughput``, ``p99``, ``per_cpu`` and
    ``meets_goal``).
    """
    unknown = [m for m in modes if m not in SERVERS]
    if unknown:
        raise ValueError(f"unknown modes {unknown}; choose from {sorted(SERVERS)}")
    if clients < 1 or seconds <= 0 or warmup < 0 or procs < 1 or rounds < 1:
        raise ValueError("clients, procs and rounds must be >= 1, seconds > 0, warmup >= 0")
    order = [BASELINE] + [m for m in dict.fromkeys(modes) if m != BASELINE]
    per_round: list[dict[str, dict[str, Any]]] = []
    for _ in range(rounds):
        figures = {m: measure(m, clients, seconds, warmup, min(procs, clients)) for m in order}
        for r in figures.values():
            r["rt_per_cpu_s"] = _ratio(r["round_trips_per_s"], r["server_cpu"])
        per_round.append(figures)
    results = {m: _combine([fr[m] for fr in per_round]) for m in order}
    base = results[BASELINE]
    ratios: dict[str, dict[str, Any]] = {}
    for m in order[1:]:
        r = results[m]
        tput = _ratio(r["round_trips_per_s"], base["round_trips_per_s"])
        p99 = _ratio(r["p99_ms"], base["p99_ms"])
        ratios[m] = {
            "throughput": tput,
            "p99": p99,
            "per_cpu": _ratio(r["rt_per_cpu_s"], base["rt_per_cpu_s"]),
            "meets_goal": tput >= GOAL_THROUGHPUT and p99 <= GOAL_P99 and r["errors"] == 0,
        }
    return {
        "settings": {"clients": clients, "seconds": seconds, "warmup": warmup, "procs": procs,
                     "rounds": rounds},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "results": results,
        "rounds": per_round,
        "ratios": ratios,
    }


def format_table(report: dict[str, Any]) -> str:
    """Render a report from :func:`run` as a fixed-width table."""
    head = (f"{'mode':<10} {'rt/s':>6} {'p50 ms':>7} {'p99 ms':>7} {'conn s':>6} {'errors':>6} "
            f"{'refused':>7} {'srv cpu':>7} {'rt/cpu-s':>8} {'x rt/s':>6} {'x p99':>6} "
            f"{'x cpu':>6} {'goal':>4}")
    lines = [head, "-" * len(head)]
    for mode, r in report["results"].items():
        ratio = report["ratios"].get(mode)
        rel = f"{'base':>6} {'':>6} {'':>6} {'':>4}"
        if ratio:
            rel = (f"{ratio['throughput']:>6.2f} {ratio['p99']:>6.2f} {ratio['per_cpu']:>6.2f} "
                   f"{'yes' if ratio['meets_goal'] else 'no':>4}")
        lines.append(
            f"{mode:<10} {r['round_trips_per_s']:>6.0f} {r['p50_ms']:>7.1f} {r['p99_ms']:>7.1f} "
            f"{r['connect_s']:>6.2f} {r['errors']:>6} {'yes' if r['refused_ok'] else 'NO':>7} "
            f"{r['server_cpu']:>7.0%} {r['rt_per_cpu_s']:>8.0f} {rel}"
        )
    s = report["settings"]
    lines.append("")
    lines.extend(f"{mode:<10} {server}" for mode, server in SERVERS.items()
                 if mode in report["results"])
    if s["rounds"] > 1:
        for mode in report["ratios"]:
            each = ", ".join(
                f"{fr[mode]['round_trips_per_s'] / fr[BASELINE]['round_trips_per_s']:.2f}"
                for fr in report["rounds"]
            )
            lines.append(f"{mode}: x rt/s in each round: {each}")
    lines.append(
        f"{s['clients']} kiosks in {s['procs']} load process(es), {s['warmup']:g} s warm-up, "
        f"{s['seconds']:g} s measured, median of {s['rounds']} round(s), "
        f"{report['machine']['cpus']} CPUs. Goal: >= {GOAL_THROUGHPUT}x baseline rt/s and "
        f"p99 <= {GOAL_P99}x baseline p99. 'x cpu' compares round trips per server CPU-second."
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print the table (and, with ``--json``, the whole report)."""
    parser = parser_for(__doc__)
    parser.add_argument("--clients", type=int, default=100, help="kiosks (default 100)")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds (10)")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds (2)")
    parser.add_argument("--modes", default=",".join(MODES),
                        help=f"comma-separated Flask-SocketIO modes (default {','.join(MODES)})")
    parser.add_argument("--procs", type=int, default=1, help="load generator processes (1)")
    parser.add_argument("--rounds", type=int, default=2,
                        help="measure every mode this many times, in turn; report medians (2)")
    args = parser.parse_args(argv)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    report = run(modes, args.clients, args.seconds, args.warmup, args.procs, args.rounds)
    return show(report, format_table, args.json)


if __name__ == "__main__":
    sys.exit(main())
