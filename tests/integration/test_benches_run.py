"""The live-venue benchmarks run end to end at a tiny size (figures are not judged here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def run_bench(name: str, *args: str) -> dict[str, Any]:
    """Run ``python -m bench.NAME ARGS --json``; return the JSON report it prints after its table."""
    done = subprocess.run([sys.executable, "-m", f"bench.{name}", *args, "--json"], cwd=ROOT,
                          capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr[-2000:]
    table, _, report = done.stdout.partition("\n{")
    assert "goal" in table.lower()
    return json.loads("{" + report)  # type: ignore[no-any-return]


def test_ingest_bench_posts_every_batch_and_measures_the_raw_baseline() -> None:
    report = run_bench("bench_ingest", "--batches", "3", "--warmup", "1", "--size", "200",
                       "--threads", "1,2")
    assert set(report["results"]) == {"http x1", "http x2"}
    for r in report["results"].values():
        assert r["positions_per_s"] > 0
        assert 0 < r["classified"] <= 1
    assert report["raw"]["positions_per_s"] > 0


def test_fanout_bench_delivers_every_command_to_every_kiosk_on_both_servers() -> None:
    report = run_bench("bench_fanout", "--kiosks", "4", "--rounds", "2")
    for r in report["results"].values():
        assert r["deliveries"] == 8
        assert r["missing"] == 0
        assert r["p99_ms"] > 0


def test_heartbeat_bench_gets_acks_from_lantern_and_the_baseline_without_errors() -> None:
    report = run_bench("bench_heartbeat", "--clients", "3", "--seconds", "0.5", "--warmup", "0.2")
    for r in report["results"].values():
        assert r["round_trips"] > 0
        assert r["errors"] == 0
        assert r["refused_ok"]
