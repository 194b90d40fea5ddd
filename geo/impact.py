"""Heritage-impact check of a proposed work against a site's zones."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import shape

from geo.errors import WorkGeometryError
from geo.zoning import Zones

WORK_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon")
#: The rule that applies to a work touching a zone of each kind.
RULES = {
    "protection_range": "No construction, excavation or blasting inside the protection range "
                        "without the approval of the cultural-heritage authority.",
    "construction_control": "Construction in the construction-control zone must not harm the "
                            "historic setting; the site's height and form limits apply, and "
                            "the design needs the heritage authority's consent.",
    "visitor_area": "Works in a visitor area follow the protection-range rule and the site's "
                    "visitor-management plan.",
    "cave": "Only conservation works on the cave itself, by approved specialists.",
    "niche": "Only conservation works on the niche itself, by approved specialists.",
    "hall": "Only conservation or display works, with approval.",
    "pit": "Only archaeological or conservation works, with approval.",
    "plaza": "Temporary structures only, with approval.",
}


@dataclass
class ImpactReport:
    """What a proposed work touches, by how much, and which rules apply."""

    footprint: Any  # shapely geometry in lon/lat (buffered when buffer_m > 0)
    buffer_m: float
    footprint_area_m2: float
    touched: list[dict[str, Any]]
    distance_to_protection_m: float | None
    rules: list[dict[str, Any]]
    requires_approval: bool
    limits: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the report as a JSON-ready dict (the footprint as GeoJSON)."""
        return {
            "footprint": json.loads(shapely.to_geojson(self.footprint)),
            "buffer_m": self.buffer_m,
            "footprint_area_m2": self.footprint_area_m2,
            "touched": self.touched,
            "distance_to_protection_m": self.distance_to_protection_m,
            "rules": self.rules,
            "requires_approval": self.requires_approval,
            "limits": self.limits,
        }


def _parse_work(geometry: Any) -> Any:
    if isinstance(geometry, str):
        try:
            geometry = json.loads(geometry)
        except json.JSONDecodeError as exc:
            raise WorkGeometryError(f"the work geometry is not valid JSON: {exc}") from exc
    if isinstance(geometry, dict):
        if geometry.get("type") == "Feature":
            geometry = geometry.get("geometry")
        try:
            geometry = shape(geometry)
        except Exception as exc:  # shapely raises several types for bad GeoJSON
            raise WorkGeometryError(f"the work geometry cannot be read: {exc}") from exc
    if not isinstance(geometry, shapely.Geometry):
        raise WorkGeometryError(f"the work geometry should be GeoJSON or shapely, got "
                                f"{type(geometry)}")
    if geometry.geom_type not in WORK_TYPES:
        raise WorkGeometryError(f"geometry type {geometry.geom_type} is not supported")
    if geometry.is_empty:
        raise WorkGeometryError("the work geometry is empty")
    xy = shapely.get_coordinates(geometry)
    if not np.isfinite(xy).all():
        raise WorkGeometryError("the work geometry has NaN or infinite coordinates")
    if (np.abs(xy[:, 0]) > 180).any() or (np.abs(xy[:, 1]) > 90).any():
        raise WorkGeometryError("the work geometry is not lon/lat: lon must lie in [-180, 180] "
                                "and lat in [-90, 90] (is it (lat, lon) or projected?)")
    if not geometry.is_valid:
        raise WorkGeometryError(f"the work geometry is invalid: "
                                f"{shapely.is_valid_reason(geometry)}")
    return geometry


def _height_rule(zones: Zones, touched: list[dict[str, Any]], limits: dict[str, Any],
                 height_m: float | None) -> dict[str, Any] | None:
    """The rule a work breaks when it is higher than the strictest height limit that applies.

    The limits are the site's ``max_height_m`` and that of every touched zone which has one
    (a protection range may allow less than its control zone); the lowest wins.
    """
    if height_m is None:
        return None
    found: list[tuple[float, str | None]] = []
    site_limit = _height(limits.get("max_height_m"))
    if site_limit is not None:
        found.append((site_limit, None))
    frame = zones.frame
    heights = (dict(zip(frame["id"], frame["max_height_m"], strict=True))
               if "max_height_m" in frame.columns else {})
    for t in touched:
        value = _height(heights.get(t["zone_id"]))
        if value is not None:
            found.append((value, t["zone_id"]))
    if not found:
        return None
    limit = min(h for h, _ in found)
    if height_m <= limit:
        return None
    binding = [z for h, z in found if h == limit and z is not None]
    where = f"zone {', '.join(binding)}" if binding else "the site's construction limits"
    return {"kind": "height", "zones": binding, "limit_m": limit, "height_m": float(height_m),
            "rule": f"The work is {height_m:g} m high; the limit here is {limit:g} m ({where}). "
                    f"A higher work needs the heritage authority's approval."}


def _height(value: Any) -> float | None:
    """A number of metres >= 0 as a float; anything else (None, NaN, text) as None."""
    if isinstance(value, int | float | np.number) and not isinstance(value, bool):
        metres = float(value)
        if math.isfinite(metres) and metres >= 0:
            return metres
    return None


def check_impact(zones: Zones, geometry: Any, *, buffer_m: float = 0.0,
                 limits: dict[str, Any] | None = None,
                 height_m: float | None = None) -> ImpactReport:
    """Check a proposed work (lon/lat GeoJSON or shapely geometry) against a site's zones.

    Parameters
    ----------
    zones : the site's :class:`Zones`.
    geometry : a Polygon, LineString or Point (or Multi-) in lon/lat, as GeoJSON or shapely.
    buffer_m : grow the work by this many metres (e.g. a trench's working strip).
    limits : the site's construction-control limits, e.g. ``{"max_height_m": 12}``; they may
        carry the work's height as ``proposed_height_m`` (how a server sends it).
    height_m : the work's height in metres (``proposed_height_m`` of ``limits`` when not given).
        Compared with the strictest of the site's ``max_height_m`` and the ``max_height_m`` of
        every zone the work touches; a higher work breaks a ``height`` rule and needs approval.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> gdf = gpd.GeoDataFrame({"id": ["pr"], "parent_id": [None],
    ...     "kind": ["protection_range"]}, geometry=[box(94.80, 40.03, 94.81, 40.04)],
    ...     crs="EPSG:4326")
    >>> r = check_impact(Zones.from_frame(gdf), {"type": "Point", "coordinates": [94.805, 40.035]},
    ...                  buffer_m=10)
    >>> [t["zone_id"] for t in r.touched], round(r.touched[0]["overlap_m2"]), r.requires_approval
    (['pr'], 314, True)
    >>> r = check_impact(Zones.from_frame(gdf), {"type": "Point", "coordinates": [94.805, 40.035]},
    ...                  limits={"max_height_m": 12}, height_m=15)
    >>> [(x["limit_m"], x["height_m"]) for x in r.rules if x["kind"] == "height"]
    [(12.0, 15.0)]
    """
    if not (isinstance(buffer_m, int | float) and math.isfinite(buffer_m) and buffer_m >= 0):
        raise WorkGeometryError(f"'buffer_m' should be a number >= 0, got {buffer_m!r}")
    if height_m is None and limits:
        height_m = limits.get("proposed_height_m")
    if height_m is not None and _height(height_m) is None:
        raise WorkGeometryError(f"'height_m' should be a number >= 0, got {height_m!r}")
    work = _parse_work(geometry)
    metric = zones.to_metric()
    mwork = gpd.GeoSeries([work], crs=4326).to_crs(metric.crs).iloc[0]
    if buffer_m > 0:
        mwork = mwork.buffer(buffer_m, quad_segs=16)
    geoms = metric.geometry.array
    hit = shapely.intersects(geoms, mwork)
    overlap = shapely.area(shapely.intersection(geoms[hit], mwork))
    touched = []
    for n, area in zip(np.flatnonzero(hit), overlap, strict=True):
        row = zones.frame.iloc[n]
        touched.append({"zone_id": row["id"], "kind": row["kind"], "name_en": row["name_en"],
                        "name_zh": row["name_zh"], "overlap_m2": float(area),
                        "within_zone": bool(shapely.covers(geoms[n], mwork))})
    prot = (metric["kind"] == "protection_range").to_numpy()
    distance = float(shapely.distance(geoms[prot], mwork).min()) if prot.any() else None
    kinds = sorted({t["kind"] for t in touched}, key=lambda k: list(RULES).index(k)
                   if k in RULES else len(RULES))
    rules = []
    for kind in kinds:
        rule: dict[str, Any] = {"kind": kind, "rule": RULES.get(kind, "Check with the site."),
                                "zones": [t["zone_id"] for t in touched if t["kind"] == kind]}
        if kind == "construction_control":
            rule["limits"] = dict(limits or {})
        rules.append(rule)
    too_high = _height_rule(zones, touched, dict(limits or {}), height_m)
    if too_high is not None:
        rules.append(too_high)
    in_protection = {z for t in touched for z in [t["zone_id"], *zones.ancestors(t["zone_id"])]
                     if zones.row(z)["kind"] == "protection_range"}
    footprint = gpd.GeoSeries([mwork], crs=metric.crs).to_crs(4326).iloc[0]
    return ImpactReport(footprint, float(buffer_m), float(mwork.area), touched, distance, rules,
                        bool(in_protection) or "construction_control" in kinds
                        or too_high is not None, dict(limits or {}))


def render_png(zones: Zones, report: ImpactReport, *, size_px: int = 800) -> bytes:
    """Draw the zones and the work's footprint as a PNG map (metres, site CRS); return bytes.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> gdf = gpd.GeoDataFrame({"id": ["pr"], "parent_id": [None],
    ...     "kind": ["protection_range"]}, geometry=[box(94.80, 40.03, 94.81, 40.04)],
    ...     crs="EPSG:4326")
    >>> zones = Zones.from_frame(gdf)
    >>> work = {"type": "Point", "coordinates": [94.805, 40.035]}
    >>> render_png(zones, check_impact(zones, work, buffer_m=50), size_px=200)[:4]
    b'\x89PNG'
    """
    from geo.render import render_impact_png

    return render_impact_png(zones, report, size_px=size_px)
