"""Tiny synthetic zone trees with an explicit CRS, near the Mogao Grottoes."""

from __future__ import annotations

from typing import Any

from shapely.geometry import box, mapping

CENTER = (94.80, 40.04)


def feature(fid: str | None, geom: Any, *, parent: str | None = None,
            kind: str = "visitor_area", **props: Any) -> dict[str, Any]:
    """A GeoJSON Feature of a zone (geometry as shapely or a GeoJSON dict)."""
    gj = geom if isinstance(geom, dict) or geom is None else mapping(geom)
    return {"type": "Feature", "id": fid,
            "properties": {"id": fid, "parent_id": parent, "kind": kind, "name_en": fid,
                           "name_zh": "区", "capacity": None, "state": "open", **props},
            "geometry": gj}


def collection(*features: dict[str, Any], crs: str | None = None) -> dict[str, Any]:
    """A FeatureCollection, with a ``crs`` member when ``crs`` is given."""
    fc: dict[str, Any] = {"type": "FeatureCollection", "features": list(features)}
    if crs is not None:
        fc["crs"] = {"type": "name", "properties": {"name": crs}}
    return fc


PR = box(94.79, 40.03, 94.81, 40.05)
CC = box(94.78, 40.02, 94.82, 40.06).difference(PR)
VA1 = box(94.795, 40.035, 94.80, 40.045)
VA2 = box(94.80, 40.035, 94.805, 40.045)
CAVE = box(94.796, 40.036, 94.798, 40.038)


def site_features() -> list[dict[str, Any]]:
    """A valid site: protection range, its construction-control ring, two areas, a cave."""
    return [
        feature("pr", PR, kind="protection_range", capacity=1500),
        feature("cc", CC, kind="construction_control"),
        feature("va1", VA1, parent="pr", capacity=200),
        feature("va2", VA2, parent="pr", usable_ratio=0.5),
        feature("cave1", CAVE, parent="va1", kind="cave", capacity=12),
    ]


