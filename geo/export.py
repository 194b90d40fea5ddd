"""Zones as GeoJSON for the control panel's map."""

from __future__ import annotations

import json
import math
from typing import Any

import shapely

from geo.zoning import Zones

DISPLAY_PROPERTIES = ("id", "parent_id", "name_en", "name_zh", "kind", "capacity",
                      "capacity_source", "state")


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def to_display_geojson(zones: Zones, *, tolerance_m: float = 1.0,
                       precision: int = 7) -> dict[str, Any]:
    """Return the zones as a lon/lat FeatureCollection simplified for display.

    Geometry is simplified in the site's metric CRS with ``tolerance_m`` (topology kept, so
    no polygon collapses or self-intersects) and rounded to ``precision`` decimals (1e-7 deg
    is about 1 cm). Properties: id, parent_id, name_en, name_zh, kind, capacity,
    capacity_source, state.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> gdf = gpd.GeoDataFrame({"id": ["p"], "parent_id": [None], "kind": ["protection_range"],
    ...     "name_zh": ["保护范围"]}, geometry=[box(94.80, 40.03, 94.81, 40.04)], crs="EPSG:4326")
    >>> fc = to_display_geojson(Zones.from_frame(gdf), tolerance_m=5)
    >>> fc["features"][0]["properties"]["name_zh"], fc["features"][0]["geometry"]["type"]
    ('保护范围', 'Polygon')
    """
    if not (isinstance(tolerance_m, int | float) and tolerance_m >= 0):
        raise ValueError(f"'tolerance_m' should be a number >= 0, got {tolerance_m!r}")
    metric = zones.to_metric()
    simple = metric.geometry.simplify(tolerance_m, preserve_topology=True).to_crs(4326)
    features = []
    for n, geom in enumerate(simple.array):
        row = zones.frame.iloc[n]
        props = {k: _plain(row[k]) if k in row.index else None for k in DISPLAY_PROPERTIES}
        rounded = shapely.set_precision(geom, 10.0**-precision) if precision else geom
        if rounded.is_empty:  # a sliver smaller than the precision: keep the original
            rounded = geom
        features.append({"type": "Feature", "id": props["id"], "properties": props,
                         "geometry": json.loads(shapely.to_geojson(rounded))})
    return {"type": "FeatureCollection", "features": features}
