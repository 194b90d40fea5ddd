"""Coordinate reference systems: what input is accepted and which metric CRS a site uses.

Input and output are lon/lat: EPSG:4326 (WGS 84) or EPSG:4490 (CGCS2000, the Chinese
geodetic datum; it agrees with WGS 84 to a few centimetres, so coordinates are kept as they
are and the frame is relabelled EPSG:4326). Metric work (areas, buffers, distances) is done
in the WGS 84 / UTM zone of the site centre (EPSG:326zz north, 327zz south), chosen by
:func:`metric_crs_for`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pyproj import CRS, Transformer

from geo.errors import CRSError

#: EPSG codes accepted as lon/lat input.
ACCEPTED_EPSG = (4326, 4490)
LONLAT = CRS.from_epsg(4326)


def accepted_epsg(crs: Any) -> int | None:
    """Return the EPSG code of ``crs`` if it is an accepted lon/lat CRS, else None.

    Examples
    --------
    >>> accepted_epsg("urn:ogc:def:crs:EPSG::4490")
    4490
    >>> accepted_epsg("EPSG:3857") is None
    True
    """
    if crs is None:
        return None
    try:
        parsed = CRS.from_user_input(crs)
    except Exception:  # pyproj raises several types for garbage input
        return None
    if parsed.equals(LONLAT, ignore_axis_order=True):
        return 4326
    code = parsed.to_epsg(min_confidence=90)
    if code in ACCEPTED_EPSG:
        return code
    if parsed.name.upper() in {"WGS 84", "CRS84", "WGS84"}:
        return 4326
    return None


def describe_crs(crs: Any) -> str:
    """Return a short human name for ``crs`` (used in error messages)."""
    if crs is None:
        return "no CRS"
    try:
        parsed = CRS.from_user_input(crs)
    except Exception:
        return repr(crs)
    code = parsed.to_epsg(min_confidence=70)
    return f"EPSG:{code} ({parsed.name})" if code else parsed.name


def utm_epsg(lon: float, lat: float) -> int:
    """Return the EPSG code of the WGS 84 / UTM zone containing ``(lon, lat)``.

    Examples
    --------
    >>> utm_epsg(94.80, 40.04)   # Mogao Grottoes, Dunhuang
    32646
    >>> utm_epsg(112.47, 34.56)  # Longmen Grottoes
    32649
    """
    if not (np.isfinite(lon) and np.isfinite(lat)) or abs(lat) > 90 or abs(lon) > 180:
        raise CRSError(f"cannot choose a UTM zone for ({lon!r}, {lat!r}): not a lon/lat pair")
    zone = int((lon + 180.0) // 6.0) % 60 + 1
    return (32600 if lat >= 0 else 32700) + zone


def metric_crs_for(lon: float, lat: float) -> CRS:
    """Return the projected CRS used for metric work at a site centred on ``(lon, lat)``.

    Examples
    --------
    >>> metric_crs_for(109.27, 34.38).to_epsg()  # Qin Shi Huang Mausoleum
    32649
    """
    return CRS.from_epsg(utm_epsg(lon, lat))


class Projector:
    """Vectorised lon/lat <-> metres for one site.

    Examples
    --------
    >>> p = Projector(metric_crs_for(94.80, 40.04))
    >>> x, y = p.to_metric([94.80], [40.04])
    >>> lon, lat = p.to_lonlat(x, y)
    >>> round(float(lon[0]), 6), round(float(lat[0]), 6)
    (94.8, 40.04)
    """

    def __init__(self, metric_crs: CRS) -> None:
        self.metric_crs = metric_crs
        self._fwd = Transformer.from_crs(LONLAT, metric_crs, always_xy=True)
        self._inv = Transformer.from_crs(metric_crs, LONLAT, always_xy=True)

    def to_metric(self, lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
        """Project lon/lat arrays to metres (x, y)."""
        x, y = self._fwd.transform(np.asarray(lon, float), np.asarray(lat, float))
        return np.asarray(x), np.asarray(y)

    def to_lonlat(self, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        """Unproject metre arrays (x, y) to lon/lat."""
        lon, lat = self._inv.transform(np.asarray(x, float), np.asarray(y, float))
        return np.asarray(lon), np.asarray(lat)
