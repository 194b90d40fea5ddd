"""Zone enter/exit events from per-visitor position streams, with debouncing and dwell times."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Transition:
    """A visitor entering or leaving a zone; exits carry how long the visitor stayed."""

    visitor_id: str
    zone_id: str
    event: str  # "enter" or "exit"
    ts: float
    dwell_s: float | None = None


@dataclass
class _Visitor:
    zone: str | None
    since: float
    last_ts: float
    pending: bool = False
    cand: str | None = None
    cand_ts: float = 0.0
    cand_x: float = 0.0
    cand_y: float = 0.0


class TransitionTracker:
    """Turn classified positions into debounced enter/exit events.

    A change of zone is *pending* from the first position seen in the new zone (the crossing)
    and becomes real once the visitor has stayed in that zone for ``debounce_s`` seconds or
    moved ``debounce_m`` metres from where the crossing was seen. A visitor who comes back
    before that -- jitter across a boundary -- produces no events at all. A confirmed change
    is dated at the crossing, so dwell times do not include the debounce delay. Positions
    older than the visitor's last one are ignored.

    Zones here are the innermost zones from :meth:`geo.ZoneIndex.classify`; occupancy of
    ancestors follows from :meth:`geo.ZoneIndex.rollup`.

    Examples
    --------
    >>> t = TransitionTracker(debounce_m=5.0, debounce_s=10.0)
    >>> [e.event for e in t.update("v1", 0.0, "hall", 0.0, 0.0)]
    ['enter']
    >>> t.update("v1", 1.0, "plaza", 1.0, 0.0)   # one step over the line: pending
    []
    >>> t.update("v1", 2.0, "hall", 0.5, 0.0)    # back again: nothing happened
    []
    >>> t.update("v1", 3.0, "plaza", 1.0, 0.0)
    []
    >>> [(e.event, e.zone_id, e.ts, e.dwell_s) for e in t.update("v1", 4.0, "plaza", 9.0, 0.0)]
    [('exit', 'hall', 3.0, 3.0), ('enter', 'plaza', 3.0, None)]
    """

    def __init__(self, debounce_m: float = 5.0, debounce_s: float = 10.0) -> None:
        for name, value in (("debounce_m", debounce_m), ("debounce_s", debounce_s)):
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                raise ValueError(f"'{name}' should be a finite number >= 0, got {value!r}")
        self.debounce_m = float(debounce_m)
        self.debounce_s = float(debounce_s)
        self._visitors: dict[str, _Visitor] = {}

    def __len__(self) -> int:
        return len(self._visitors)

    def zone_of(self, visitor_id: str) -> str | None:
        """Return the visitor's confirmed zone (None if outside or unknown)."""
        v = self._visitors.get(visitor_id)
        return v.zone if v else None

    def update(self, visitor_id: str, ts: float, zone_id: str | None, x_m: float,
               y_m: float) -> list[Transition]:
        """Feed one classified position (metres in the site CRS); return the events it causes."""
        if not math.isfinite(ts):
            raise ValueError(f"'ts' should be a finite number, got {ts!r}")
        v = self._visitors.get(visitor_id)
        if v is None:
            self._visitors[visitor_id] = _Visitor(zone_id, ts, ts)
            return [Transition(visitor_id, zone_id, "enter", ts)] if zone_id is not None else []
        if ts < v.last_ts:
            return []
        v.last_ts = ts
        if zone_id == v.zone:
            v.pending = False
            return []
        if not v.pending or v.cand != zone_id:
            v.pending, v.cand, v.cand_ts, v.cand_x, v.cand_y = True, zone_id, ts, x_m, y_m
        moved = math.hypot(x_m - v.cand_x, y_m - v.cand_y)
        if ts - v.cand_ts < self.debounce_s and moved < self.debounce_m:
            return []
        out = []
        if v.zone is not None:
            out.append(Transition(visitor_id, v.zone, "exit", v.cand_ts, v.cand_ts - v.since))
        if zone_id is not None:
            out.append(Transition(visitor_id, zone_id, "enter", v.cand_ts))
        v.zone, v.since, v.pending = zone_id, v.cand_ts, False
        return out

    def expire(self, now: float, timeout_s: float) -> list[Transition]:
        """Forget visitors silent for ``timeout_s``; each exits its zone at its last report.

        Examples
        --------
        >>> t = TransitionTracker()
        >>> _ = t.update("v1", 0.0, "cave", 0.0, 0.0)
        >>> _ = t.update("v1", 30.0, "cave", 0.0, 0.0)
        >>> [(e.event, e.ts, e.dwell_s) for e in t.expire(now=400.0, timeout_s=300.0)]
        [('exit', 30.0, 30.0)]
        >>> len(t)
        0
        """
        gone = [k for k, v in self._visitors.items() if now - v.last_ts >= timeout_s]
        out = []
        for k in gone:
            v = self._visitors.pop(k)
            if v.zone is not None:
                out.append(Transition(k, v.zone, "exit", v.last_ts, v.last_ts - v.since))
        return out
