"""Geometry checks of a venue's zones, done by the geo/ engine (validity, CRS, containment,
overlaps, swapped or far coordinates); attribute checks are the venue schema's job."""

from __future__ import annotations

from typing import Any

SCHEMA_CODES = {"missing_id", "duplicate_id", "unknown_kind", "unknown_state", "invalid_capacity"}


def check_zone_geometry(collection: dict[str, Any], site: Any) -> list[tuple[str, str | None]]:
    """Every geometric problem as (message, feature id)."""
    from geo import ZoneSourceError, ZoneValidationError, load_zones

    center = tuple(site.center) if site is not None else None
    try:
        load_zones(collection, site_center=center)
    except ZoneValidationError as exc:
        return [(f"{p.code}: {p.message}" + (f" at {p.location}" if p.location else ""),
                 p.feature_id) for p in exc.problems if p.code not in SCHEMA_CODES]
    except ZoneSourceError as exc:
        return [(str(exc), None)]
    return []
