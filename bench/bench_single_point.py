"""One position, warm index: ZoneIndex.classify_one latency beside STRtree.query on one point.

Run: ``.venv/bin/python bench/bench_single_point.py [--points N]``. Same 1,000 zones as
bench_classify.py. Each call is timed on its own with ``perf_counter_ns``; the figures
include the timer's own overhead (measured and printed too).
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_classify import random_points, zone_tree  # noqa: E402

from geo import ZoneIndex  # noqa: E402


def percentiles(ns: list[int]) -> str:
    a = np.asarray(ns) / 1000.0
    return (f"p50 {np.percentile(a, 50):6.2f} us  p99 {np.percentile(a, 99):6.2f} us  "
            f"p99.9 {np.percentile(a, 99.9):7.2f} us")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=100_000)
    args = parser.parse_args()
    zones = zone_tree()
    index = ZoneIndex.build(zones, max_cells=1 << 23)
    x, y = random_points(zones, args.points, seed=11)
    xs, ys = x.tolist(), y.tolist()
    geoms = np.asarray(zones.geometry.array)
    tree = shapely.STRtree(geoms)
    depth = np.array([1 if isinstance(p, str) else 0 for p in zones["parent_id"]])
    ids = list(zones["id"])
    for a, b in zip(xs[:2000], ys[:2000], strict=True):  # warm up both
        index.classify_one(a, b)
        tree.query(shapely.Point(a, b), predicate="within")

    gc.disable()
    timer = []
    for _ in range(args.points):
        t0 = time.perf_counter_ns()
        timer.append(time.perf_counter_ns() - t0)
    ours, answers = [], []
    for a, b in zip(xs, ys, strict=True):
        t0 = time.perf_counter_ns()
        z = index.classify_one(a, b)
        ours.append(time.perf_counter_ns() - t0)
        answers.append(z)
    base, base_answers = [], []
    for a, b in zip(xs, ys, strict=True):
        t0 = time.perf_counter_ns()
        hits = tree.query(shapely.Point(a, b), predicate="within")
        base.append(time.perf_counter_ns() - t0)
        base_answers.append(ids[hits[np.argmax(depth[hits])]] if len(hits) else None)
    gc.enable()
    same = answers == base_answers
    print(f"{args.points:,} single points, 1,000 zones, warm")
    print(f"timer overhead alone:                          {percentiles(timer)}")
    print(f"baseline STRtree.query(Point, 'within'):       {percentiles(base)}")
    print(f"ZoneIndex.classify_one(lon, lat):              {percentiles(ours)}")
    p99 = np.percentile(np.asarray(ours) / 1000.0, 99)
    print(f"p99 {p99:.2f} us (goal <= 10 us); identical answers: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
