"""Capacity levels by tiers (after LB/T 034-2014): e.g. 80% divert, 100% stop.

A zone's capacity is ``None`` (no limit: a construction-control belt is not visitor space),
0 (no access: nobody may be there, e.g. a mausoleum mound) or a number of visitors. Its state
changes the capacity that applies: a closed zone has capacity 0, a restricted zone a fraction
of its own (the site's ``restricted_capacity_ratio``, by default :data:`RESTRICTED_RATIO`).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping
from typing import Any

#: The share of its capacity a restricted zone keeps, unless the site says otherwise.
RESTRICTED_RATIO = 0.5


def capacity_level(count: int, capacity: int | None, tiers: Iterable[Mapping[str, Any]],
                   state: str = "open") -> str:
    """The highest tier whose ratio the load reaches; anyone in a zone of capacity 0 (no access,
    or closed) puts it at the top tier ('stop'), and an empty closed zone is 'closed'.

    >>> tiers = [{"level": "normal", "ratio": 0}, {"level": "divert", "ratio": 0.8},
    ...          {"level": "stop", "ratio": 1.0}]
    >>> capacity_level(79, 100, tiers), capacity_level(80, 100, tiers), capacity_level(100, 100, tiers)
    ('normal', 'divert', 'stop')
    >>> capacity_level(1, 0, tiers), capacity_level(0, 0, tiers), capacity_level(10_000, None, tiers)
    ('stop', 'normal', 'normal')
    """
    ordered = sorted(tiers, key=lambda t: float(t["ratio"]))
    if not ordered:
        return "normal"
    if state == "closed":
        return str(ordered[-1]["level"]) if count > 0 else "closed"
    if capacity is None:
        return str(ordered[0]["level"])
    if capacity == 0:
        return str(ordered[-1]["level"] if count > 0 else ordered[0]["level"])
    ratio = count / capacity
    level = ordered[0]["level"]
    for tier in ordered:
        if ratio >= float(tier["ratio"]):
            level = tier["level"]
    return str(level)


def effective_capacity(capacity: int | None, state: str,
                       restricted_ratio: float = RESTRICTED_RATIO) -> int | None:
    """The capacity that applies in a state: 0 when closed, lowered when restricted.

    A restricted zone keeps ``floor(capacity x restricted_ratio)`` visitors, but at least one:
    restricting a zone lowers its limit, closing it is what shuts it.

    >>> effective_capacity(40, "open"), effective_capacity(40, "closed")
    (40, 0)
    >>> effective_capacity(40, "restricted"), effective_capacity(1, "restricted", 0.5)
    (20, 1)
    >>> effective_capacity(None, "restricted"), effective_capacity(0, "restricted")
    (None, 0)
    """
    if not (isinstance(restricted_ratio, int | float) and not isinstance(restricted_ratio, bool)
            and 0 < restricted_ratio <= 1):
        raise ValueError(f"'restricted_ratio' should be a number in (0, 1], got "
                         f"{restricted_ratio!r}")
    if state == "closed":
        return 0
    if state == "restricted" and capacity:
        return max(1, math.floor(capacity * restricted_ratio))
    return capacity


def occupancy_rows(counts: Mapping[str, int], zones: Mapping[str, Mapping[str, Any]],
                   tiers: Iterable[Mapping[str, Any]],
                   restricted_ratio: float = RESTRICTED_RATIO) -> list[dict[str, Any]]:
    """Per zone: count, effective capacity (0 when closed, lowered when restricted) and level."""
    tiers = list(tiers)
    rows = []
    for zone_id, zone in zones.items():
        state = zone.get("state", "open")
        capacity = effective_capacity(zone.get("capacity"), state, restricted_ratio)
        count = int(counts.get(zone_id, 0))
        rows.append({"zone_id": zone_id, "count": count, "capacity": capacity, "state": state,
                     "level": capacity_level(count, capacity, tiers, state)})
    return rows


def forbidden_presence(row: Mapping[str, Any]) -> bool:
    """True when people are inside a zone nobody may be in (no access, or closed)."""
    return row.get("capacity") == 0 and int(row.get("count", 0)) > 0


def _top_and_release(tiers: Iterable[Mapping[str, Any]]) -> tuple[float, float] | None:
    """The top tier's ratio, and the ratio the load must fall below to leave it: the tier under
    the top (e.g. divert's 0.8), so that a zone hovering at its capacity does not flap."""
    ratios = sorted({float(t["ratio"]) for t in tiers})
    if not ratios or ratios[-1] <= 0:
        return None
    below = [r for r in ratios[:-1] if r > 0]
    return ratios[-1], below[-1] if below else ratios[-1]


def capacity_breached(row: Mapping[str, Any], tiers: Iterable[Mapping[str, Any]] = ()) -> bool:
    """People where nobody may be, or (given ``tiers``) a load at the top tier ('stop').

    >>> tiers = [{"level": "normal", "ratio": 0}, {"level": "divert", "ratio": 0.8},
    ...          {"level": "stop", "ratio": 1.0}]
    >>> capacity_breached({"count": 10, "capacity": 10}, tiers)
    True
    >>> capacity_breached({"count": 9, "capacity": 10}, tiers)
    False
    >>> capacity_breached({"count": 10, "capacity": 10})  # without tiers: no access only
    False
    """
    if forbidden_presence(row):
        return True
    capacity, top = row.get("capacity"), _top_and_release(tiers)
    if not capacity or top is None:
        return False
    return int(row.get("count", 0)) / capacity >= top[0]


def capacity_settled(row: Mapping[str, Any], tiers: Iterable[Mapping[str, Any]] = ()) -> bool:
    """The breach is over: a no-access or closed zone is empty, an open one has fallen below
    the tier under the top (below 80% with the usual tiers), or the zone has no limit.

    >>> tiers = [{"level": "normal", "ratio": 0}, {"level": "divert", "ratio": 0.8},
    ...          {"level": "stop", "ratio": 1.0}]
    >>> [capacity_settled({"count": n, "capacity": 10}, tiers) for n in (9, 8, 7)]
    [False, False, True]
    """
    capacity, count = row.get("capacity"), int(row.get("count", 0))
    if capacity is None:
        return True
    if capacity == 0:
        return count == 0
    limits = _top_and_release(tiers)
    return limits is None or count / capacity < limits[1]


def capacity_alert_changes(rows: Iterable[Mapping[str, Any]], open_alerts: Collection[str],
                           tiers: Iterable[Mapping[str, Any]] = ()
                           ) -> tuple[list[Mapping[str, Any]], list[str]]:
    """Which zones need a capacity alert raised, and which open ones clear.

    ``open_alerts`` are the zone ids with a raised capacity alert. An alert is raised once,
    when people are first found in a no-access or closed zone, or (given the site's ``tiers``)
    when a zone's load reaches the top tier; it clears when the zone is empty again (or has
    reopened), or its load has fallen below the tier under the top: one open alert per zone,
    however many updates come between.

    >>> rows = [{"zone_id": "mound", "count": 3, "capacity": 0},
    ...         {"zone_id": "pit", "count": 0, "capacity": 0}]
    >>> [r["zone_id"] for r in capacity_alert_changes(rows, set())[0]]
    ['mound']
    >>> capacity_alert_changes(rows, {"mound", "pit"})
    ([], ['pit'])
    """
    tiers = list(tiers)
    to_raise, to_clear = [], []
    for row in rows:
        zone_id = str(row["zone_id"])
        if zone_id not in open_alerts and capacity_breached(row, tiers):
            to_raise.append(row)
        elif zone_id in open_alerts and capacity_settled(row, tiers):
            to_clear.append(zone_id)
    return to_raise, to_clear


def site_figures(count: int, today: int, capacity: int | None, daily_capacity: int | None,
                 tiers: Iterable[Mapping[str, Any]], day: str) -> dict[str, Any]:
    """The site at a glance: visitors on site now against its instantaneous capacity, with
    its tier, and distinct visitors today against its daily capacity.

    >>> tiers = [{"level": "normal", "ratio": 0}, {"level": "divert", "ratio": 0.8}]
    >>> site_figures(900, 4100, 1000, 6000, tiers, "2026-10-01")["level"]
    'divert'
    """
    return {"count": count, "capacity": capacity, "level": capacity_level(count, capacity, tiers),
            "today": today, "daily_capacity": daily_capacity, "day": day}
