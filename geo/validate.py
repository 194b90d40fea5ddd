"""Validation of zone data: every problem of every feature, reported together by feature id."""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import numpy as np

from geo.crs import accepted_epsg, describe_crs
from geo.errors import Problem
from geo.schema import KINDS, STATES
from geo.validate_geometry import geometry_problems, tree_geometry_problems


def validate_zones(
    gdf: gpd.GeoDataFrame,
    *,
    crs: Any = None,
    site_center: tuple[float, float] | None = None,
    source: str | None = None,
    max_distance_km: float = 50.0,
) -> list[Problem]:
    """Return every problem found in a zone frame (an empty list when it is valid).

    Parameters
    ----------
    gdf : GeoDataFrame with an ``id`` column, zone properties and lon/lat polygons.
    crs : the declared CRS; defaults to ``gdf.crs``.
    site_center : ``(lon, lat)`` of the site, used to detect swapped or far-away coordinates.
    source : file name put into each problem.
    max_distance_km : a feature farther than this from ``site_center`` is reported.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Polygon
    >>> bowtie = Polygon([(94.80, 40.04), (94.81, 40.05), (94.81, 40.04), (94.80, 40.05)])
    >>> gdf = gpd.GeoDataFrame({"id": ["p"], "parent_id": [None], "kind": ["protection_range"],
    ...                         "state": ["open"]}, geometry=[bowtie], crs="EPSG:4326")
    >>> [p.code for p in validate_zones(gdf)]
    ['invalid_geometry']
    """
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise TypeError(f"'gdf' should be a GeoDataFrame, got {type(gdf)}")
    crs = gdf.crs if crs is None else crs
    problems: list[Problem] = []
    crs_ok = True
    if crs is None:
        crs_ok = False
        problems.append(Problem(None, "missing_crs",
                                "the data declares no CRS; set EPSG:4326 (WGS 84 lon/lat) "
                                "or EPSG:4490 (CGCS2000)", None, source))
    elif accepted_epsg(crs) is None:
        crs_ok = False
        problems.append(Problem(None, "unsupported_crs",
                                f"the data is in {describe_crs(crs)}; zones must be lon/lat in "
                                "EPSG:4326 or EPSG:4490: reproject them (e.g. "
                                "gdf.to_crs('EPSG:4326')) before loading", None, source))
    problems += attribute_problems(gdf, source)
    geom_problems, good = geometry_problems(
        gdf, site_center=site_center if crs_ok else None, source=source,
        max_distance_km=max_distance_km, check_range=crs_ok)
    problems += geom_problems
    if crs_ok:
        problems += tree_geometry_problems(gdf, good, site_center, source)
    return problems


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


def attribute_problems(gdf: gpd.GeoDataFrame, source: str | None) -> list[Problem]:
    """Return problems with ids, kinds, states, numbers and the parent tree."""
    problems: list[Problem] = []
    ids = [_text(v) for v in gdf["id"]] if "id" in gdf.columns else [None] * len(gdf)
    col = {c: list(gdf[c]) if c in gdf.columns else [None] * len(gdf)
           for c in ("parent_id", "kind", "state", "capacity", "usable_ratio", "max_height_m")}
    seen: dict[str, int] = {}
    for n, fid in enumerate(ids):
        if fid is None or fid == "":
            problems.append(Problem(None, "missing_id", f"feature #{n} has no id", None, source))
            continue
        seen[fid] = seen.get(fid, 0) + 1
        if seen[fid] == 2:
            problems.append(Problem(fid, "duplicate_id",
                                    f"id {fid!r} is used by more than one feature", None, source))
        kind = _text(col["kind"][n])
        if kind not in KINDS:
            problems.append(Problem(fid, "unknown_kind",
                                    f"kind {kind!r} is not one of {', '.join(KINDS)}",
                                    None, source))
        state = _text(col["state"][n])
        if state is not None and state not in STATES:
            problems.append(Problem(fid, "unknown_state",
                                    f"state {state!r} is not one of {', '.join(STATES)}",
                                    None, source))
        problems += _number_problems(fid, col["capacity"][n], col["usable_ratio"][n], source)
        height = col["max_height_m"][n]
        if not _is_null(height) and not (
                isinstance(height, int | float | np.number) and not isinstance(height, bool)
                and math.isfinite(float(height)) and float(height) >= 0):
            problems.append(Problem(fid, "invalid_max_height",
                                    f"max_height_m {height!r} is not a number of metres >= 0",
                                    None, source))
    known = set(seen)
    parents: dict[str, str | None] = {}
    for n, fid in enumerate(ids):
        if fid is None or fid in parents:
            continue
        parent = _text(col["parent_id"][n])
        parents[fid] = parent
        if parent is not None and parent not in known:
            problems.append(Problem(fid, "unknown_parent",
                                    f"parent_id {parent!r} names no zone", None, source))
    problems += _cycle_problems(parents, source)
    return problems


def _number_problems(fid: str, capacity: Any, ratio: Any, source: str | None) -> list[Problem]:
    out = []
    if not _is_null(capacity):
        ok = isinstance(capacity, int | np.integer | float | np.floating) and not isinstance(
            capacity, bool) and float(capacity).is_integer() and capacity >= 0
        if not ok:
            out.append(Problem(fid, "invalid_capacity",
                               f"capacity {capacity!r} is not a whole number >= 0", None, source))
    if not _is_null(ratio):
        ok = isinstance(ratio, int | float | np.number) and not isinstance(ratio, bool) and (
            0.0 <= float(ratio) <= 1.0)
        if not ok:
            out.append(Problem(fid, "invalid_usable_ratio",
                               f"usable_ratio {ratio!r} is not a number in [0, 1]", None, source))
    return out


def _is_null(value: Any) -> bool:
    return value is None or (isinstance(value, float | np.floating) and math.isnan(value))


def _cycle_problems(parents: dict[str, str | None], source: str | None) -> list[Problem]:
    problems = []
    reported: set[str] = set()
    for start in parents:
        path: list[str] = []
        node: str | None = start
        while node is not None and node in parents and node not in path:
            path.append(node)
            node = parents[node]
        if node is not None and node in path:
            cycle = path[path.index(node):]
            if not reported.intersection(cycle):
                reported.update(cycle)
                chain = " -> ".join([*cycle, node])
                for fid in cycle:
                    problems.append(Problem(fid, "parent_cycle",
                                            f"parent_id links form a cycle: {chain}",
                                            None, source))
    return problems
