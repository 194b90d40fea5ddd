"""The live-venue benchmarks run end to end at a tiny size (figures are not judged here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
TINY = {
    "bench_ingest": ["--batches", "2", "--warmup", "1", "--size", "100", "--threads", "2"],
    "bench_fanout": ["--kiosks", "3", "--rounds", "1"],
    "bench_heartbeat": ["--clients", "2", "--seconds", "0.3", "--warmup", "0.1"],
    "bench_history": ["--positions", "20000"],
}


@pytest.fixture(scope="module")
def reports() -> dict[str, dict[str, Any]]:
    """Run the benchmarks side by side (``--json``); their reports by name.

    They run at once to keep this module short; the figures mean nothing at this size.
    """
    procs = {name: subprocess.Popen([sys.executable, "-m", f"bench.{name}", *args, "--json"],
                                    cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True)
             for name, args in TINY.items()}
    out: dict[str, dict[str, Any]] = {}
    for name, proc in procs.items():
        stdout, stderr = proc.communicate(timeout=300)  # four servers at once on two cores
        assert proc.returncode == 0, f"{name}: {stderr[-2000:]}"
        table, _, report = stdout.partition("\n{")
        assert "goal" in table.lower(), table
        out[name] = json.loads("{" + report)
    return out


def test_ingest_bench_posts_every_batch_and_measures_the_raw_baseline(
        reports: dict[str, dict[str, Any]]) -> None:
    report = reports["bench_ingest"]
    assert set(report["results"]) == {"http x2"}
    for r in report["results"].values():
        assert r["positions_per_s"] > 0
        assert 0 < r["classified"] <= 1
    assert report["raw"]["positions_per_s"] > 0


def test_fanout_bench_delivers_every_command_to_every_kiosk_on_both_servers(
        reports: dict[str, dict[str, Any]]) -> None:
    report = reports["bench_fanout"]
    for r in report["results"].values():
        assert r["deliveries"] == 3
        assert r["missing"] == 0
        assert r["p99_ms"] > 0


def test_heartbeat_bench_gets_acks_from_lantern_and_the_baseline_without_errors(
        reports: dict[str, dict[str, Any]]) -> None:
    report = reports["bench_heartbeat"]
    for r in report["results"].values():
        assert r["round_trips"] > 0
        assert r["errors"] == 0
        assert r["refused_ok"]


def test_history_bench_writes_the_positions_through_the_use_cases_and_times_the_raw_insert(
        reports: dict[str, dict[str, Any]]) -> None:
    report = reports["bench_history"]
    history, raw = report["history"], report["raw"]
    assert 0.5 * 20_000 < history["positions"] == raw["positions"] < 1.5 * 20_000
    assert history["rows"]["zone_transitions"] > 0 and history["rows"]["sensor_readings"] > 0
    assert history["rows"]["visitor_presence"] == 0  # everyone left by the end
    assert history["positions_per_s"] > 0 and raw["positions_per_s"] > 0
