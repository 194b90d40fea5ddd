"""Geometry checks of zone validation: per feature, and against parent and siblings."""

from __future__ import annotations

import math
import re
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from geo.errors import Problem

ALLOWED_TYPES = ("Polygon", "MultiPolygon")
#: Overlaps and spill-overs smaller than this (m2) are rounding, not a problem.
AREA_TOLERANCE_M2 = 0.01
_LOCATION = re.compile(r"\[\s*([-+\d.eE]+|nan|inf)\s+([-+\d.eE]+|nan|inf)")


def _fid(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


def _km_between(lon: float, lat: float, center: tuple[float, float]) -> float:
    dx = (lon - center[0]) * math.cos(math.radians(center[1])) * 111.32
    dy = (lat - center[1]) * 110.57
    return math.hypot(dx, dy)


def _reason_location(reason: str) -> tuple[float, float] | None:
    m = _LOCATION.search(reason)
    return (float(m.group(1)), float(m.group(2))) if m else None


def geometry_problems(
    gdf: gpd.GeoDataFrame,
    *,
    site_center: tuple[float, float] | None,
    source: str | None,
    max_distance_km: float,
    check_range: bool = True,
) -> tuple[list[Problem], np.ndarray]:
    """Check each geometry on its own; return the problems and a mask of usable geometries."""
    problems: list[Problem] = []
    good = np.zeros(len(gdf), dtype=bool)
    ids = list(gdf["id"]) if "id" in gdf.columns else [None] * len(gdf)
    for n, geom in enumerate(gdf.geometry.array):
        fid = _fid(ids[n])

        def add(code: str, message: str, loc: tuple[float, float] | None = None,
                fid: str | None = fid) -> None:
            problems.append(Problem(fid, code, message, loc, source))

        if geom is None:
            if "_row" not in gdf.columns:  # GeoJSON reader reports missing geometry itself
                add("missing_geometry", "the feature has no geometry")
            continue
        if geom.geom_type not in ALLOWED_TYPES:
            add("unsupported_geometry_type",
                f"geometry type {geom.geom_type} is not supported; zones are Polygon or "
                "MultiPolygon")
            continue
        if geom.is_empty:
            add("empty_geometry", "the geometry is empty")
            continue
        xy = shapely.get_coordinates(geom)
        finite = np.isfinite(xy).all(axis=1)
        if not finite.all():
            bad = int(np.flatnonzero(~finite)[0])
            add("non_finite_coordinates",
                f"{int((~finite).sum())} coordinate(s) are NaN or infinite (first at vertex "
                f"#{bad})", tuple(xy[finite][0]) if finite.any() else None)
            continue
        if check_range and not _range_ok(xy, site_center, max_distance_km, add):
            continue
        reason = shapely.is_valid_reason(geom)
        if reason != "Valid Geometry":
            add("invalid_geometry", f"GEOS says: {reason}", _reason_location(reason))
            continue
        good[n] = True
    return problems, good


def _range_ok(xy: np.ndarray, center: tuple[float, float] | None, max_km: float,
              add: Any) -> bool:
    lon, lat = xy[:, 0], xy[:, 1]
    in_range = bool(((np.abs(lon) <= 180) & (np.abs(lat) <= 90)).all())
    swap_in_range = bool(((np.abs(lat) <= 180) & (np.abs(lon) <= 90)).all())
    mid = (float(lon.mean()), float(lat.mean()))
    first = (float(lon[0]), float(lat[0]))
    if center is not None:
        direct = _km_between(mid[0], mid[1], center)
        swapped = _km_between(mid[1], mid[0], center)
        if (direct > max_km or not in_range) and swapped <= max_km:
            add("lonlat_swapped",
                f"coordinates look like (lat, lon): swapped they lie {swapped:.1f} km from the "
                f"site centre, as given {direct:.0f} km", first)
            return False
        if not in_range:
            add("coordinates_out_of_range", "lon must lie in [-180, 180] and lat in [-90, 90]",
                first)
            return False
        if direct > max_km:
            add("far_from_site", f"the zone lies {direct:.1f} km from the site centre "
                f"({center[0]}, {center[1]}); more than {max_km} km", mid)
            return False
        return True
    if not in_range:
        if swap_in_range:
            add("lonlat_swapped", "latitude out of [-90, 90] but the swapped pair is valid: "
                "coordinates look like (lat, lon); GeoJSON is (lon, lat)", first)
        else:
            add("coordinates_out_of_range",
                "lon must lie in [-180, 180] and lat in [-90, 90]", first)
        return False
    return True


def tree_geometry_problems(
    gdf: gpd.GeoDataFrame,
    good: np.ndarray,
    site_center: tuple[float, float] | None,
    source: str | None,
) -> list[Problem]:
    """Check that children lie within their parent and that siblings do not overlap.

    The tests run on the lon/lat geometry itself -- the geometry that classification uses --
    so a vertex lying on a parent's edge is exactly on it; only the areas of what spills over
    are converted to m2, with the local scale at the site centre.
    """
    if not good.any():
        return []
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    if site_center is None:
        b = shapely.total_bounds(geoms[good])
        site_center = ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2)
    m2_per_deg2 = 111_320.0 * math.cos(math.radians(site_center[1])) * 110_574.0
    ids = [_fid(v) for v in gdf["id"]]
    parents = ([_fid(v) for v in gdf["parent_id"]] if "parent_id" in gdf.columns
               else [None] * len(gdf))
    row_of = {fid: n for n, fid in enumerate(ids) if fid is not None and good[n]}
    problems: list[Problem] = []

    def where(g: Any) -> tuple[float, float]:
        p = g.representative_point()
        return (p.x, p.y)

    for n in np.flatnonzero(good):
        parent = parents[n]
        if parent is None or parent not in row_of:
            continue
        spill = shapely.difference(geoms[n], geoms[row_of[parent]])
        area = spill.area * m2_per_deg2
        if area > AREA_TOLERANCE_M2:
            problems.append(Problem(ids[n], "child_outside_parent",
                                    f"{area:.2f} m2 of the zone lies outside its parent "
                                    f"{parent!r}", where(spill), source))
    rows = np.flatnonzero(good)
    tree = shapely.STRtree(geoms[rows])
    left, right = tree.query(geoms[rows], predicate="intersects")
    for a, b in zip(rows[left], rows[right], strict=True):
        if a >= b or parents[a] != parents[b] or ids[a] == ids[b]:
            continue
        inter = shapely.intersection(geoms[a], geoms[b])
        area = inter.area * m2_per_deg2
        if area > AREA_TOLERANCE_M2:
            problems.append(Problem(ids[a], "siblings_overlap",
                                    f"overlaps sibling {ids[b]!r} by {area:.2f} m2",
                                    where(inter), source))
    return problems
