"""The geo benchmarks run end to end at a small size and agree with their baselines."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("script, args, expect", [
    ("bench_classify.py", ["--points", "30000", "--max-cells", "200000", "--repeat", "1"],
     "identical answers: True"),
    ("bench_single_point.py", ["--points", "3000"], "identical answers: True"),
    ("bench_stream.py", ["--points", "3000000", "--chunk", "500000"], "RSS:"),
])
def test_the_benchmark_runs_and_its_answers_match_the_baseline(script: str, args: list[str],
                                                                expect: str) -> None:
    out = subprocess.run([sys.executable, str(ROOT / "bench" / script), *args], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert expect in out.stdout
