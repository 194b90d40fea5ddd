"""One site's history, day by day, on a 5-minute clock.

Each step: the sensors read the air (from the crowd so far), the readings go through the
alert rules, which may close or reopen a cave; the duty operator reopens a cave left
"awaiting operator" half an hour after its alerts cleared; the crowd's plan follows the
zones' states; kiosk sessions start; the air advances five minutes with the crowd inside.
Every 30 minutes (every 5 while a capacity alert is open) the sampled visitors' positions
of those minutes go to the position gateway, which writes them, flushes presence and sweeps
the visitors who timed out (their exit is dated at the end of those minutes, up to 30
minutes after the live sweep, which runs every 10 s, would date it; the dwell is exact).
"""

from __future__ import annotations

import zlib
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import select

from server.demo import kiosk_use
from server.demo.crowd import DayPlan, plan_day
from server.demo.demand import MINUTES_A_DAY, Hours
from server.demo.gateway import PositionGateway
from server.demo.microclimate import READING_INTERVAL_S, CaveAir, box_of, readings, sensor_bias
from server.demo.places import build_places
from server.demo.positions import Reporters, located, sample
from server.demo.visiting import site_pattern
from server.demo.writer import SiteDesk
from server.domain.alerts import AWAITING_OPERATOR
from server.domain.content import featured_experience
from server.services.preservation import ZoneChange
from server.storage.database import Database
from server.storage.models import Experience, Kiosk, Sensor, Site
from server.storage.zone_index import ZoneIndexCache, live_states

STEP_MIN = READING_INTERVAL_S // 60
CHUNK_MIN = 30  # positions are written this many minutes at a time
OPERATOR_DELAY = timedelta(minutes=30)  # a cleared cave waits this long for the duty operator
STAFF_BEFORE_OPEN_MIN = 60  # the duty operator starts this long before opening
# independent random streams of a site and day
PLAN, SAMPLE, SENSORS, KIOSKS, PLACES, WEATHER = range(1, 7)


@dataclass
class SiteCounts:
    desk: dict[str, int]  # the desk's own counts, as they grow
    days: int = 0
    visitors: int = 0
    reporters: int = 0
    closures: int = 0
    sessions: int = 0
    sent: int = 0  # positions handed to the gateway (stored unless already there)

    def as_dict(self) -> dict[str, int]:
        return {"days": self.days, "visitors": self.visitors, "reporters": self.reporters,
                "closures": self.closures, "sessions": self.sessions, "sent": self.sent,
                **self.desk}


class SiteRun:
    """A site's generator: what stays from day to day (zones' states, the desk, the pools)."""

    def __init__(self, db: Database, cache: ZoneIndexCache, gateway: PositionGateway | None,
                 site_id: str, seed: int, scale: float, hotspots: dict[str, list[str]]) -> None:
        self.db, self.gateway, self.site_id = db, gateway, site_id
        self.seed, self.scale, self.hotspots = seed, scale, hotspots
        self.key = (seed, zlib.crc32(site_id.encode()))
        with db.open_session() as session:
            site = session.get(Site, site_id)
            assert site is not None
            self.zones = cache.get(session, site)
            self.tz = ZoneInfo(site.timezone)
            self.states = live_states(session, self.zones)
            sensors = list(session.scalars(select(Sensor).where(Sensor.site_id == site_id)))
            kiosks = list(session.scalars(select(Kiosk).where(
                Kiosk.site_id == site_id, Kiosk.status == "approved")))
            self.experiences = {e.id: (e.duration_s, e.scene) for e in session.scalars(
                select(Experience).where(Experience.site_id == site_id))}
            daily_capacity = site.daily_capacity
        index = self.zones.index
        self.code = {z: i for i, z in enumerate(index.ids)}
        self.parent = index.parent.tolist()
        self.pattern = site_pattern(site_id, self.zones.config, daily_capacity, self.zones.zones,
                                    index.ids, self.parent)
        self.places = build_places(self.zones, self.pattern, self.rng(date.min, PLACES))
        areas = self.zones.geo_zones.frame.to_crs(self.zones.geo_zones.metric_crs).area.values
        self.boxes = [box_of(zid, self.code[zid], z, float(areas[self.code[zid]]),
                             [(s.id, tuple(s.measures)) for s in sensors if s.zone_id == zid])
                      for zid, z in self.zones.zones.items()
                      if (z["properties"] or {}).get("thresholds")
                      and any(s.zone_id == zid for s in sensors)]
        self.bias = {s.id: sensor_bias(self.key, s.id) for s in sensors}
        self.kiosks = [kiosk_use.Kiosk(k.id, k.kind, self.code[k.zone_id]) for k in kiosks
                       if k.zone_id in self.code]
        self.kiosk_zone: dict[str, str] = {k.id: k.zone_id for k in kiosks
                                           if k.zone_id is not None and k.zone_id in self.code}
        # the zones the crowd can be kept out of: those it enters (an operator's closure of
        # an area or of the gate is not modelled; the rules close caves only)
        self.rooms = {stop.code for area in self.pattern.route for stop in area.stops}
        self.desk = SiteDesk(db, self.zones)
        self.timeout_s = float(self.zones.config.get("visitor_timeout_s", 900))
        self.awaiting: dict[str, datetime] = {}
        self.closed_here: set[str] = set()
        self.counts = SiteCounts(self.desk.counts)

    def rng(self, day: date, stream: int) -> np.random.Generator:
        return np.random.default_rng([*self.key, day.toordinal(), stream])

    def midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(), tzinfo=self.tz)

    def plan(self, day: date) -> DayPlan:
        """The day's full-size crowd (its ``occ`` sums to the positions of scale 1)."""
        return plan_day(self.pattern, self.places, day, self.rng(day, PLAN))

    # -- a day ------------------------------------------------------------------------------
    def run_day(self, day: date) -> None:
        assert self.gateway is not None, "a SiteRun without a gateway only plans"
        local = self.midnight(day)
        base = local.astimezone(UTC)
        hours = self.pattern.hours_on(day)
        plan = self.plan(day)
        for zone_id, state in self.states.items():
            if state == "closed" and self.code[zone_id] in self.rooms:
                plan.close(self.code[zone_id], 0, self.parent[self.code[zone_id]])
        reporters = sample(plan, self.scale, local, self.seed, self.rng(day, SAMPLE))
        gateway = self.gateway
        gateway.send("day", self.site_id, reporters.visitor_ids, reporters.suffixes,
                     reporters.second.tolist())
        air = CaveAir(self.boxes, self.zones.config["climate"], day, (*self.key, WEATHER))
        noise = self.rng(day, SENSORS)
        slots = kiosk_use.plan_sessions(self.kiosks, plan.occ, hours.open, hours.close,
                                        self.scale, self.rng(day, KIOSKS))
        due = self._due(reporters, base)
        written, swept, next_slot = 0, base, 0
        for lo in range(0, MINUTES_A_DAY, STEP_MIN):
            now = base + timedelta(minutes=lo)
            by_zone = readings(air, now, f"h{self.seed}:{now:%Y%m%d%H%M}:", noise, self.bias)
            changes = self.desk.readings(by_zone, now) + self._operator(lo, hours, now)
            if self._apply(changes, plan, reporters, lo, now):
                self._write(reporters, base, written, lo)  # operators see who is inside
                written = lo
                self._capacity_alerts(now)
            next_slot = self._sessions(slots, next_slot, (lo + STEP_MIN) * 60, plan, base)
            air.advance(lo, lo + STEP_MIN, plan.occ)
            hi = lo + STEP_MIN
            if hi - written >= CHUNK_MIN or self.desk.capacity_open or hi == MINUTES_A_DAY:
                start, written = written, hi
                self._write(reporters, base, start, hi)
                end = base + timedelta(minutes=hi)
                if bisect_right(due, end) > bisect_right(due, swept):
                    # as the live sweep: whoever timed out leaves
                    gateway.send("sweep", self.site_id, end)
                    swept = end
                if self.desk.capacity_open:
                    self._capacity_alerts(end)
        self.counts.days += 1
        self.counts.visitors += plan.visitors
        self.counts.reporters += reporters.visitors
        self.counts.sessions += len(slots)

    def _due(self, reporters: Reporters, base: datetime) -> list[datetime]:
        """When each sampled visitor's presence times out (last report + the site's timeout)."""
        present = reporters.place[reporters.row] >= 0
        has = present.any(axis=1)
        last = MINUTES_A_DAY - 1 - np.argmax(present[:, ::-1], axis=1)
        seconds = last[has] * 60 + reporters.second[has] + self.timeout_s
        return sorted({base + timedelta(seconds=float(s)) for s in np.unique(seconds)})

    def _write(self, reporters: Reporters, base: datetime, lo: int, hi: int) -> None:
        """Hand minutes ``lo`` .. ``hi`` of positions to the gateway (``base``: midnight, UTC)."""
        if hi > lo and reporters.visitors:
            minute, member, lon, lat = located(reporters, self.places, lo, hi)
            if len(minute):
                assert self.gateway is not None
                self.counts.sent += len(minute)
                self.gateway.send("positions", self.site_id, self.seed, base, lo, hi, minute,
                                  member, lon, lat)

    def _capacity_alerts(self, now: datetime) -> None:
        assert self.gateway is not None
        self.gateway.sync()  # presence written up to now
        self.desk.capacity_alerts(now)

    def _operator(self, lo: int, hours: Hours, now: datetime) -> list[ZoneChange]:
        """The duty operator reopens caves whose alerts cleared a while ago."""
        if not hours.open - STAFF_BEFORE_OPEN_MIN <= lo < hours.close:
            return []
        out: list[ZoneChange] = []
        for zone_id, since in sorted(self.awaiting.items()):
            if now - since >= OPERATOR_DELAY:
                reason = "reopened by the duty operator after the microclimate alert cleared"
                self.desk.set_state(zone_id, "open", reason, now)
                out.append((self.zones.site_id, zone_id, "open", reason))
        return out

    def _apply(self, changes: list[ZoneChange], plan: DayPlan, reporters: Reporters,
               lo: int, now: datetime) -> bool:
        """Follow the zones' new states in the crowd's plan; True if a zone closed."""
        closed = False
        for _, zone_id, state, reason in changes:
            before = self.states.get(zone_id)
            self.states[zone_id] = state
            code = self.code[zone_id]
            if state == "closed":
                self.closed_here.add(zone_id)
                if reason == AWAITING_OPERATOR:
                    self.awaiting[zone_id] = now
                else:
                    self.awaiting.pop(zone_id, None)
                if before != "closed":
                    self.counts.closures += 1
                    closed = True
                    if code in self.rooms:
                        reporters.replan(plan, plan.close(code, lo, self.parent[code]))
            else:
                self.awaiting.pop(zone_id, None)
                if before == "closed" and code in self.rooms:
                    reporters.replan(plan, plan.reopen(code, lo))
        return closed

    def _sessions(self, slots: list[kiosk_use.Slot], at: int, until_s: int, plan: DayPlan,
                  base: datetime) -> int:
        """Store the sessions starting before ``until_s`` (seconds after midnight)."""
        events: list[tuple[str, dict[str, Any]]] = []
        rules = self.zones.config.get("content_rules") or []
        index = self.zones.index
        while at < len(slots) and slots[at].start_s < until_s:
            slot = slots[at]
            at += 1
            minute = int(slot.start_s // 60)
            counts = np.bincount(self.places.zone, weights=plan.occ[:, minute],
                                 minlength=len(index.ids))[:len(index.ids)]
            occupancy = index.rollup({z: int(c) for z, c in zip(index.ids, counts.tolist(),
                                                                  strict=True) if c})
            zone_id = self.kiosk_zone[slot.kiosk_id]
            feature, _ = featured_experience(rules, zone_id, index.ancestors(zone_id),
                                             self.states, occupancy)
            if feature not in self.experiences:
                continue
            events += self._events(slot, feature, base)
        self.desk.session_events(events)
        return at

    def _events(self, slot: kiosk_use.Slot, experience_id: str,
                base: datetime) -> list[tuple[str, dict[str, Any]]]:
        duration, scene = self.experiences[experience_id]
        session_id = f"h{self.seed}-{slot.kiosk_id}-{base:%Y%m%d}-{slot.number:03d}"
        start = base + timedelta(seconds=slot.start_s)
        seen = min(slot.length_s, float(duration))

        def event(name: str, kind: str, at: float, **extra: Any) -> tuple[str, dict[str, Any]]:
            return slot.kiosk_id, {"event_id": f"{session_id}:{name}", "session_id": session_id,
                                   "event": kind, "experience_id": experience_id,
                                   "ts": start + timedelta(seconds=round(at, 3)),
                                   "hotspot_id": extra.get("hotspot_id"),
                                   "completion": extra.get("completion")}

        out = [event("started", "started", 0.0)]
        spots = self.hotspots.get(scene, [])
        for n, (offset, which) in enumerate(slot.hotspots):
            if spots and offset < seen:
                out.append(event(f"hotspot:{n}", "hotspot", offset,
                                 hotspot_id=spots[which % len(spots)]))
        out.append(event("ended", "ended", seen,
                         completion=round(min(1.0, slot.length_s / duration), 3)))
        return out
