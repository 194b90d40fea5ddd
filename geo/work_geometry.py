"""Bounds on the GeoJSON of a proposed work, checked on the plain lists before any geometry exists.

Buffering costs grow much faster than the input: a 24 kB zig-zag line of 1,000 vertices buffered
by 5 km keeps GEOS busy for many seconds and gigabytes. So the size of a work is bounded while it
is still a JSON document -- vertices counted from the coordinate lists, nesting depth capped --
and its structure is checked exactly (numbers, lon/lat ranges, closed rings), because shapely
would silently close an open ring or read ``"100"`` as a number.
"""

from __future__ import annotations

import math
from typing import Any

from geo.errors import WorkGeometryError

#: How many list levels lie above one position in each supported geometry type.
LEVELS = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2,
          "MultiPolygon": 3}
#: A MultiPolygon inside a Feature nests six containers deep; members beyond eight levels
#: (in ``bbox``, ``properties`` or elsewhere) are not GeoJSON of a work.
MAX_DEPTH = 8
DEFAULT_MAX_VERTICES = 1000


def check_work_geojson(geometry: Any, *, max_vertices: int = DEFAULT_MAX_VERTICES) -> dict[str, Any]:
    """Check the GeoJSON of a proposed work against size and structure bounds; return it.

    Nothing is built from the input: vertices are counted from the coordinate lists, so an
    oversized work is refused in time proportional to its size, before any buffer is drawn.

    Parameters
    ----------
    geometry : a GeoJSON geometry (Point, LineString, Polygon or their Multi- forms) or a
        Feature holding one, as parsed from JSON (dicts, lists, numbers).
    max_vertices : the most positions the work may have in total, ring-closing ones included.

    Returns
    -------
    dict
        The geometry object (a Feature's ``geometry``), unchanged.

    Raises
    ------
    WorkGeometryError
        Naming what is wrong and where, e.g. ``coordinates[0]: the ring is not closed``: too
        many vertices, nesting deeper than :data:`MAX_DEPTH`, an unsupported type, a position
        that is not two or three numbers (strings and booleans are not numbers), lon outside
        [-180, 180] or lat outside [-90, 90], a line of fewer than 2 positions, a polygon ring
        of fewer than 4 positions or whose first and last positions differ.

    Examples
    --------
    >>> square = {"type": "Polygon", "coordinates": [[[94.80, 40.03], [94.81, 40.03],
    ...           [94.81, 40.04], [94.80, 40.04], [94.80, 40.03]]]}
    >>> check_work_geojson(square)["type"]
    'Polygon'
    >>> check_work_geojson({"type": "LineString", "coordinates": [[0, 0], [1, 1], [2, 0]]},
    ...                    max_vertices=2)
    Traceback (most recent call last):
    ...
    geo.errors.WorkGeometryError: the work geometry has 3 vertices; at most 2 are accepted
    """
    given = geometry
    if isinstance(geometry, dict) and geometry.get("type") == "Feature":
        geometry = geometry.get("geometry")
    if not isinstance(geometry, dict):
        raise WorkGeometryError(f"the work geometry should be a GeoJSON object, got "
                                f"{_kind(geometry)}")
    gtype = geometry.get("type")
    if not isinstance(gtype, str) or gtype not in LEVELS:
        raise WorkGeometryError(f"geometry type {str(gtype)[:40]!r} is not supported; use one of "
                                f"{', '.join(LEVELS)}")
    if "coordinates" not in geometry:
        raise WorkGeometryError(f"the {gtype} has no 'coordinates'")
    coords = geometry["coordinates"]
    # the coordinates are walked by their type's exact shape below, the rest (bbox, crs,
    # properties) here; neither walk recurses, so no depth reaches Python's recursion limit
    if not _depth_at_most(given, MAX_DEPTH, skip=coords):
        raise WorkGeometryError(f"the work geometry is nested more than {MAX_DEPTH} levels deep")
    if gtype == "Point":
        _check_position(coords, "coordinates")
        return geometry
    leaves = _leaf_lists(coords, LEVELS[gtype] - 1, "coordinates")
    total = sum(len(positions) for _, positions in leaves)
    if total > max_vertices:
        raise WorkGeometryError(f"the work geometry has {total} vertices; at most {max_vertices} "
                                f"are accepted")
    if total == 0:
        raise WorkGeometryError("the work geometry is empty")
    for path, positions in leaves:
        _check_part(gtype, positions, path)
    return geometry


def _depth_at_most(obj: Any, limit: int, skip: Any) -> bool:
    """True when no dict or list but ``skip`` nests deeper than ``limit``."""
    stack = [(obj, 1)] if isinstance(obj, dict | list) else []
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return False
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children
                     if isinstance(child, dict | list) and child is not skip)
    return True


def _leaf_lists(coords: Any, levels: int, path: str) -> list[tuple[str, list[Any]]]:
    """The lists whose items are positions (rings, lines, the points of a MultiPoint)."""
    leaves: list[tuple[str, list[Any]]] = []
    stack = [(coords, levels, path)]
    while stack:
        node, level, where = stack.pop()
        if not isinstance(node, list):
            raise WorkGeometryError(f"{where}: expected a list, got {_kind(node)}")
        if level == 0:
            leaves.append((where, node))
        else:
            stack.extend((child, level - 1, f"{where}[{n}]")
                         for n, child in reversed(list(enumerate(node))))
    return leaves


def _check_part(gtype: str, positions: list[Any], path: str) -> None:
    for n, position in enumerate(positions):
        _check_position(position, f"{path}[{n}]")
    if gtype in ("LineString", "MultiLineString") and len(positions) < 2:
        raise WorkGeometryError(f"{path}: a line needs at least 2 positions, got {len(positions)}")
    if gtype in ("Polygon", "MultiPolygon"):
        if len(positions) < 4:
            raise WorkGeometryError(f"{path}: a polygon ring needs at least 4 positions (the "
                                    f"last repeating the first), got {len(positions)}")
        if positions[0] != positions[-1]:
            raise WorkGeometryError(f"{path}: the ring is not closed: its first position "
                                    f"{positions[0]} differs from its last {positions[-1]}")
    if gtype == "MultiPoint" and not positions:
        raise WorkGeometryError(f"{path}: the MultiPoint has no points")


def _check_position(position: Any, path: str) -> None:
    if isinstance(position, list) and position and isinstance(position[0], list):
        raise WorkGeometryError(f"{path}: expected a position [lon, lat], got lists nested "
                                f"deeper than the geometry type has")
    if not isinstance(position, list) or len(position) not in (2, 3):
        raise WorkGeometryError(f"{path}: expected a position [lon, lat], got {_kind(position)}")
    for value in position:
        # bool is an int to Python, and shapely would read "100" as 100.0
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise WorkGeometryError(f"{path}: coordinates must be numbers, got {value!r}")
        if not math.isfinite(value):
            raise WorkGeometryError(f"{path}: coordinates must be finite, got {value!r}")
    lon, lat = position[0], position[1]
    if abs(lon) > 180 or abs(lat) > 90:
        hint = " (it looks like [lat, lon]; GeoJSON is [lon, lat])" if abs(lat) <= 180 and \
            abs(lon) <= 90 else ""
        raise WorkGeometryError(f"{path}: {position} is not lon/lat: lon must lie in "
                                f"[-180, 180] and lat in [-90, 90]{hint}")


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "an object"
    return repr(value) if len(repr(value)) <= 40 else type(value).__name__
