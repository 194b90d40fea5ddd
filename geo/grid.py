"""Rasterise a zone tree into a lookup grid for :class:`geo.classify.ZoneIndex`.

Each cell of a uniform grid over the zones' bounds gets one code:

* ``>= 0``: no zone edge comes near the cell; every point in it lies in that zone (an index
  into the zone list), found by a scanline fill at the cell centres, deepest zone last;
* ``-1``: no edge near and no zone: outside every zone;
* ``-2``: several edges (or a vertex) pass through the cell: points there take the exact test;
* ``<= -3``: exactly one edge of one zone crosses the cell, or two edges of one zone meeting
  at a vertex in the cell: slot ``-3 - code`` holds the two edges (the same edge twice for
  one), whether their vertex is convex, and the zone inside and outside; one or two
  orientation tests (with a floating-point error bound) answer.

The grid has one ring of empty cells around the zones, so positions beyond the bounds (and
NaN) can be clamped onto it instead of masked.

"Near" is conservative: an edge within ``EPS`` cell widths of a cell counts as crossing it,
so rounding in the grid arithmetic never puts a point into a cell whose code is wrong for it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

EPS = 1e-6  # cell widths; far above the rounding error of the grid coordinates
OUTSIDE, COMPLEX, FIRST_SLOT = -1, -2, -3


@dataclass
class Grid:
    """The lookup grid: origin, cell size, codes, and the single-edge slots."""

    x0: float
    y0: float
    inv: float
    nx: int
    ny: int
    codes: np.ndarray  # int32, shape (ny * nx,)
    edges: np.ndarray  # float64, (slots, 8): ax, ay, bx, by of the edge into the vertex, of
    #                    the edge out of it (the same edge twice for single-edge cells)
    convex: np.ndarray  # bool, (slots,): inside = left of both edges (else: left of either)
    sides: np.ndarray  # int32, (slots, 2): zone inside, zone outside


def zone_edges(polys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(edges (m, 4), zone (m,))`` of all rings, interiors on the left of each edge."""
    oriented = shapely.orient_polygons(polys, exterior_cw=False)
    parts, part_zone = shapely.get_parts(oriented, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    same = ring_of[:-1] == ring_of[1:]
    edges = np.column_stack([coords[:-1][same], coords[1:][same]])
    zone = part_zone[ring_part[ring_of[:-1][same]]]
    keep = (edges[:, 0] != edges[:, 2]) | (edges[:, 1] != edges[:, 3])
    return edges[keep], zone[keep].astype(np.int32)


def build_grid(polys: np.ndarray, parent: np.ndarray, depth: np.ndarray,
               max_cells: int) -> Grid:
    """Rasterise zone polygons (lon/lat) with their tree (parent index, depth) into a Grid."""
    xmin, ymin, xmax, ymax = shapely.total_bounds(polys)
    span = max(xmax - xmin, ymax - ymin, 1e-9)
    w, h = max(xmax - xmin, span * 1e-3), max(ymax - ymin, span * 1e-3)
    dx = max(np.sqrt(w * h / max_cells), span / 65536)
    # one empty cell (plus a margin far above EPS) on every side
    xmin, ymin = xmin - 1.01 * dx, ymin - 1.01 * dx
    nx, ny = int(np.ceil(w / dx)) + 3, int(np.ceil(h / dx)) + 3
    inv = 1.0 / dx
    edges, ezone = zone_edges(polys)
    g = np.empty_like(edges)
    g[:, 0::2] = (edges[:, 0::2] - xmin) * inv
    g[:, 1::2] = (edges[:, 1::2] - ymin) * inv
    fill = _fill(g, ezone, depth, nx, ny)
    cells, e1, e2, count = _incidence(g, nx, ny)
    codes = fill.copy()
    codes[cells] = COMPLEX
    e_in, e_out, convex, ok = _wedges(edges, ezone, e1, e2, count)
    inside = ezone[e_in]
    outside = parent[inside].astype(np.int32)
    centre = fill[cells]
    # a cell-centre label that is neither side means the tree assumption failed there
    ok &= (centre == inside) | (centre == outside)
    slot_cells = cells[ok]
    codes[slot_cells] = FIRST_SLOT - np.arange(len(slot_cells), dtype=np.int32)
    return Grid(float(xmin), float(ymin), float(inv), nx, ny, codes,
                np.column_stack([edges[e_in[ok]], edges[e_out[ok]]]), convex[ok],
                np.column_stack([inside[ok], outside[ok]]).astype(np.int32))


def _wedges(edges: np.ndarray, ezone: np.ndarray, e1: np.ndarray, e2: np.ndarray,
            count: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Order each cell's one or two edges as (into vertex, out of vertex); flag usable cells."""
    two = count == 2
    a, b = edges[e1], edges[e2]
    b_follows = (a[:, 2] == b[:, 0]) & (a[:, 3] == b[:, 1])
    a_follows = (b[:, 2] == a[:, 0]) & (b[:, 3] == a[:, 1])
    e_in = np.where(two & a_follows & ~b_follows, e2, e1)
    e_out = np.where(two & a_follows & ~b_follows, e1, np.where(two, e2, e1))
    ok = (count == 1) | (two & (ezone[e1] == ezone[e2]) & (a_follows ^ b_follows))
    p, q = edges[e_in], edges[e_out]
    left = (p[:, 0] - q[:, 2]) * (p[:, 3] - q[:, 3])
    right = (p[:, 1] - q[:, 3]) * (p[:, 2] - q[:, 2])
    det = left - right
    sure = np.abs(det) > 4e-16 * (np.abs(left) + np.abs(right))
    ok &= (count == 1) | sure
    return e_in, e_out, (count == 1) | (det > 0), ok


def _fill(g: np.ndarray, ezone: np.ndarray, depth: np.ndarray, nx: int, ny: int) -> np.ndarray:
    """Label cell centres with the deepest zone containing them (-1 for none)."""
    u1, v1, u2, v2 = g.T
    lo, hi = np.minimum(v1, v2), np.maximum(v1, v2)
    # rows whose centre r + 0.5 lies in [lo, hi): half-open, so vertices count once
    r0 = np.clip(np.ceil(lo - 0.5), 0, ny).astype(np.int64)
    r1 = np.clip(np.ceil(hi - 0.5), 0, ny).astype(np.int64)
    n = r1 - r0
    idx = np.repeat(np.arange(len(g)), n)
    rows = np.repeat(r0 - np.cumsum(n) + n, n) + np.arange(n.sum())
    vc = rows + 0.5
    u = u1[idx] + (vc - v1[idx]) * (u2[idx] - u1[idx]) / (v2[idx] - v1[idx])
    zone = ezone[idx]
    order = np.lexsort((u, rows, zone))
    u, rows, zone = u[order], rows[order], zone[order]
    start = np.clip(np.ceil(u[0::2] - 0.5), 0, nx).astype(np.int64)
    stop = np.clip(np.ceil(u[1::2] - 0.5), 0, nx).astype(np.int64)
    srow, szone = rows[0::2], zone[0::2]
    labels = np.full(ny * nx, OUTSIDE, dtype=np.int32)
    for d in np.unique(depth):
        pick = depth[szone] == d
        if not pick.any():
            continue
        diff = np.zeros((ny, nx + 1), dtype=np.int32)
        np.add.at(diff, (srow[pick], start[pick]), szone[pick] + 1)
        np.add.at(diff, (srow[pick], stop[pick]), -(szone[pick] + 1))
        level = np.cumsum(diff, axis=1, dtype=np.int32)[:, :nx].ravel()
        inside = level > 0
        labels[inside] = level[inside] - 1
    return labels


def _incidence(g: np.ndarray, nx: int, ny: int
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return cells touched by edges (within EPS), their first two edges, edges per cell."""
    u1, v1, u2, v2 = g.T
    lo, hi = np.minimum(v1, v2) - EPS, np.maximum(v1, v2) + EPS
    r0 = np.clip(np.floor(lo), 0, ny - 1).astype(np.int64)
    r1 = np.clip(np.floor(hi), 0, ny - 1).astype(np.int64)
    n = r1 - r0 + 1
    idx = np.repeat(np.arange(len(g)), n)
    rows = np.repeat(r0 - np.cumsum(n) + n, n) + np.arange(n.sum())
    a, b = u1[idx], u2[idx]
    va, vb = v1[idx], v2[idx]
    dv = vb - va
    flat = np.abs(dv) < 1e-300
    with np.errstate(divide="ignore", invalid="ignore"):
        ta = np.clip((rows - EPS - va) / dv, 0.0, 1.0)
        tb = np.clip((rows + 1 + EPS - va) / dv, 0.0, 1.0)
    ua = np.where(flat, a, a + ta * (b - a))
    ub = np.where(flat, b, a + tb * (b - a))
    c0 = np.clip(np.floor(np.minimum(ua, ub) - EPS), 0, nx - 1).astype(np.int64)
    c1 = np.clip(np.floor(np.maximum(ua, ub) + EPS), 0, nx - 1).astype(np.int64)
    m = c1 - c0 + 1
    edge = np.repeat(idx, m)
    cell = np.repeat(rows * nx + c0 - np.cumsum(m) + m, m) + np.arange(m.sum())
    order = np.argsort(cell, kind="stable")
    cell, edge = cell[order], edge[order]
    cells, first, count = np.unique(cell, return_index=True, return_counts=True)
    second = np.minimum(first + 1, len(edge) - 1)
    return cells, edge[first], edge[second], count
