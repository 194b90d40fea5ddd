"""Heritage zoning: load and validate zones, classify positions, check impact.

``geo`` is a library: it takes and returns data (GeoDataFrames, arrays, dicts, PNG bytes) and
knows nothing of the server. File I/O lives in :mod:`geo.io`, imported only when needed.
"""

from __future__ import annotations

from geo.capacity import with_capacity
from geo.classify import ZoneIndex
from geo.crs import metric_crs_for
from geo.errors import (
    CRSError,
    GeoError,
    Problem,
    UnknownZoneError,
    WorkGeometryError,
    ZoneSourceError,
    ZoneValidationError,
)
from geo.export import to_display_geojson
from geo.impact import ImpactReport, check_impact, render_png
from geo.validate import validate_zones
from geo.work_geometry import check_work_geojson
from geo.zoning import Zones, load_zones

__all__ = [
    "CRSError",
    "GeoError",
    "ImpactReport",
    "Problem",
    "UnknownZoneError",
    "WorkGeometryError",
    "ZoneIndex",
    "ZoneSourceError",
    "ZoneValidationError",
    "Zones",
    "check_impact",
    "check_work_geojson",
    "load_zones",
    "metric_crs_for",
    "render_png",
    "to_display_geojson",
    "validate_zones",
    "with_capacity",
]
