"""The byte form of an impact check sent to another process, and of its answer.

A check runs in a child process (``python -m geo impact``) so that its time and memory can be
bounded. The request is one JSON document: the site's zones (ids, tree, kinds and names, with
geometries as hex WKB so coordinates cross exactly), the work as GeoJSON, the buffer, the
limits and what to answer. The answer is one JSON header line, then the payload: the report as
JSON or the map as PNG bytes. Nothing is pickled, so data sent to a child cannot run code in it.
"""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from pyproj import CRS

from geo import errors
from geo.zoning import Zones

#: The zone columns an impact check and its map read; the others stay behind.
WIRE_COLUMNS = ("id", "parent_id", "kind", "name_en", "name_zh")
OUTPUTS = ("report", "png")


def encode_impact_request(zones: Zones, geometry: dict[str, Any], *, buffer_m: float = 0.0,
                          limits: dict[str, Any] | None = None, output: str = "report",
                          size_px: int = 800) -> bytes:
    """Return the bytes of one impact check, to be answered by :func:`answer_impact_request`.

    Parameters
    ----------
    zones : the site's :class:`Zones`.
    geometry : the work as a GeoJSON geometry (checked beforehand by
        :func:`geo.check_work_geojson`).
    buffer_m, limits : as for :func:`geo.check_impact`.
    output : ``"report"`` (the report as JSON) or ``"png"`` (the map).
    size_px : the map's width and height.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> gdf = gpd.GeoDataFrame({"id": ["pr"], "parent_id": [None],
    ...     "kind": ["protection_range"]}, geometry=[box(94.80, 40.03, 94.81, 40.04)],
    ...     crs="EPSG:4326")
    >>> data = encode_impact_request(Zones.from_frame(gdf),
    ...     {"type": "Point", "coordinates": [94.805, 40.035]}, buffer_m=10)
    >>> json.loads(decode_impact_answer(answer_impact_request(data)))["touched"][0]["zone_id"]
    'pr'
    """
    if output not in OUTPUTS:
        raise ValueError(f"'output' should be one of {OUTPUTS}, got {output!r}")
    frame = zones.frame
    request = {
        "zones": {
            "metric_crs": zones.metric_crs.srs or zones.metric_crs.to_wkt(),
            "site_center": list(zones.site_center),
            "columns": {c: [_text(v) for v in frame[c]] for c in WIRE_COLUMNS},
            "wkb": list(shapely.to_wkb(frame.geometry.array, hex=True)),
            # a zone's own height limit, as a number (the other columns cross as text)
            "max_height_m": [_number(v) for v in frame["max_height_m"]]
            if "max_height_m" in frame.columns else None,
        },
        "geometry": geometry, "buffer_m": float(buffer_m), "limits": limits,
        "output": output, "size_px": int(size_px),
    }
    return json.dumps(request, separators=(",", ":")).encode()


def answer_impact_request(data: bytes) -> bytes:
    """Run the check that ``data`` describes; return the answer's bytes (header line, payload).

    A work the check refuses is an answer too (``{"ok": false, ...}``), so the sender tells a
    refused geometry from a failed process.
    """
    from geo.impact import check_impact, render_png

    request = json.loads(data)
    zones = _zones_from_wire(request["zones"])
    try:
        report = check_impact(zones, request["geometry"], buffer_m=request["buffer_m"],
                              limits=request["limits"])
        if request["output"] == "png":
            payload = render_png(zones, report, size_px=request["size_px"])
        else:
            payload = json.dumps(report.to_dict(), separators=(",", ":")).encode()
    except errors.GeoError as exc:
        header = {"ok": False, "error": type(exc).__name__, "message": str(exc)}
        return json.dumps(header).encode() + b"\n"
    return json.dumps({"ok": True, "output": request["output"]}).encode() + b"\n" + payload


def warm_up() -> None:
    """Run one tiny check, so that the first real one in this process pays no first-call costs."""
    box = {"type": "Polygon", "coordinates": [[[0.0, 0.0], [0.01, 0.0], [0.01, 0.01],
                                               [0.0, 0.01], [0.0, 0.0]]]}
    frame = gpd.GeoDataFrame({"id": ["z"], "parent_id": [None], "kind": ["protection_range"]},
                             geometry=[shapely.geometry.shape(box)], crs="EPSG:4326")
    zones = Zones.from_frame(frame)
    answer_impact_request(encode_impact_request(zones, {"type": "Point",
                                                        "coordinates": [0.005, 0.005]},
                                                buffer_m=1))


def decode_impact_answer(data: bytes) -> bytes:
    """Return the payload of an answer; raise the ``geo`` error a refused check raised."""
    head, _, payload = data.partition(b"\n")
    try:
        header = json.loads(head)
    except ValueError:
        raise ValueError(f"not an impact answer: {head[:100]!r}") from None
    if not header.get("ok"):
        cls = getattr(errors, str(header.get("error")), None)
        if not (isinstance(cls, type) and issubclass(cls, errors.GeoError)):
            cls = errors.GeoError
        raise cls(header.get("message", "the impact check refused the work"))
    return payload


def _zones_from_wire(wire: dict[str, Any]) -> Zones:
    frame = gpd.GeoDataFrame(wire["columns"], geometry=shapely.from_wkb(wire["wkb"]),
                             crs="EPSG:4326")
    heights = wire.get("max_height_m") or [None] * len(frame)
    frame["max_height_m"] = pd.array(heights, dtype=object)
    # the sender's zones were validated when they were loaded; validating them again would
    # cost every check the time of a venue import
    lon, lat = wire["site_center"]
    return Zones(frame, CRS.from_user_input(wire["metric_crs"]), (float(lon), float(lat)))


def _number(value: Any) -> float | None:
    """A numeric zone attribute as a float; missing values become None."""
    return None if value is None or pd.isna(value) else float(value)


def _text(value: Any) -> str | None:
    """A zone attribute as text; pandas' missing values (None, NaN, NA) become None."""
    if isinstance(value, str):
        return value
    return None if value is None or pd.isna(value) else str(value)
