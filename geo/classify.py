"""Exact, fast point-in-zone classification: :class:`ZoneIndex`.

The rule (one rule, everywhere)
-------------------------------
A position belongs to the **deepest zone whose closed polygon (interior or boundary)
contains it**; when several zones of the same depth contain it -- which happens only on an
edge or vertex they share -- the one whose id sorts first (Python string order) wins.
Every position therefore lands in exactly one zone or in none. Away from boundaries this is
the answer of ``geopandas.sjoin(predicate="within")`` followed by "keep the deepest zone".

How it is fast
--------------
A grid (:mod:`geo.grid`) answers most points by one lookup; points in cells crossed by one
edge take one orientation test with a floating-point error bound; only points in cells with
several edges, or too close to an edge to decide, take the exact GEOS test.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from geo.errors import UnknownZoneError
from geo.grid import COMPLEX, FIRST_SLOT, Grid, build_grid
from geo.zoning import Zones

_ERRBOUND = (3.0 + 16.0 * 2.0**-53) * 2.0**-53  # Shewchuk's ccwerrboundA


def _left_of(e: np.ndarray, px: np.ndarray, py: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (strictly left of edge a->b, sign is certain) per point (Shewchuk's orient2d)."""
    left = (e[:, 0] - px) * (e[:, 3] - py)
    right = (e[:, 1] - py) * (e[:, 2] - px)
    det = left - right
    return det > 0, np.abs(det) > _ERRBOUND * (np.abs(left) + np.abs(right))


def _chain(parent: np.ndarray, i: int) -> list[int]:
    """Positions of the ancestors of zone ``i``, nearest first (-1 in ``parent``: none)."""
    out: list[int] = []
    p = int(parent[i])
    while p >= 0 and len(out) <= len(parent):  # the bound guards against cycles
        out.append(p)
        p = int(parent[p])
    return out


class ZoneIndex:
    """Classify lon/lat positions to the innermost zone of a zone tree.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> gdf = gpd.GeoDataFrame({"id": ["p", "a", "b"], "parent_id": [None, "p", "p"]},
    ...     geometry=[box(0, 0, 4, 2), box(0, 0, 2, 2), box(2, 0, 4, 2)], crs="EPSG:4326")
    >>> index = ZoneIndex.build(gdf)
    >>> list(index.classify([1.0, 2.0, 9.0], [1.0, 1.0, 1.0]))
    ['a', 'a', None]
    >>> index.classify_one(3.0, 1.0)
    'b'
    >>> index.rollup({"a": 2, "b": 1})
    {'p': 3, 'a': 2, 'b': 1}
    """

    def __init__(self, ids: list[str], parent: np.ndarray, polys: np.ndarray,
                 grid: Grid) -> None:
        self.ids = ids
        self.parent = parent
        self.polys = polys
        self.grid = grid
        n = len(ids)
        self._pos = {z: i for i, z in enumerate(ids)}
        self.depth = np.array([len(_chain(parent, i)) for i in range(n)], dtype=np.int64)
        rank = np.empty(n, dtype=np.int64)
        rank[np.argsort(np.array(ids, dtype=object), kind="stable")] = np.arange(n)
        # higher priority wins: deeper first, then the id that sorts first
        self.priority = self.depth * n + (n - 1 - rank)
        self._by_priority = np.argsort(self.priority)
        self._tree = shapely.STRtree(polys)
        self._lookup = np.empty(n + 1, dtype=object)
        self._lookup[:n] = ids
        self._lookup[n] = None
        self._edges = grid.edges.tolist()
        self._sides = grid.sides.tolist()
        self._convex = grid.convex.tolist()

    @classmethod
    def build(cls, zones: Zones | gpd.GeoDataFrame, *, max_cells: int = 1 << 22) -> ZoneIndex:
        """Build the index of a zone tree.

        Parameters
        ----------
        zones : :class:`Zones`, or a GeoDataFrame in lon/lat with ``id`` and optionally
            ``parent_id`` columns, satisfying the tree rules (children within parents,
            siblings not overlapping; :func:`geo.validate_zones` checks them).
        max_cells : size of the lookup grid (4 bytes a cell). A finer grid sends fewer
            points to the exact test.
        """
        frame = zones.frame if isinstance(zones, Zones) else zones
        if not isinstance(frame, gpd.GeoDataFrame):
            raise TypeError(f"'zones' should be Zones or a GeoDataFrame, got {type(zones)}")
        if len(frame) == 0:
            raise ValueError("cannot build a ZoneIndex of no zones")
        ids = [str(z) for z in frame["id"]]
        pos = {z: i for i, z in enumerate(ids)}
        parents = frame["parent_id"] if "parent_id" in frame.columns else [None] * len(ids)
        parent = np.array([pos.get(str(p), -1) if isinstance(p, str) else -1 for p in parents],
                          dtype=np.int32)
        polys = np.asarray(frame.geometry.array, dtype=object)
        shapely.prepare(polys)
        depth = np.array([len(_chain(parent, i)) for i in range(len(ids))], dtype=np.int64)
        grid = build_grid(polys, parent, depth, max_cells)
        return cls(ids, parent, polys, grid)

    # -- batches --------------------------------------------------------------------------
    def classify_codes(self, lon: Any, lat: Any) -> np.ndarray:
        """Return the zone position (index into ``ids``) of each point, -1 where outside."""
        x = np.asarray(lon, dtype=np.float64)
        y = np.asarray(lat, dtype=np.float64)
        if x.shape != y.shape:
            raise ValueError(f"'lon' and 'lat' should have the same shape, got {x.shape} and "
                             f"{y.shape}")
        if x.ndim != 1:
            return self.classify_codes(x.ravel(), y.ravel()).reshape(x.shape)
        g = self.grid
        # clamp onto the grid's empty border ring; fmax/fmin also turn NaN into 0 (outside)
        u = np.subtract(x, g.x0)
        u *= g.inv
        np.fmax(u, 0.0, out=u)
        np.fmin(u, g.nx - 1.0, out=u)
        v = np.subtract(y, g.y0)
        v *= g.inv
        np.fmax(v, 0.0, out=v)
        np.fmin(v, g.ny - 1.0, out=v)
        cell = v.astype(np.int64)
        cell *= g.nx
        cell += u.astype(np.int64)
        code = g.codes[cell]
        special = np.flatnonzero(code < -1)
        if len(special):
            self._resolve(x, y, code, special)
        return code

    def _resolve(self, x: np.ndarray, y: np.ndarray, code: np.ndarray,
                 special: np.ndarray) -> None:
        sc = code[special]
        wedge = sc <= FIRST_SLOT
        exact = special[~wedge]
        if wedge.any():
            pts = special[wedge]
            slot = FIRST_SLOT - sc[wedge]
            e = self.grid.edges[slot]
            px, py = x[pts], y[pts]
            left1, sure1 = _left_of(e[:, 0:4], px, py)
            left2, sure2 = _left_of(e[:, 4:8], px, py)
            inside = np.where(self.grid.convex[slot], left1 & left2, left1 | left2)
            code[pts] = self.grid.sides[slot, np.where(inside, 0, 1)]
            exact = np.concatenate([exact, pts[~(sure1 & sure2)]])
        if len(exact):
            code[exact] = self._exact(x[exact], y[exact])

    def _exact(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Apply the rule with GEOS: deepest covering zone, then the smallest id."""
        pt, zone = self._tree.query(shapely.points(x, y), predicate="intersects")
        best = np.full(len(x), -1, dtype=np.int64)
        np.maximum.at(best, pt, self.priority[zone])
        out = np.full(len(x), -1, dtype=np.int32)
        hit = best >= 0
        out[hit] = self._by_priority[np.searchsorted(self.priority[self._by_priority],
                                                     best[hit])]
        return out

    def classify(self, lon: Any, lat: Any) -> np.ndarray:
        """Return the zone id of each point (an object array), None where outside all zones.

        NaN, infinite or out-of-grid positions are outside.
        """
        return self._lookup[self.classify_codes(lon, lat)]

    # -- one point ------------------------------------------------------------------------
    def classify_one(self, lon: float, lat: float) -> str | None:
        """Return the zone id of one point (None outside): the warm fast path."""
        g = self.grid
        u = (lon - g.x0) * g.inv
        v = (lat - g.y0) * g.inv
        if not (0.0 <= u < g.nx and 0.0 <= v < g.ny):
            return None
        code = g.codes.item(int(v) * g.nx + int(u))
        if code >= 0:
            return self.ids[code]
        if code == -1:
            return None
        if code != COMPLEX:
            slot = FIRST_SLOT - code
            ax, ay, bx, by, cx, cy, dx, dy = self._edges[slot]
            l1 = (ax - lon) * (by - lat)
            r1 = (ay - lat) * (bx - lon)
            l2 = (cx - lon) * (dy - lat)
            r2 = (cy - lat) * (dx - lon)
            if (abs(l1 - r1) > _ERRBOUND * (abs(l1) + abs(r1))
                    and abs(l2 - r2) > _ERRBOUND * (abs(l2) + abs(r2))):
                in1, in2 = l1 > r1, l2 > r2
                inside = (in1 and in2) if self._convex[slot] else (in1 or in2)
                z = self._sides[slot][0 if inside else 1]
                return self.ids[z] if z >= 0 else None
        z = int(self._exact(np.array([lon]), np.array([lat]))[0])
        return self.ids[z] if z >= 0 else None

    # -- the tree -------------------------------------------------------------------------
    def ancestors(self, zone_id: str) -> list[str]:
        """Return the ids of a zone's ancestors, nearest first."""
        try:
            i = self._pos[zone_id]
        except KeyError:
            raise UnknownZoneError(zone_id) from None
        return [self.ids[p] for p in _chain(self.parent, i)]

    def rollup(self, counts_by_leaf: Mapping[str | None, int] | Iterable[str | None]
               ) -> dict[str, int]:
        """Occupancy by zone: each zone counts its own visitors and all its descendants'.

        ``counts_by_leaf`` maps zone id to count (None keys, outside, are ignored), or is an
        iterable of zone ids such as the output of :meth:`classify`.
        """
        counts = np.zeros(len(self.ids), dtype=np.int64)
        if isinstance(counts_by_leaf, Mapping):
            for z, c in counts_by_leaf.items():
                if z is not None:
                    counts[self._position(z)] += int(c)
        else:
            arr = np.asarray(list(counts_by_leaf) if not isinstance(counts_by_leaf, np.ndarray)
                             else counts_by_leaf, dtype=object)
            zs, cs = np.unique(arr[arr != None], return_counts=True)  # noqa: E711
            for z, c in zip(zs, cs, strict=True):
                counts[self._position(z)] += int(c)
        order = np.argsort(-self.depth, kind="stable")  # children before parents
        for i in order:
            p = self.parent[i]
            if p >= 0:
                counts[p] += counts[i]
        return {z: int(c) for z, c in zip(self.ids, counts, strict=True)}

    def _position(self, zone_id: str) -> int:
        try:
            return self._pos[zone_id]
        except KeyError:
            raise UnknownZoneError(zone_id) from None
