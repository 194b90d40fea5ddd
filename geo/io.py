"""File input and output for zones (imported lazily by :func:`geo.load_zones`).

GeoJSON is parsed with :mod:`json` so that every feature, even a broken one, can be named in
a problem report (GDAL would drop or rename duplicate and malformed features). GeoPackage and
other formats are read with pyogrio.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
from shapely.geometry import shape

from geo.errors import Problem, ZoneSourceError

GEOJSON_SUFFIXES = {".geojson", ".json"}


@dataclass
class RawZones:
    """Features as read, before validation: a frame, its declared CRS, and read problems."""

    frame: gpd.GeoDataFrame
    crs: Any
    source: str | None
    problems: list[Problem] = field(default_factory=list)


def read_zone_source(source: Any) -> RawZones:
    """Read zone features from a path (GeoJSON, GeoPackage), a FeatureCollection dict or a frame.

    Examples
    --------
    >>> fc = {"type": "FeatureCollection", "features": [{"type": "Feature", "id": "a",
    ...       "properties": {"kind": "protection_range"},
    ...       "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}}]}
    >>> raw = read_zone_source(fc)
    >>> list(raw.frame["id"]), raw.crs
    (['a'], 'EPSG:4326')
    """
    if isinstance(source, gpd.GeoDataFrame):
        return RawZones(source.copy(), source.crs, None)
    if isinstance(source, dict):
        return _from_feature_collection(source, None)
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.exists():
            raise ZoneSourceError(f"zone file {str(path)!r} does not exist")
        if path.suffix.lower() in GEOJSON_SUFFIXES:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise ZoneSourceError(f"{path.name}: not valid JSON: {exc}") from exc
            return _from_feature_collection(data, path.name)
        return _from_ogr(path)
    raise TypeError(
        f"'source' should be a path, a GeoJSON FeatureCollection dict or a GeoDataFrame, "
        f"got {type(source)}"
    )


def _from_ogr(path: Path) -> RawZones:
    import pyogrio

    try:
        frame = pyogrio.read_dataframe(path)
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        raise ZoneSourceError(f"{path.name}: cannot be read: {exc}") from exc
    if "id" in frame.columns:
        frame["id"] = frame["id"].map(lambda v: None if _is_missing(v) else str(v))
    return RawZones(frame, frame.crs, path.name)


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _declared_crs(data: dict[str, Any]) -> Any:
    crs = data.get("crs")
    if crs is None:
        return "EPSG:4326"  # RFC 7946: GeoJSON without a crs member is WGS 84 lon/lat
    if isinstance(crs, dict):
        props = crs.get("properties") or {}
        return props.get("name") or props.get("href") or json.dumps(crs)
    return crs


def _from_feature_collection(data: Any, name: str | None) -> RawZones:
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ZoneSourceError(f"{name or 'zone data'}: not a GeoJSON FeatureCollection")
    features = data.get("features")
    if not isinstance(features, list):
        raise ZoneSourceError(f"{name or 'zone data'}: 'features' is not a list")
    problems: list[Problem] = []
    rows: list[dict[str, Any]] = []
    geoms: list[Any] = []
    for n, feat in enumerate(features):
        props = dict(feat.get("properties") or {}) if isinstance(feat, dict) else {}
        fid = feat.get("id") if isinstance(feat, dict) else None
        if fid is not None and props.get("id") is not None and str(props["id"]) != str(fid):
            problems.append(Problem(str(fid), "id_mismatch",
                                    f"feature id {fid!r} differs from properties.id "
                                    f"{props['id']!r}", None, name))
        if fid is None:
            fid = props.get("id")
        fid = None if fid is None else str(fid)
        props["id"] = fid
        props["_row"] = n
        geom = None
        gjson = feat.get("geometry") if isinstance(feat, dict) else None
        if gjson is None:
            problems.append(Problem(fid, "missing_geometry", "the feature has no geometry",
                                    None, name))
        else:
            try:
                with warnings.catch_warnings():  # NaN coordinates are reported in validation
                    warnings.simplefilter("ignore", RuntimeWarning)
                    geom = shape(gjson)
            except Exception as exc:  # shapely raises several types for bad GeoJSON
                gtype = gjson.get("type") if isinstance(gjson, dict) else type(gjson).__name__
                problems.append(Problem(fid, "unsupported_geometry_type",
                                        f"geometry of type {gtype!r} cannot be read: {exc}",
                                        None, name))
        rows.append(props)
        geoms.append(geom)
    frame = gpd.GeoDataFrame(rows, geometry=geoms, crs=None)
    return RawZones(frame, _declared_crs(data), name, problems)


def write_geojson(feature_collection: dict[str, Any], path: str | os.PathLike[str]) -> None:
    """Write a FeatureCollection dict to ``path`` as UTF-8 GeoJSON (Chinese names kept)."""
    Path(path).write_text(json.dumps(feature_collection, ensure_ascii=False), encoding="utf-8")


def geometry_to_geojson(geom: Any) -> dict[str, Any]:
    """Return a shapely geometry as a GeoJSON geometry dict."""
    return json.loads(shapely.to_geojson(geom))
