"""Kiosk heartbeat round trips against the real Lantern server, beside python-socketio on uvicorn.

Lantern: ``python -m server run`` (gevent mode, the real venues, a fresh SQLite file), with
kiosks registered over REST; each load-generator kiosk connects to ``/kiosk`` with its real
id and token, then calls ``heartbeat`` ``{"scene": "mogao_cave", "state": "playing",
"fps": 30.0}`` and waits for the ack, in a loop. The server's own handler runs: rate limiter,
kiosk lookup, validation with the ``Heartbeat`` model, the beat kept for the hub, whose
loop writes the beats to the database every 0.2 s and tells operators.

Baseline in the same run: python-socketio's ``AsyncServer`` on uvicorn whose handler
validates with the same ``Heartbeat`` model and keeps the beat in a dict
(``socketio_peers.serve`` mode ``asgi-validating``), driven by the same load generator.
Goal: >= 0.8x the baseline's round trips/s and p99 <= 1.5x its p99. Round trips per server
CPU-second are shown too, since the machine is shared.

    .venv/bin/python -m bench.bench_heartbeat [--clients 100] [--seconds 10] [--rounds 1]
"""

from __future__ import annotations

import json
import math
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.socketio_peers.report import parser_for, show  # noqa: E402
from bench.socketio_peers.runner import drive, measure  # noqa: E402
from bench.socketio_peers.venue import create_kiosks, live_server  # noqa: E402

GOAL_THROUGHPUT = 0.8
GOAL_P99 = 1.5
BASELINE = "asgi-validating"
KEYS = ("round_trips_per_s", "p50_ms", "p99_ms", "connect_s", "server_cpu", "rt_per_cpu_s")


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 and math.isfinite(b) else float("nan")


def measure_lantern(clients: int, seconds: float, warmup: float, procs: int) -> dict[str, Any]:
    """Start a Lantern server, register ``clients`` kiosks and drive them; return the figures."""
    with live_server(LANTERN_SOCKET_RATE="100000") as server, \
            tempfile.NamedTemporaryFile("w", suffix=".json") as creds:
        json.dump(create_kiosks(server, clients, group="bench"), creds)
        creds.flush()
        assert server.proc is not None
        return {"mode": "lantern",
                **drive(server.url, server.proc.pid, clients, seconds, warmup, procs, creds.name)}


def run(clients: int = 100, seconds: float = 10.0, warmup: float = 2.0, procs: int = 1,
        rounds: int = 1) -> dict[str, Any]:
    """Measure the baseline then Lantern, ``rounds`` times; figures are medians over rounds."""
    if clients < 1 or seconds <= 0 or warmup < 0 or procs < 1 or rounds < 1:
        raise ValueError("clients, procs and rounds must be >= 1, seconds > 0, warmup >= 0")
    per_round = []
    for _ in range(rounds):
        figures = {"baseline": measure(BASELINE, clients, seconds, warmup, min(procs, clients)),
                   "lantern": measure_lantern(clients, seconds, warmup, min(procs, clients))}
        for r in figures.values():
            r["rt_per_cpu_s"] = _ratio(r["round_trips_per_s"], r["server_cpu"])
        per_round.append(figures)
    results: dict[str, dict[str, Any]] = {}
    for name in ("baseline", "lantern"):
        results[name] = dict(per_round[-1][name])
        for key in KEYS:
            results[name][key] = statistics.median(fr[name][key] for fr in per_round)
        results[name]["errors"] = sum(fr[name]["errors"] for fr in per_round)
    base, lan = results["baseline"], results["lantern"]
    tput = _ratio(lan["round_trips_per_s"], base["round_trips_per_s"])
    p99 = _ratio(lan["p99_ms"], base["p99_ms"])
    ratios = {"throughput": tput, "p99": p99,
              "per_cpu": _ratio(lan["rt_per_cpu_s"], base["rt_per_cpu_s"]),
              "meets_goal": tput >= GOAL_THROUGHPUT and p99 <= GOAL_P99 and lan["errors"] == 0}
    return {"settings": {"clients": clients, "seconds": seconds, "warmup": warmup,
                         "procs": procs, "rounds": rounds},
            "results": results, "ratios": ratios, "rounds": per_round}


def format_table(report: dict[str, Any]) -> str:
    """Render a report from :func:`run` as a fixed-width table."""
    head = (f"{'server':<28} {'rt/s':>6} {'p50 ms':>7} {'p99 ms':>7} {'conn s':>6} "
            f"{'errors':>6} {'srv cpu':>7} {'rt/cpu-s':>8}")
    lines = [head, "-" * len(head)]
    names = {"baseline": "python-socketio uvicorn", "lantern": "Lantern (gevent)"}
    for key, r in report["results"].items():
        lines.append(f"{names[key]:<28} {r['round_trips_per_s']:>6.0f} {r['p50_ms']:>7.1f} "
                     f"{r['p99_ms']:>7.1f} {r['connect_s']:>6.2f} {r['errors']:>6} "
                     f"{r['server_cpu']:>7.0%} {r['rt_per_cpu_s']:>8.0f}")
    x, s = report["ratios"], report["settings"]
    lines += ["", f"Lantern / baseline: x rt/s {x['throughput']:.2f}, x p99 {x['p99']:.2f}, "
              f"x rt/cpu-s {x['per_cpu']:.2f}. Goal (>= {GOAL_THROUGHPUT}x rt/s, p99 <= "
              f"{GOAL_P99}x, no errors): {'met' if x['meets_goal'] else 'NOT met'}.",
              f"{s['clients']} kiosks in {s['procs']} load process(es), {s['warmup']:g} s warm-up, "
              f"{s['seconds']:g} s measured, median of {s['rounds']} round(s)."]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print the table (and, with ``--json``, the whole report)."""
    parser = parser_for(__doc__)
    parser.add_argument("--clients", type=int, default=100, help="kiosks (100)")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds (10)")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds (2)")
    parser.add_argument("--procs", type=int, default=1, help="load generator processes (1)")
    parser.add_argument("--rounds", type=int, default=1, help="rounds; figures are medians (1)")
    args = parser.parse_args(argv)
    report = run(args.clients, args.seconds, args.warmup, args.procs, args.rounds)
    return show(report, format_table, args.json)


if __name__ == "__main__":
    sys.exit(main())
