"""Capacity from area: usable area x density where a zone gives no capacity."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from geo.zoning import Zones, pd_object


def with_capacity(zones: Zones, density_per_m2: float) -> Zones:
    """Return a copy of ``zones`` where every zone without a capacity gets a derived one.

    Derived capacity = floor(area in m2 x ``usable_ratio`` (default 1) x ``density_per_m2``),
    with the zone's whole polygon (children included) measured in the site's metric CRS.
    ``capacity_source`` says ``given`` or ``derived`` for each zone.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> gdf = gpd.GeoDataFrame({"id": ["p", "c"], "parent_id": [None, "p"],
    ...     "kind": ["protection_range", "cave"], "capacity": [None, 12],
    ...     "usable_ratio": [0.5, None]},
    ...     geometry=[box(94.80, 40.03, 94.81, 40.04), box(94.801, 40.031, 94.802, 40.032)],
    ...     crs="EPSG:4326")
    >>> z = with_capacity(Zones.from_frame(gdf), density_per_m2=0.01)
    >>> list(z.frame["capacity_source"]), int(z.frame["capacity"][1])
    (['derived', 'given'], 12)
    """
    if not (isinstance(density_per_m2, int | float) and math.isfinite(density_per_m2)
            and density_per_m2 >= 0):
        raise ValueError(f"'density_per_m2' should be a finite number >= 0, got {density_per_m2!r}")
    frame = zones.frame.copy()
    area = zones.to_metric().area.to_numpy()
    caps, sources = [], []
    for n, cap in enumerate(frame["capacity"]):
        if cap is not None and not (isinstance(cap, float) and math.isnan(cap)):
            caps.append(int(cap))
            sources.append("given")
            continue
        ratio = frame["usable_ratio"].iloc[n]
        ratio = 1.0 if ratio is None or (isinstance(ratio, float) and math.isnan(ratio)) else ratio
        caps.append(int(np.floor(area[n] * float(ratio) * density_per_m2)))
        sources.append("derived")
    frame["capacity"] = pd_object(caps)
    frame["capacity_source"] = pd_object(sources)
    return replace(zones, frame=frame)
