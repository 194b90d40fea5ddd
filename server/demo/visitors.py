"""The live demo's visitors and sensors: a scaled sample of each site's planned day (the
history's tourist day: demand, route through the zone tree, rooms entered if there is room),
read at the demo clock and posted with real times through the server's own front door.

A walker is a sampled visitor of the day's plan (server/demo/crowd.py): at each step it stands
at its party's point of that minute, moved part of the way towards the next minute's point, so
the crowd on site follows the demand curve and visitors walk from area to cave to area. A cave
the live rules close sends the walkers inside out and those due walk past; reopened, later
visits go ahead. Sensors read CO2, humidity and warmth from the visitors counted in their zone.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
from sqlalchemy import select

from server.demo.clock import DemoClock
from server.demo.crowd import DayPlan
from server.demo.demand import MINUTES_A_DAY
from server.demo.positions import ANCHOR_SPREAD, Reporters, sample
from server.demo.site_run import SiteRun
from server.services.intake import record_positions
from server.storage.models import Sensor, Site, utcnow
from server.storage.zone_index import live_states

log = logging.getLogger(__name__)

WALKERS_AT_PEAK = 400  # walkers a site at its busiest minute of the day; fewer before and after
STEP_S = 3.0
SENSOR_STEP_S = 10.0


def keep_stepping(step: Any, what: str, socketio: Any, interval_s: float) -> None:
    """Call ``step`` every ``interval_s`` for ever; a failing step is logged and the demo goes on."""
    while True:
        try:
            step()
        except Exception:  # noqa: BLE001 - the demo keeps going
            log.exception(what)
        socketio.sleep(interval_s)


@dataclass
class Day:
    """One site's planned day and the walkers sampled from it."""

    date: date
    plan: DayPlan
    walkers: Reporters
    visitor_ids: list[str]
    closed: set[int]  # room codes the plan keeps visitors out of


class SiteCrowd:
    """One site's walkers: where each stands at a moment of the demo clock."""

    def __init__(self, run: SiteRun, walkers_at_peak: int, seed: int) -> None:
        self.run = run
        self.walkers_at_peak = walkers_at_peak
        self.seed = seed
        self.day: Day | None = None

    def _plan(self, day: date) -> Day:
        plan = self.run.plan(day)
        on_site = plan.occ.sum(axis=0)
        scale = min(1.0, self.walkers_at_peak / max(1, int(on_site.max())))
        rng = np.random.default_rng([self.seed, day.toordinal()])
        walkers = sample(plan, scale, self.run.midnight(day), self.seed, rng)
        ids = [f"demo-{day:%Y%m%d}-{s}" for s in walkers.suffixes]
        return Day(day, plan, walkers, ids, set())

    def follow(self, states: dict[str, str], minute: int) -> None:
        """Keep the plan's rooms as the live zone states have them from ``minute`` on."""
        assert self.day is not None
        day, run = self.day, self.run
        closed = {run.code[z] for z, s in states.items() if s == "closed"} & run.rooms
        for code in sorted(closed - day.closed):
            day.walkers.replan(day.plan, day.plan.close(code, minute, run.parent[code]))
        for code in sorted(day.closed - closed):
            day.walkers.replan(day.plan, day.plan.reopen(code, minute))
        day.closed = closed

    def positions(self, local: datetime, states: dict[str, str]) -> tuple[list[str], np.ndarray,
                                                                           np.ndarray]:
        """(visitor ids, lon, lat) of the walkers on site at ``local`` (the site's wall clock at
        the demo time)."""
        if self.day is None or self.day.date != local.date():
            self.day = self._plan(local.date())
            self.follow(states, 0)
        seconds = local.hour * 3600 + local.minute * 60 + local.second
        walkers, places = self.day.walkers, self.run.places
        # from the earliest minute a walker may still be in (see below): a closed cave is empty
        self.follow(states, min(max(0, seconds // 60 - 1), MINUTES_A_DAY - 1))
        # each walker keeps its own second of the minute (as it reports in the history), so
        # parties change places all through the minute, not all at its turn
        own = np.maximum(seconds - walkers.second, 0)
        minute = np.minimum(own // 60, MINUTES_A_DAY - 1)
        here, lon, lat = self._at(walkers, minute)
        ahead, lon2, lat2 = self._at(walkers, np.minimum(minute + 1, MINUTES_A_DAY - 1))
        # part of the way to the next minute's point, where both lie in the same place
        f = (own % 60) / 60.0
        same = (here == ahead) & (here >= 0)
        on_site = np.flatnonzero(here >= 0)
        x = np.where(same, lon + f * (lon2 - lon), lon)[on_site]
        y = np.where(same, lat + f * (lat2 - lat), lat)[on_site]
        # a step between two points of a place may cut through a child zone: stay put then
        astray = self.run.zones.index.classify_codes(x, y) != places.zone[here[on_site]]
        x[astray], y[astray] = lon[on_site][astray], lat[on_site][astray]
        return [self.day.visitor_ids[i] for i in on_site.tolist()], x, y

    def _at(self, walkers: Reporters, minute: np.ndarray,
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each walker's place (-1: not on site) and point at its own ``minute``."""
        place = walkers.place[walkers.row, minute]
        anchor = walkers.anchor[walkers.row, minute] + ANCHOR_SPREAD * walkers.member
        lon, lat = self.run.places.points(np.maximum(place, 0), anchor)
        return place, lon, lat


class VisitorSimulator:
    """Every site's walkers, posted as positions every few seconds with real times."""

    def __init__(self, state: Any, clock: DemoClock | None = None,
                 walkers_at_peak: int = WALKERS_AT_PEAK, seed: int = 7) -> None:
        self.state = state
        self.clock = clock or DemoClock()
        self.walkers_at_peak = walkers_at_peak
        self.seed = seed
        self.crowds: dict[str, SiteCrowd] = {}
        self.counter = 0
        # event ids are unique per site for ever: a demo started again on the same database
        # must not send the ids of its last run, or every event is a duplicate and nobody moves
        self.run_id = uuid.uuid4().hex[:8]

    def _crowd(self, site: Site) -> SiteCrowd | None:
        if site.id not in self.crowds:
            if not site.config.get("visiting"):
                return None
            run = SiteRun(self.state.db, self.state.zone_index, None, site.id, self.seed, 1.0, {})
            self.crowds[site.id] = SiteCrowd(run, self.walkers_at_peak, self.seed)
        return self.crowds[site.id]

    def step(self, real: datetime | None = None) -> int:
        """Post every site's walkers where they stand now; returns positions sent."""
        real = real or utcnow()
        stamp = real.isoformat()  # as a gateway sends it: the front door reads text
        batches: dict[str, list[dict[str, Any]]] = {}
        with self.state.db.open_session() as session:
            for site in session.scalars(select(Site).order_by(Site.id)):
                crowd = self._crowd(site)
                if crowd is None:
                    continue
                states = live_states(session, crowd.run.zones)
                ids, lon, lat = crowd.positions(self.clock.local(real, crowd.run.tz), states)
                batch = []
                for visitor, x, y in zip(ids, lon.tolist(), lat.tolist(), strict=True):
                    self.counter += 1
                    batch.append({"event_id": f"d{self.run_id}-{self.counter}",
                                  "visitor_id": visitor, "ts": stamp, "lon": x, "lat": y})
                batches[site.id] = batch
        for site_id, batch in batches.items():
            if batch:
                record_positions(self.state, site_id, {"positions": batch})
        return sum(len(b) for b in batches.values())

    def run(self, socketio: Any, interval_s: float = STEP_S) -> None:
        keep_stepping(self.step, "visitor simulation", socketio, interval_s)


def crowd_reading(crowd: int, rng: random.Random) -> dict[str, float]:
    """A sensor's reading in a room with ``crowd`` visitors: the air warms, dampens and fills
    with CO2 as they breathe."""
    return {"temperature_c": round(13 + 0.05 * crowd + rng.gauss(0, 0.2), 2),
            "relative_humidity": round(min(99.0, 38 + 0.8 * crowd + rng.gauss(0, 1)), 1),
            "co2_ppm": round(450 + 45 * crowd + rng.gauss(0, 20))}


# what a sensor reads beyond the crowd's effect (the CO2 episode): f(sensor id, now) -> CO2 or None
Co2Override = Callable[[str, datetime], float | None]


class SensorSimulator:
    """Microclimate readings that follow the crowd (``override`` may set a sensor's CO2)."""

    def __init__(self, state: Any, seed: int = 11, override: Co2Override | None = None) -> None:
        self.state = state
        self.random = random.Random(seed)
        self.override = override
        self.counter = 0
        # event ids are unique per site for ever: a demo started again on the same database
        # must not send the ids of its last run, or every event is a duplicate and nobody moves
        self.run_id = uuid.uuid4().hex[:8]

    def step(self) -> int:
        from server.services.presence import occupancy
        from server.services.preservation import record_readings

        db, state = self.state.db, self.state
        per_site: dict[str, list[dict[str, Any]]] = {}
        with db.open_session() as session:
            for site in session.scalars(select(Site)):
                zones = state.zone_index.get(session, site)
                state.presence.flush()
                counts = {r["zone_id"]: r["count"] for r in occupancy(session, zones)}
                now = utcnow()
                for sensor in session.scalars(select(Sensor).where(Sensor.site_id == site.id)):
                    reading = crowd_reading(counts.get(sensor.zone_id, 0), self.random)
                    co2 = self.override(sensor.id, now) if self.override else None
                    if co2 is not None:
                        reading["co2_ppm"] = round(co2)
                    self.counter += 1
                    per_site.setdefault(site.id, []).append({
                        "event_id": f"sim-r-{self.run_id}-{self.counter}", "sensor_id": sensor.id,
                        "ts": now, **reading})
        for site_id, items in per_site.items():
            record_readings(db, site_id, items, max_batch=len(items) + 1,
                            on_zone_change=state.live.zone_changed, on_alert=state.live.alert,
                            on_readings=state.live.readings)
        return sum(len(v) for v in per_site.values())

    def run(self, socketio: Any, interval_s: float = SENSOR_STEP_S) -> None:
        keep_stepping(self.step, "sensor simulation", socketio, interval_s)
