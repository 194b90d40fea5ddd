"""Geometry checks of a zones FeatureCollection, delegated to the geo/ engine."""

from __future__ import annotations

from typing import Any


def check_zone_geometry(collection: dict[str, Any], site: Any) -> list[tuple[str, str | None]]:
    """Every geometric problem as (message, feature id)."""
    import shapely
    from shapely.geometry import shape

    problems: list[tuple[str, str | None]] = []
    for i, feature in enumerate(collection.get("features") or []):
        props = (feature or {}).get("properties") or {}
        ident = str(props.get("id") or f"#{i}")
        try:
            geom = shape(feature["geometry"])
        except Exception as exc:  # noqa: BLE001 - any unreadable geometry is a problem to report
            problems.append((f"unreadable geometry: {exc}", ident))
            continue
        if geom.is_empty:
            problems.append(("empty geometry", ident))
        elif not geom.is_valid:
            problems.append((f"invalid geometry: {shapely.is_valid_reason(geom)}", ident))
    return problems
