"""ZoneIndex against plain shapely and geopandas.sjoin, on edges, vertices, holes, nesting."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import MultiPolygon, Polygon, box

from geo import UnknownZoneError, ZoneIndex, load_zones

X0, Y0, Q = 100.0, 30.0, 0.25  # dyadic steps: vertices, midpoints and quarters are exact


def unit_box(a: float, b: float, c: float, d: float) -> Polygon:
    return box(X0 + a * Q, Y0 + b * Q, X0 + c * Q, Y0 + d * Q)


def layout(cut1: int, cut2: int) -> gpd.GeoDataFrame:
    """A tree with shared edges, T-junctions, a hole, a diagonal and a multipolygon.

    p [0,8]^2 is split into strips at x = cut1 < cut2; the first strip holds a nested box
    touching its edge, the middle strip is a ring around a sibling box, the last strip is
    split along its diagonal. q touches p along part of p's right edge; m is two squares.
    """
    rows = [("p", None, unit_box(0, 0, 8, 8))]
    rows.append(("s0", "p", unit_box(0, 0, cut1, 8)))
    rows.append(("s0a", "s0", unit_box(0, 2, cut1 / 2, 5)))
    inner = unit_box(cut1 + 0.5, 3, cut2 - 0.5, 5)
    rows.append(("ring", "p", unit_box(cut1, 0, cut2, 8).difference(inner)))
    rows.append(("hole", "p", inner))
    x2, x8 = X0 + cut2 * Q, X0 + 8 * Q
    y0, y8 = Y0, Y0 + 8 * Q
    rows.append(("t1", "p", Polygon([(x2, y0), (x8, y0), (x8, y8)])))
    rows.append(("t2", "p", Polygon([(x2, y0), (x8, y8), (x2, y8)])))
    rows.append(("q", None, unit_box(8, 2, 9, 4)))
    rows.append(("m", None, MultiPolygon([unit_box(9, 0, 10, 1), unit_box(9, 2, 10, 3)])))
    ids, parents, geoms = zip(*rows, strict=True)
    return gpd.GeoDataFrame({"id": ids, "parent_id": parents}, geometry=list(geoms),
                            crs="EPSG:4326")


def oracle(zones: gpd.GeoDataFrame, x: np.ndarray, y: np.ndarray) -> list[str | None]:
    """The documented rule with plain shapely: deepest covering zone, then smallest id."""
    ids = list(zones["id"])
    parent = {z: p if isinstance(p, str) else None
              for z, p in zip(zones["id"], zones["parent_id"], strict=True)}

    def depth(z: str) -> int:
        return 0 if parent[z] is None else 1 + depth(parent[z])

    covers = np.column_stack([shapely.intersects_xy(g, x, y) for g in zones.geometry])
    out: list[str | None] = []
    for row in covers:
        cands = [ids[i] for i in np.flatnonzero(row)]
        out.append(min(cands, key=lambda z: (-depth(z), z)) if cands else None)
    return out


def sjoin_deepest(zones: gpd.GeoDataFrame, x: np.ndarray, y: np.ndarray) -> list[str | None]:
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=zones.crs)
    joined = gpd.sjoin(pts, zones, predicate="within")
    parent = {z: p if isinstance(p, str) else None
              for z, p in zip(zones["id"], zones["parent_id"], strict=True)}

    def depth(z: str) -> int:
        return 0 if parent[z] is None else 1 + depth(parent[z])

    joined["depth"] = [depth(z) for z in joined["id"]]
    best = joined.sort_values("depth").groupby(level=0)["id"].last()
    return [best.get(i) for i in range(len(x))]


lattice = st.tuples(st.integers(-2, 44), st.integers(-2, 36)).map(
    lambda ab: (X0 + ab[0] * Q / 4, Y0 + ab[1] * Q / 4))
anywhere = st.tuples(st.floats(X0 - 0.2, X0 + 2.8), st.floats(Y0 - 0.2, Y0 + 2.2))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cuts=st.tuples(st.integers(2, 4), st.integers(5, 6)),
       max_cells=st.sampled_from([16, 300, 5000, 200_000]),
       points=st.lists(st.one_of(lattice, anywhere), min_size=1, max_size=200))
def test_every_point_gets_the_deepest_covering_zone_with_the_smallest_id_on_ties(
        cuts: tuple[int, int], max_cells: int, points: list[tuple[float, float]]) -> None:
    zones = layout(*cuts)
    index = ZoneIndex.build(zones, max_cells=max_cells)
    x, y = np.array(points).T
    expected = oracle(zones, x, y)
    assert list(index.classify(x, y)) == expected
    assert [index.classify_one(a, b) for a, b in points] == expected


@settings(max_examples=25, deadline=None)
@given(cuts=st.tuples(st.integers(2, 4), st.integers(5, 6)),
       points=st.lists(anywhere, min_size=1, max_size=300))
def test_points_off_every_boundary_agree_with_geopandas_sjoin(
        cuts: tuple[int, int], points: list[tuple[float, float]]) -> None:
    zones = layout(*cuts)
    x, y = np.array(points).T
    on_edge = shapely.intersects_xy(shapely.union_all(zones.boundary), x, y)
    x, y = x[~on_edge], y[~on_edge]
    if len(x):
        index = ZoneIndex.build(zones, max_cells=4096)
        assert list(index.classify(x, y)) == sjoin_deepest(zones, x, y)


def test_a_shared_edge_between_siblings_goes_to_exactly_one_of_them() -> None:
    index = ZoneIndex.build(layout(2, 6))
    on_edge = (X0 + 2 * Q, Y0 + 7 * Q)  # s0 | ring, both depth 1
    assert index.classify_one(*on_edge) == "ring"  # "ring" < "s0"
    assert index.classify_one(X0 + 7 * Q, Y0 + 4 * Q) == "t1"  # on the diagonal: t1 < t2
    # p's right edge is shared by p, q (both depth 0) and t1 (depth 1): the deepest wins
    assert index.classify_one(X0 + 8 * Q, Y0 + 3 * Q) == "t1"
    assert index.classify_one(X0 + 9 * Q, Y0 + 2.5 * Q) == "m"  # q | m: "m" < "q"


def test_a_nested_zone_wins_on_its_own_boundary_and_holes_belong_to_what_fills_them() -> None:
    index = ZoneIndex.build(layout(2, 6))
    assert index.classify_one(X0 + 0.5 * Q, Y0 + 2 * Q) == "s0a"  # edge of s0a inside s0
    assert index.classify_one(X0 + 0.0, Y0 + 3 * Q) == "s0a"  # s0a touches p's outer edge
    assert index.classify_one(X0 + 4 * Q, Y0 + 4 * Q) == "hole"
    assert index.classify_one(X0 + 9.5 * Q, Y0 + 1.5 * Q) is None  # between m's two parts


def test_nan_infinite_and_far_positions_are_outside() -> None:
    index = ZoneIndex.build(layout(2, 6))
    x = np.array([np.nan, np.inf, -np.inf, 0.0, X0 + Q])
    y = np.array([Y0 + Q, Y0 + Q, Y0 + Q, 0.0, np.nan])
    assert list(index.classify(x, y)) == [None] * 5
    assert index.classify_one(float("nan"), Y0) is None


def test_sixty_four_gon_trees_match_sjoin_on_many_random_points() -> None:
    rng = np.random.default_rng(3)
    ids, parents, geoms = [], [], []
    t = np.linspace(0, 2 * np.pi, 64, endpoint=False)
    for i in range(3):
        cx, cy = 94.8 + i * 0.01, 40.04
        ids.append(f"v{i}")
        parents.append(None)
        geoms.append(Polygon(np.column_stack([cx + 0.005 * np.cos(t), cy + 0.005 * np.sin(t)])))
        for j in range(4):
            ccx, ccy = cx + 0.002 * np.cos(j * np.pi / 2), cy + 0.002 * np.sin(j * np.pi / 2)
            ids.append(f"v{i}c{j}")
            parents.append(f"v{i}")
            geoms.append(Polygon(np.column_stack([ccx + 0.0009 * np.cos(t + j),
                                                  ccy + 0.0009 * np.sin(t + j)])))
    zones = gpd.GeoDataFrame({"id": ids, "parent_id": parents}, geometry=geoms, crs=4326)
    x, y = rng.uniform(94.79, 94.83, 20_000), rng.uniform(40.03, 40.05, 20_000)
    for max_cells in (1000, 1 << 18):
        index = ZoneIndex.build(zones, max_cells=max_cells)
        assert list(index.classify(x, y)) == sjoin_deepest(zones, x, y)


def test_occupancy_rolls_up_to_every_ancestor(site_fc: dict) -> None:
    index = ZoneIndex.build(load_zones(site_fc))
    assert index.ancestors("cave1") == ["va1", "pr"]
    got = index.rollup({"cave1": 2, "va1": 1, "va2": 4, "cc": 3, None: 9})
    assert got == {"pr": 7, "cc": 3, "va1": 3, "va2": 4, "cave1": 2}
    assert index.rollup(["cave1", None, "va2"]) == {"pr": 2, "cc": 0, "va1": 1, "va2": 1,
                                                    "cave1": 1}
    with pytest.raises(UnknownZoneError):
        index.ancestors("nope")


def test_arrays_of_any_shape_are_classified_and_mismatched_shapes_refused() -> None:
    index = ZoneIndex.build(layout(2, 6))
    inside = X0 + 4 * Q
    assert index.classify([[inside, 0.0]], [[Y0 + 4 * Q, 0.0]]).tolist() == [["hole", None]]
    assert index.classify([], []).tolist() == []
    with pytest.raises(ValueError):
        index.classify([1.0, 2.0], [1.0])
