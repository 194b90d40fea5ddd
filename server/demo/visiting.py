"""A site's visiting pattern (``visiting`` in site.json) resolved against its zone tree: the
gate, the route's areas and the zones parties enter in each, with their capacities.

Places are numbered as the geo engine numbers zones (``ZoneIndex.ids``), so a place's code is
the zone code the classifier returns for a position inside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from server import errors
from server.demo.demand import Hours
from server.services.venue_schema import Visiting

ROOMS = ("cave", "niche", "hall", "pit", "plaza")
# What a party does at a zone the pattern does not describe: (share that enters, minutes)
DEFAULT_STOPS: dict[str, tuple[float, tuple[float, float]]] = {
    "cave": (0.5, (4.0, 8.0)), "niche": (0.9, (12.0, 20.0)), "hall": (0.6, (15.0, 30.0)),
    "pit": (0.9, (10.0, 20.0)), "plaza": (0.3, (3.0, 8.0)),
}
DEFAULT_WANDER = (5.0, 15.0)  # minutes in an area besides its modelled stops
DEFAULT_TRANSFER = (2.0, 4.0)  # minutes from one area to the next


@dataclass(frozen=True)
class Stop:
    code: int
    zone_id: str
    share: float
    minutes: tuple[float, float]
    capacity: int | None  # at full scale; None: not limited


@dataclass(frozen=True)
class Area:
    code: int
    zone_id: str
    share: float
    wander: tuple[float, float]
    transfer: tuple[float, float]
    stops: tuple[Stop, ...]


@dataclass(frozen=True)
class SitePattern:
    site_id: str
    hours: tuple[tuple[frozenset[int], Hours], ...]
    typical: int
    daily_capacity: int | None
    gate: Stop
    route: tuple[Area, ...]
    tour_group_share: float
    tour_group_size: tuple[int, int]
    party_size: tuple[int, int]
    parent: tuple[int, ...]  # zone code -> parent zone code (-1 at the top)

    def hours_on(self, day: date) -> Hours:
        for months, hours in self.hours:
            if day.month in months:
                return hours
        return self.hours[0][1]


def _clock(text: str) -> int:
    hh, mm = text.split(":")
    return int(hh) * 60 + int(mm)


def site_pattern(site_id: str, config: dict[str, Any], daily_capacity: int | None,
                 zones: dict[str, dict[str, Any]], ids: list[str],
                 parent: list[int]) -> SitePattern:
    """Resolve ``config['visiting']`` against the zone tree (``zones`` as the zone index
    caches them, ``ids`` and ``parent`` as the geo engine numbers them)."""
    raw = config.get("visiting")
    if not raw:
        raise errors.InvalidContent(f"site {site_id!r} has no visiting pattern in its site.json "
                                    f"(see docs/history.md); run load-venues after adding one")
    visiting = Visiting.model_validate(raw)
    code = {z: i for i, z in enumerate(ids)}
    unknown = [z for _, z in visiting.zone_refs() if z not in code]
    if unknown:
        raise errors.InvalidContent(f"site {site_id!r}: the visiting pattern names unknown "
                                    f"zone(s) {', '.join(unknown)}")

    def stop(zid: str) -> Stop:
        zone = zones[zid]
        share, minutes = DEFAULT_STOPS.get(zone["kind"], (0.5, (5.0, 10.0)))
        spec = visiting.stops.get(zid)
        if spec is not None:
            share = spec.share if spec.share is not None else share
            minutes = tuple(spec.minutes) if spec.minutes is not None else minutes  # type: ignore[assignment]
        cap = zone["capacity"]
        return Stop(code[zid], zid, float(share), minutes, int(cap) if cap is not None else None)

    route = []
    for step in visiting.route:
        children = [z for z in ids if zones[z]["parent_id"] == step.area
                    and zones[z]["kind"] in ROOMS and z != visiting.gate
                    and zones[z]["capacity"] != 0]  # no access: never a stop
        route.append(Area(code[step.area], step.area, float(step.share),
                          tuple(step.wander_min or DEFAULT_WANDER),  # type: ignore[arg-type]
                          tuple(step.transfer_min or DEFAULT_TRANSFER),  # type: ignore[arg-type]
                          tuple(stop(z) for z in children)))
    hours = tuple((frozenset(h.months), Hours(_clock(h.open), _clock(h.close),
                                              _clock(h.last_entry))) for h in visiting.hours)
    parties = visiting.parties
    return SitePattern(site_id, hours, visiting.typical_daily_visitors, daily_capacity,
                       stop(visiting.gate), tuple(route), parties.tour_group_share,
                       tuple(parties.tour_group_size), tuple(parties.party_size),  # type: ignore[arg-type]
                       tuple(parent))
