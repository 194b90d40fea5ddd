"""Synthetic zone trees for the geo benchmarks: 64-gon parents holding 64-gon children."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely


def ngon(cx: float, cy: float, r: float, n: int = 64, phase: float = 0.0) -> shapely.Polygon:
    """A regular n-gon (stretched in lon so it is round on the ground at lat 40)."""
    t = phase + np.linspace(0.0, 2.0 * np.pi, n, endpoint=False)
    return shapely.Polygon(np.column_stack([cx + r * np.cos(t) / 0.766, cy + r * np.sin(t)]))


def zone_tree(parents_x: int = 8, parents_y: int = 5, seed: int = 7) -> gpd.GeoDataFrame:
    """Return 40 parent 64-gons with 24 child 64-gons each: 1,000 zones near Dunhuang."""
    rng = np.random.default_rng(seed)
    ids, parent_ids, geoms = [], [], []
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
