"""Run every benchmark at a modest size, one after another: ``python -m bench [NAME ...]``.

Each benchmark runs in its own process (``python -m bench.bench_NAME ...``) so that one's
imports (gevent's monkey-patching, Panda3D) cannot touch another's figures, and prints its
table with its baseline from the same run. NAME is ``ingest`` or ``bench_ingest``; without
names every benchmark runs. For full-size runs and other options run a module directly,
e.g. ``python -m bench.bench_fanout --help``. ``make bench`` runs ``python -m bench``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# name -> arguments for a modest run (a few tens of seconds each on 2 cores)
DEFAULTS: dict[str, list[str]] = {
    "classify": ["--points", "200000", "--repeat", "2"],
    "single_point": ["--points", "20000"],
    "stream": ["--points", "5000000"],
    "render": ["--repeat", "5"],
    "kiosk_fps": ["--frames", "60"],
    "socketio_modes": ["--seconds", "5", "--rounds", "1"],
    "ingest": ["--batches", "30", "--warmup", "10"],
    "fanout": ["--kiosks", "500", "--rounds", "5"],
    "heartbeat": ["--clients", "100", "--seconds", "5"],
    "soak": ["--seconds", "60"],
    "report": ["--events", "1000000"],
}


def select(names: Sequence[str]) -> list[str]:
    """The benchmarks to run, in the default order; raise ValueError naming unknown ones."""
    wanted = [n.removeprefix("bench_").removesuffix(".py") for n in names]
    unknown = [n for n in wanted if n not in DEFAULTS]
    if unknown:
        raise ValueError(f"unknown benchmark(s) {unknown}; choose from {sorted(DEFAULTS)}")
    return [n for n in DEFAULTS if n in wanted] if wanted else list(DEFAULTS)


def run_one(name: str) -> tuple[int, float]:
    """Run one benchmark, its output going straight to ours; return (exit code, seconds)."""
    cmd = [sys.executable, "-m", f"bench.bench_{name}", *DEFAULTS[name]]
    print(f"\n=== bench_{name}: {' '.join(cmd[1:])}", flush=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    t0 = time.monotonic()
    code = subprocess.call(cmd, cwd=ROOT, env=env)
    return code, time.monotonic() - t0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen benchmarks; exit non-zero when any of them failed."""
    args = list(sys.argv[1:] if argv is None else argv)
    if any(a in ("-h", "--help") for a in args):
        print(__doc__)
        print("benchmarks:", ", ".join(DEFAULTS))
        return 0
    try:
        names = select(args)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    outcomes = {name: run_one(name) for name in names}
    print("\n=== summary")
    for name, (code, seconds) in outcomes.items():
        print(f"bench_{name:<15} {'ok' if code == 0 else f'FAILED ({code})':<12} {seconds:6.1f} s")
    return 0 if all(code == 0 for code, _ in outcomes.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
