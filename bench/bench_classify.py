"""Zone classification: 1,000,000 points x 1,000 zones (64-gons), ZoneIndex vs geopandas.sjoin.

Run: ``.venv/bin/python bench/bench_classify.py [--points N] [--max-cells N]``. The zones
(40 visitor areas, each holding 24 caves; all 64-gons) and points are synthetic and seeded,
and are shared with bench_single_point.py and bench_stream.py.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from geo import ZoneIndex  # noqa: E402


def ngon(cx: float, cy: float, r: float, n: int = 64, phase: float = 0.0) -> shapely.Polygon:
    """A regular n-gon (stretched in lon so it is round on the ground at lat 40)."""
    t = phase + np.linspace(0.0, 2.0 * np.pi, n, endpoint=False)
    return shapely.Polygon(np.column_stack([cx + r * np.cos(t) / 0.766, cy + r * np.sin(t)]))


def zone_tree(parents_x: int = 8, parents_y: int = 5, seed: int = 7) -> gpd.GeoDataFrame:
    """Return 40 parent 64-gons with 24 child 64-gons each: 1,000 zones near Dunhuang."""
    rng = np.random.default_rng(seed)
    ids: list[str] = []
    parent_ids: list[str | None] = []
    geoms: list = []
    step = 0.012
    for j in range(parents_y):
        for i in range(parents_x):
            cx, cy = 94.75 + i * step / 0.766, 40.00 + j * step
            r = step * 0.48
            pid = f"va{j:02d}{i:02d}"
            ids.append(pid)
            parent_ids.append(None)
            geoms.append(ngon(cx, cy, r, phase=rng.uniform(0, 1)))
            cell = 2 * r / np.sqrt(2) / 5
            for a in range(5):
                for b in range(5):
                    if a == 2 and b == 2:
                        continue
                    ccx = cx + (-2 + a) * cell / 0.766
                    ccy = cy + (-2 + b) * cell
                    ids.append(f"{pid}c{a}{b}")
                    parent_ids.append(pid)
                    geoms.append(ngon(ccx, ccy, cell * rng.uniform(0.3, 0.48),
                                      phase=rng.uniform(0, 1)))
    return gpd.GeoDataFrame({"id": ids, "parent_id": parent_ids}, geometry=geoms,
                            crs="EPSG:4326")


def random_points(zones: gpd.GeoDataFrame, n: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Uniform random lon/lat points over the zones' bounds (plus a small margin)."""
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = zones.total_bounds
    mx, my = (x1 - x0) * 0.02, (y1 - y0) * 0.02
    return rng.uniform(x0 - mx, x1 + mx, n), rng.uniform(y0 - my, y1 + my, n)


def sjoin_answers(zones: gpd.GeoDataFrame, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """geopandas.sjoin(predicate="within") reduced to the deepest zone a point; and its time."""
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=zones.crs)
    t0 = time.perf_counter()
    joined = gpd.sjoin(pts, zones, predicate="within")
    elapsed = time.perf_counter() - t0
    depth = zones["parent_id"].map(lambda p: 1 if isinstance(p, str) else 0).to_numpy()
    left = joined.index.to_numpy()
    right = joined["index_right"].to_numpy()
    order = np.argsort(depth[right], kind="stable")  # deepest written last wins
    answer = np.full(len(x), -1, dtype=np.int64)
    answer[left[order]] = right[order]
    return answer, elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--max-cells", type=int, default=1 << 23)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    zones = zone_tree()
    x, y = random_points(zones, args.points)
    print(f"zones: {len(zones)} (64-gons: 40 areas x 24 caves), points: {args.points:,}")

    t0 = time.perf_counter()
    index = ZoneIndex.build(zones, max_cells=args.max_cells)
    build_s = time.perf_counter() - t0
    g = index.grid
    print(f"ZoneIndex.build: {build_s:.2f} s (goal < 5 s); grid {g.nx} x {g.ny}, "
          f"{len(g.edges):,} one-edge/vertex cells, {(g.codes == -2).sum():,} exact-test cells")
    sj_times = []
    for _ in range(2):
        ref, t = sjoin_answers(zones, x, y)
        sj_times.append(t)
    sj = min(sj_times)
    ours = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        ids = index.classify(x, y)
        ours.append(time.perf_counter() - t0)
    t = min(ours)
    lookup = np.array([*zones["id"], None], dtype=object)
    same = bool((ids == lookup[ref]).all())
    print(f"baseline geopandas.sjoin(predicate='within'): {sj:.3f} s = "
          f"{args.points / sj / 1e6:.2f} M points/s (best of {len(sj_times)})")
    print(f"ZoneIndex.classify:                           {t:.3f} s = "
          f"{args.points / t / 1e6:.2f} M points/s (best of {args.repeat}; median "
          f"{np.median(ours):.3f} s)")
    print(f"speed-up: {sj / t:.1f}x (goal >= 20x); identical answers: {same} "
          f"({int((ref >= 0).sum()):,} points inside a zone)")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
