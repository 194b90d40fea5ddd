"""A venue's crowd on one day, at full size: parties (tour groups and independent visitors)
arrive over the tourist day and follow the site's route through the zone tree, minute by
minute, entering the rooms of each area (caves, halls, pits) if there is room for the whole
party (first come, first served), walking on if not, and leaving by closing time. Planning
is vectorised over the day's parties: a route is a fixed list of steps, each taken or not.

The plan is a list of segments (party, place, first minute, end minute). A zone that closes
during the day (a microclimate alert) sends the parties inside out to its area at once and
those still to come walk past it; when it reopens, later visits go ahead as planned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from server.demo.demand import MINUTES_A_DAY, arrival_minutes, daily_visitors
from server.demo.places import Places
from server.demo.visiting import SitePattern

GATE_MIN = (3.0, 8.0)  # at the gate on arrival
EXIT_MIN = (2.0, 5.0)  # at the gate on the way out
WALK_MIN = (2.0, 4.0)  # in an area between two rooms


@dataclass
class DayPlan:
    """Full-size parties and their segments; ``occ[place, minute]`` counts visitors."""

    size: np.ndarray
    arrival: np.ndarray
    seg_party: np.ndarray
    seg_place: np.ndarray  # where the party is now planned to be
    seg_planned: np.ndarray  # where it meant to be (differs while a zone is closed)
    seg_start: np.ndarray
    seg_end: np.ndarray
    seg_anchor: np.ndarray  # where in the place's point pool the party stands
    occ: np.ndarray

    @property
    def visitors(self) -> int:
        return int(self.size.sum())

    def _move(self, segs: np.ndarray, place: np.ndarray) -> None:
        for s, p in zip(segs.tolist(), place.tolist(), strict=True):
            lo, hi = int(self.seg_start[s]), int(self.seg_end[s])
            self.occ[self.seg_place[s], lo:hi] -= self.size[self.seg_party[s]]
            self.occ[p, lo:hi] += self.size[self.seg_party[s]]
            self.seg_place[s] = p

    def close(self, place: int, minute: int, to: int) -> set[int]:
        """``place`` closes at ``minute``: whoever is inside or due goes to ``to`` instead.
        Returns the parties whose plan changed."""
        inside = np.flatnonzero((self.seg_place == place) & (self.seg_start < minute)
                                & (self.seg_end > minute))
        if len(inside):  # split: the part from ``minute`` on becomes a segment of its own
            n = len(inside)
            self.seg_party = np.concatenate([self.seg_party, self.seg_party[inside]])
            self.seg_place = np.concatenate([self.seg_place, self.seg_place[inside]])
            self.seg_planned = np.concatenate([self.seg_planned, self.seg_planned[inside]])
            self.seg_start = np.concatenate([self.seg_start, np.full(n, minute, np.int32)])
            self.seg_end = np.concatenate([self.seg_end, self.seg_end[inside]])
            self.seg_anchor = np.concatenate([self.seg_anchor, self.seg_anchor[inside]])
            self.seg_end[inside] = minute
        due = np.flatnonzero((self.seg_place == place) & (self.seg_start >= minute))
        self._move(due, np.full(len(due), to))
        return set(self.seg_party[due].tolist())

    def reopen(self, place: int, minute: int) -> set[int]:
        """``place`` opens again at ``minute``: visits planned from then on take place."""
        back = np.flatnonzero((self.seg_planned == place) & (self.seg_place != place)
                              & (self.seg_start >= minute))
        self._move(back, np.full(len(back), place))
        return set(self.seg_party[back].tolist())

    def where(self, parties: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per party (rows) and minute (columns): place (-1: not on site) and pool anchor."""
        place = np.full((len(parties), MINUTES_A_DAY), -1, dtype=np.int32)
        anchor = np.zeros((len(parties), MINUTES_A_DAY), dtype=np.int64)
        order = np.argsort(parties)
        mine = np.flatnonzero(np.isin(self.seg_party, parties))
        rows = order[np.searchsorted(parties, self.seg_party[mine], sorter=order)]
        length = (self.seg_end[mine] - self.seg_start[mine]).astype(np.int64)
        first = np.repeat(np.cumsum(length) - length, length)
        offset = np.arange(int(length.sum())) - first  # minutes into each segment
        minute = np.repeat(self.seg_start[mine].astype(np.int64), length) + offset
        row = np.repeat(rows, length)
        place[row, minute] = np.repeat(self.seg_place[mine], length)
        # a party drifts through its place's pool, a few points a minute
        anchor[row, minute] = np.repeat(self.seg_anchor[mine], length) + 3 * offset
        return place, anchor


def _split(total: int, low: int, high: int, rng: np.random.Generator) -> np.ndarray:
    """Party sizes in [low, high] adding up to ``total`` (the last one takes what is left)."""
    if total <= 0:
        return np.zeros(0, dtype=np.int64)
    sizes = rng.integers(low, high + 1, total // low + 1)
    ends = np.cumsum(sizes)
    n = int(np.searchsorted(ends, total)) + 1
    sizes = sizes[:n]
    sizes[-1] -= int(ends[n - 1]) - total
    return sizes


def make_parties(visitors: int, pattern: SitePattern, rng: np.random.Generator) -> np.ndarray:
    """Party sizes adding up to ``visitors``: tour groups and independent parties, shuffled."""
    tour = round(visitors * pattern.tour_group_share)
    sizes = np.concatenate([_split(tour, *pattern.tour_group_size, rng),
                            _split(visitors - tour, *pattern.party_size, rng)])
    return rng.permutation(sizes.astype(np.int32))


@dataclass(frozen=True)
class _Slot:
    """One step of the route: where, for how long, and when it may be skipped."""

    place: int
    minutes: tuple[float, float]
    area: int  # index into the route (-1: the gate)
    share: float = 1.0  # of the parties that take it
    pair: int = -1  # a walk belongs to the stop after it: both are taken or neither
    capacity: int | None = None


def _slots(pattern: SitePattern, places: Places) -> list[_Slot]:
    out = [_Slot(pattern.gate.code, GATE_MIN, -1)]
    gate_area = pattern.route[0].code
    for i, area in enumerate(pattern.route):
        if area.code != gate_area:
            transit = places.between(gate_area if i == 0 else pattern.route[i - 1].code,
                                     area.code)
            out.append(_Slot(area.code if transit is None else transit, area.transfer, i))
        for stop in area.stops:
            out.append(_Slot(area.code, WALK_MIN, i, pair=len(out) + 1))
            out.append(_Slot(stop.code, stop.minutes, i, stop.share, len(out) - 1, stop.capacity))
        out.append(_Slot(area.code, area.wander, i))
    return out


def _durations(slots: list[_Slot], pattern: SitePattern, n: int,
               rng: np.random.Generator) -> np.ndarray:
    """Minutes each party spends in each slot (0: skipped), before closing time is applied."""
    u = rng.random((n, len(slots)))
    low = np.asarray([s.minutes[0] for s in slots])
    high = np.asarray([s.minutes[1] for s in slots])
    minutes = np.maximum(1, np.rint(low + (high - low) * rng.random((n, len(slots)))))
    taken = u < np.asarray([s.share for s in slots])
    for k, slot in enumerate(slots):
        if slot.pair > k:  # a walk: taken with its stop
            taken[:, k] = taken[:, slot.pair]
    area_u = rng.random((n, len(pattern.route)))
    visits = area_u < np.asarray([a.share for a in pattern.route])
    visits[:, 0] = True
    area_of = np.asarray([s.area for s in slots])
    taken &= np.where(area_of >= 0, visits[:, np.maximum(area_of, 0)], True)
    return np.where(taken, minutes, 0).astype(np.int32)


def _plan_segments(pattern: SitePattern, places: Places, size: np.ndarray,
                   arrival: np.ndarray, close: int, rng: np.random.Generator) -> np.ndarray:
    """Segments (party, place, start, end) of every party, in order of arrival."""
    slots = _slots(pattern, places)
    n = len(size)
    dur = _durations(slots, pattern, n, rng)
    gate_area = pattern.route[0].code
    back_of_area = np.asarray([0.0 if a.code == gate_area else a.transfer[1]
                               for a in pattern.route])
    area_of = np.asarray([s.area for s in slots])
    back = np.where(area_of >= 0, back_of_area[np.maximum(area_of, 0)], 0.0)
    exit_at = close - int(EXIT_MIN[1])
    end = arrival[:, None] + np.cumsum(dur, axis=1)
    # whatever would keep a party past closing is left out, and all that would follow it
    kept = np.logical_and.accumulate((end + back <= exit_at) | (dur == 0), axis=1)
    dur = np.where(kept, dur, 0)
    end = arrival[:, None] + np.cumsum(dur, axis=1)
    start = end - dur
    t = end[:, -1]
    # the way back from the last area visited, then the gate
    last = np.where(dur > 0, np.maximum(area_of, 0)[None, :], 0).max(axis=1)
    way_lo = np.asarray([a.transfer[0] for a in pattern.route])[last]
    way_hi = np.asarray([a.transfer[1] for a in pattern.route])[last]
    way = np.where(last > 0, np.maximum(1, np.rint(way_lo + (way_hi - way_lo)
                                                    * rng.random(n))), 0).astype(np.int32)
    way = np.minimum(way, np.maximum(0, exit_at - t))
    way_place = np.asarray([gate_area if places.between(a.code, gate_area) is None
                            else places.between(a.code, gate_area) for a in pattern.route])[last]
    out_min = np.rint(EXIT_MIN[0] + (EXIT_MIN[1] - EXIT_MIN[0]) * rng.random(n)).astype(np.int32)
    out_min = np.maximum(1, np.minimum(out_min, close - (t + way)))
    parts = [np.stack([np.arange(n), np.full(n, slot.place), start[:, k], end[:, k]], axis=1)
             [dur[:, k] > 0] for k, slot in enumerate(slots)]
    parts.append(np.stack([np.arange(n), way_place, t, t + way], axis=1)[way > 0])
    parts.append(np.stack([np.arange(n), np.full(n, pattern.gate.code), t + way,
                           np.minimum(close, t + way + out_min)], axis=1))
    seg = np.concatenate(parts).astype(np.int64)
    seg = seg[seg[:, 3] > seg[:, 2]]
    caps = {slot.place: (slot.capacity, pattern.route[slot.area].code) for slot in slots
            if slot.capacity is not None}
    for place, (capacity, area) in caps.items():
        _enforce(seg, size, place, int(capacity), area)  # type: ignore[arg-type]
    return seg


def _enforce(seg: np.ndarray, size: np.ndarray, place: int, capacity: int, area: int) -> None:
    """A party enters a room only if there is room for all of it; otherwise it walks on (its
    minutes there are spent in the room's area). First come, first served."""
    mine = np.flatnonzero(seg[:, 1] == place)
    if not len(mine):
        return
    occ = np.zeros(MINUTES_A_DAY + 1, dtype=np.int64)
    np.add.at(occ, seg[mine, 2], size[seg[mine, 0]])
    np.add.at(occ, seg[mine, 3], -size[seg[mine, 0]])
    if np.cumsum(occ).max() <= capacity:
        return
    taken = [0] * (MINUTES_A_DAY + 1)  # plain lists: numpy costs more than the work here
    sizes = size.tolist()
    rows = mine[np.argsort(seg[mine, 2], kind="stable")]
    for s, party, lo, hi in zip(rows.tolist(), seg[rows, 0].tolist(), seg[rows, 2].tolist(),
                                seg[rows, 3].tolist(), strict=True):
        n = sizes[party]
        if max(taken[lo:hi]) + n <= capacity:
            for m in range(lo, hi):
                taken[m] += n
        else:
            seg[s, 1] = area


def plan_day(pattern: SitePattern, places: Places, day: date, rng: np.random.Generator) -> DayPlan:
    """The day's full-size crowd: how many come, in which parties, when, and where they go."""
    hours = pattern.hours_on(day)
    visitors = daily_visitors(pattern.typical, pattern.daily_capacity, day, rng)
    size = make_parties(visitors, pattern, rng)
    arrival = arrival_minutes(len(size), hours, rng).astype(np.int64)
    seg = _plan_segments(pattern, places, size, arrival, hours.close, rng)
    occ = np.zeros((len(places.size), MINUTES_A_DAY + 1), dtype=np.int32)
    np.add.at(occ, (seg[:, 1], seg[:, 2]), size[seg[:, 0]])
    np.add.at(occ, (seg[:, 1], seg[:, 3]), -size[seg[:, 0]])
    anchor = rng.integers(0, 1 << 20, len(seg))
    return DayPlan(size, arrival.astype(np.int32), seg[:, 0].astype(np.int32),
                   seg[:, 1].astype(np.int32), seg[:, 1].astype(np.int32),
                   seg[:, 2].astype(np.int32), seg[:, 3].astype(np.int32), anchor,
                   np.cumsum(occ, axis=1, dtype=np.int32)[:, :MINUTES_A_DAY].copy())
