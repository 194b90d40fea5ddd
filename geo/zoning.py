"""The validated zone set of one site (:class:`Zones`) and :func:`load_zones`."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from geo.crs import accepted_epsg, metric_crs_for
from geo.errors import Problem, UnknownZoneError, ZoneValidationError
from geo.schema import COLUMNS
from geo.validate import validate_zones


@dataclass
class Zones:
    """A validated zone tree of one site, in lon/lat (EPSG:4326), with its metric CRS.

    Build it with :func:`load_zones` or :meth:`Zones.from_frame`. ``frame`` has one row a
    zone, the columns of :data:`geo.schema.COLUMNS` plus ``capacity_source`` and ``geometry``.
    """

    frame: gpd.GeoDataFrame
    metric_crs: CRS
    site_center: tuple[float, float]
    source: str | None = None
    repairs: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        ids = [str(v) for v in self.frame["id"]]
        self._row = {fid: n for n, fid in enumerate(ids)}
        self._parent = {fid: _text(p) for fid, p in zip(ids, self.frame["parent_id"],
                                                          strict=True)}

    @classmethod
    def from_frame(cls, gdf: gpd.GeoDataFrame, *, site_center: tuple[float, float] | None = None,
                   make_valid: bool = False, source: str | None = None,
                   crs: Any = None) -> Zones:
        """Validate a zone frame and wrap it; raise :class:`ZoneValidationError` on problems.

        Examples
        --------
        >>> import geopandas as gpd
        >>> from shapely.geometry import box
        >>> gdf = gpd.GeoDataFrame({"id": ["p", "v"], "parent_id": [None, "p"],
        ...     "kind": ["protection_range", "visitor_area"], "state": ["open", "open"]},
        ...     geometry=[box(94.80, 40.03, 94.82, 40.05), box(94.805, 40.035, 94.81, 40.04)],
        ...     crs="EPSG:4326")
        >>> Zones.from_frame(gdf).ancestors("v")
        ['p']
        """
        frame = gdf.copy()
        crs = frame.crs if crs is None else crs
        repairs: list[Problem] = []
        if make_valid and crs is not None:
            repairs = _make_valid(frame, source)
        problems = validate_zones(frame, crs=crs, site_center=site_center, source=source)
        if problems:
            raise ZoneValidationError(problems)
        assert accepted_epsg(crs) is not None  # validated above
        # CGCS2000 agrees with WGS 84 to centimetres: keep coordinates, relabel the frame.
        frame = frame.set_crs("EPSG:4326", allow_override=True)
        frame = _normalise_columns(frame)
        if site_center is None:
            b = frame.total_bounds
            site_center = ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0)
        center = (float(site_center[0]), float(site_center[1]))
        return cls(frame, metric_crs_for(*center), center, source, repairs)

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def ids(self) -> list[str]:
        """Zone ids in frame order."""
        return list(self._row)

    def row(self, zone_id: str) -> dict[str, Any]:
        """Return one zone's attributes (and geometry) as a dict."""
        return self.frame.iloc[self._index(zone_id)].to_dict()

    def _index(self, zone_id: str) -> int:
        try:
            return self._row[zone_id]
        except KeyError:
            raise UnknownZoneError(zone_id) from None

    def parent(self, zone_id: str) -> str | None:
        """Return the parent id of a zone (None for a top-level zone)."""
        self._index(zone_id)
        return self._parent[zone_id]

    def ancestors(self, zone_id: str) -> list[str]:
        """Return the ids of the zone's ancestors, nearest first."""
        out = []
        node = self.parent(zone_id)
        while node is not None:
            out.append(node)
            node = self._parent[node]
        return out

    def depth(self, zone_id: str) -> int:
        """Return 0 for a top-level zone, 1 for its children, and so on."""
        return len(self.ancestors(zone_id))

    def children(self, zone_id: str | None) -> list[str]:
        """Return the ids of the direct children of a zone (of the top level for None)."""
        return [z for z, p in self._parent.items() if p == zone_id]

    def to_metric(self) -> gpd.GeoDataFrame:
        """Return the frame projected to the site's metric CRS."""
        return self.frame.to_crs(self.metric_crs)


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


def _normalise_columns(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    frame = frame.drop(columns=[c for c in ("_row",) if c in frame.columns])
    for col in COLUMNS:
        if col not in frame.columns:
            frame[col] = None
    frame["id"] = frame["id"].astype(str)
    frame["parent_id"] = [_text(v) for v in frame["parent_id"]]
    frame["state"] = [_text(v) or "open" for v in frame["state"]]
    caps = [None if v is None or (isinstance(v, float) and math.isnan(v)) else int(v)
            for v in frame["capacity"]]
    frame["capacity"] = pd_object(caps)
    frame["capacity_source"] = pd_object(["given" if c is not None else None for c in caps])
    return frame.reset_index(drop=True)


def pd_object(values: list[Any]) -> Any:
    """Return a list as an object-dtype array (keeps None and Python ints as they are)."""
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    return arr


def _make_valid(frame: gpd.GeoDataFrame, source: str | None) -> list[Problem]:
    """Repair invalid polygons in place; return one ``repaired`` note per changed feature."""
    notes = []
    geoms = frame.geometry.array
    for n, geom in enumerate(geoms):
        if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
            continue
        if not np.isfinite(shapely.get_coordinates(geom)).all() or geom.is_valid:
            continue
        reason = shapely.is_valid_reason(geom)
        fixed = shapely.make_valid(geom)
        polys = [g for g in shapely.get_parts(fixed) if g.geom_type in ("Polygon", "MultiPolygon")]
        fixed = shapely.union_all(polys) if polys else shapely.Polygon()
        frame.iloc[n, frame.columns.get_loc(frame.geometry.name)] = fixed
        b = geom.bounds
        crs = metric_crs_for((b[0] + b[2]) / 2, (b[1] + b[3]) / 2)
        before, after = gpd.GeoSeries([geom.buffer(0), fixed], crs=4326).to_crs(crs).area
        fid = _text(frame["id"].iloc[n]) if "id" in frame.columns else None
        notes.append(Problem(fid, "repaired",
                             f"{reason}; made valid: {geom.geom_type} -> {fixed.geom_type}, "
                             f"{len(shapely.get_parts(fixed))} part(s), area {before:.1f} -> "
                             f"{after:.1f} m2", None, source))
    return notes


def load_zones(source: Any, *, site_center: tuple[float, float] | None = None,
               make_valid: bool = False) -> Zones:
    """Load and validate a site's zones from GeoJSON, GeoPackage, a dict or a GeoDataFrame.

    Parameters
    ----------
    source : path to ``zones.geojson`` / ``.gpkg``, a FeatureCollection dict, or a frame.
    site_center : ``(lon, lat)``; detects swapped or far coordinates, picks the metric CRS.
    make_valid : repair invalid polygons (GEOS ``make_valid``) and list what changed in
        ``Zones.repairs`` instead of reporting them as problems.

    Raises
    ------
    ZoneValidationError
        With ``.problems``: every problem of every feature, by feature id.

    Examples
    --------
    >>> fc = {"type": "FeatureCollection", "features": [{"type": "Feature", "id": "p",
    ...   "properties": {"parent_id": None, "kind": "protection_range", "state": "open"},
    ...   "geometry": {"type": "Polygon", "coordinates": [[[94.80, 40.03], [94.82, 40.03],
    ...                [94.82, 40.05], [94.80, 40.05], [94.80, 40.03]]]}}]}
    >>> zones = load_zones(fc, site_center=(94.81, 40.04))
    >>> zones.ids, zones.metric_crs.to_epsg()
    (['p'], 32646)
    """
    from geo import io  # file I/O is imported only when loading

    raw = io.read_zone_source(source)
    try:
        zones = Zones.from_frame(raw.frame, site_center=site_center, make_valid=make_valid,
                                 source=raw.source, crs=raw.crs)
    except ZoneValidationError as exc:
        raise ZoneValidationError(raw.problems + exc.problems) from None
    if raw.problems:
        raise ZoneValidationError(raw.problems)
    return zones
