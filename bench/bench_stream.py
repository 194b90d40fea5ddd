"""100 million positions streamed in chunks through one ZoneIndex, memory held flat.

Run: ``.venv/bin/python bench/bench_stream.py [--points N] [--chunk N]``. Points are made
chunk by chunk (never all at once), classified, and counted per zone (the occupancy rollup).
The baseline is geopandas.sjoin on one chunk of the same stream, measured in the same run and
projected to the whole stream. RSS is sampled after every chunk.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_classify import sjoin_answers, zone_tree  # noqa: E402

from geo import ZoneIndex  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=100_000_000)
    parser.add_argument("--chunk", type=int, default=1_000_000)
    args = parser.parse_args()
    proc = psutil.Process()
    zones = zone_tree()
    index = ZoneIndex.build(zones, max_cells=1 << 23)
    x0, y0, x1, y1 = zones.total_bounds
    rng = np.random.default_rng(5)

    x = rng.uniform(x0, x1, args.chunk)
    y = rng.uniform(y0, y1, args.chunk)
    ref, sj = sjoin_answers(zones, x, y)
    first = index.classify_codes(x, y)
    assert (first == ref).all(), "ZoneIndex and sjoin disagree on the baseline chunk"
    del x, y, ref, first

    counts = np.zeros(len(zones) + 1, dtype=np.int64)
    rss_start = proc.memory_info().rss
    rss = []
    done, classify_s, classify_cpu = 0, 0.0, 0.0
    t_start = time.perf_counter()
    while done < args.points:
        n = min(args.chunk, args.points - done)
        x = rng.uniform(x0, x1, n)
        y = rng.uniform(y0, y1, n)
        t0, c0 = time.perf_counter(), time.process_time()
        codes = index.classify_codes(x, y)
        counts += np.bincount(codes + 1, minlength=len(counts))
        classify_s += time.perf_counter() - t0
        classify_cpu += time.process_time() - c0
        done += n
        rss.append(proc.memory_info().rss)
    wall = time.perf_counter() - t_start
    occupancy = index.rollup(dict(zip(index.ids, counts[1:].tolist(), strict=True)))
    top = sum(occupancy[z] for z in index.ids if index.parent[index.ids.index(z)] < 0)
    assert top == done - counts[0]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    mb = 1 / 2**20
    print(f"{done:,} points in chunks of {args.chunk:,}, 1,000 zones")
    print(f"baseline geopandas.sjoin on one chunk: {args.chunk / sj / 1e6:.2f} M points/s -> "
          f"{done / (args.chunk / sj) / 60:.1f} min projected for the stream")
    print(f"ZoneIndex stream: classify+count {classify_s:.1f} s = {done / classify_s / 1e6:.1f} M "
          f"points/s; wall incl. making the points {wall:.1f} s; speed-up "
          f"{(done / classify_s) / (args.chunk / sj):.0f}x")
    print(f"  CPU time of classify+count: {classify_cpu:.1f} s = "
          f"{done / classify_cpu / 1e6:.1f} M points/s (wall and CPU differ when the machine "
          f"is shared)")
    print(f"RSS: {rss_start * mb:.0f} MB before the stream, {rss[0] * mb:.0f} MB after the first "
          f"chunk, {max(rss) * mb:.0f} MB max, {rss[-1] * mb:.0f} MB at the end; process peak "
          f"(incl. the sjoin baseline) {peak * mb:.0f} MB")
    print(f"inside a zone: {done - counts[0]:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
