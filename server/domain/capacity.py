"""Capacity levels by tiers (after LB/T 034-2014): e.g. 80% divert, 100% stop."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def capacity_level(count: int, capacity: int | None, tiers: Iterable[Mapping[str, Any]],
                   state: str = "open") -> str:
    """The highest tier whose ratio the load reaches; a closed zone with anyone inside is 'stop'.

    >>> tiers = [{"level": "normal", "ratio": 0}, {"level": "divert", "ratio": 0.8},
    ...          {"level": "stop", "ratio": 1.0}]
    >>> capacity_level(79, 100, tiers), capacity_level(80, 100, tiers), capacity_level(100, 100, tiers)
    ('normal', 'divert', 'stop')
    """
    ordered = sorted(tiers, key=lambda t: float(t["ratio"]))
    if not ordered:
        return "normal"
    if state == "closed":
        return ordered[-1]["level"] if count > 0 else "closed"
    if not capacity:
        return str(ordered[0]["level"])
    ratio = count / capacity
    level = ordered[0]["level"]
    for tier in ordered:
        if ratio >= float(tier["ratio"]):
            level = tier["level"]
    return str(level)


def occupancy_rows(counts: Mapping[str, int], zones: Mapping[str, Mapping[str, Any]],
                   tiers: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per zone: count, effective capacity (0 when closed) and level."""
    tiers = list(tiers)
    rows = []
    for zone_id, zone in zones.items():
        state = zone.get("state", "open")
        capacity = 0 if state == "closed" else zone.get("capacity")
        count = int(counts.get(zone_id, 0))
        rows.append({"zone_id": zone_id, "count": count, "capacity": capacity, "state": state,
                     "level": capacity_level(count, capacity, tiers, state)})
    return rows
