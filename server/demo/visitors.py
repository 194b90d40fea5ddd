"""Simulated visitors for `python -m server demo`: groups wander between a site's visitor areas."""

from __future__ import annotations

import logging
import random
import uuid
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from sqlalchemy import select

from server.services.intake import record_positions
from server.storage.models import Site, utcnow

log = logging.getLogger(__name__)


def keep_stepping(step: Any, what: str, socketio: Any, interval_s: float) -> None:
    """Call ``step`` every ``interval_s`` for ever; a failing step is logged and the demo goes on."""
    while True:
        try:
            step()
        except Exception:  # noqa: BLE001 - the demo keeps going
            log.exception(what)
        socketio.sleep(interval_s)


@dataclass
class Walker:
    visitor_id: str
    lon: float
    lat: float
    target: tuple[float, float]


class VisitorSimulator:
    """Keeps ``per_site`` visitors walking towards random points inside visitor areas and rooms."""

    def __init__(self, state: Any, per_site: int = 300, seed: int = 7) -> None:
        self.state = state
        self.per_site = per_site
        self.random = random.Random(seed)
        self.walkers: dict[str, list[Walker]] = {}
        self.counter = 0
        # event ids are unique per site for ever: a demo started again on the same database
        # must not send the ids of its last run, or every event is a duplicate and nobody moves
        self.run_id = uuid.uuid4().hex[:8]

    def _spots(self, site_zones: Any) -> list[Any]:
        frame = site_zones.geo_zones.frame
        inner = frame[frame["kind"].isin(["visitor_area", "cave", "hall", "pit", "plaza", "niche"])]
        return [g for g in inner.geometry if not g.is_empty]

    def _point_in(self, geoms: list[Any]) -> tuple[float, float]:
        geom = self.random.choice(geoms)
        minx, miny, maxx, maxy = geom.bounds
        for _ in range(50):
            x, y = self.random.uniform(minx, maxx), self.random.uniform(miny, maxy)
            if shapely.contains_xy(geom, x, y):
                return x, y
        c = geom.representative_point()
        return c.x, c.y

    def step(self) -> int:
        """Move every visitor a few metres and ingest their positions; returns positions sent."""
        db, cache = self.state.db, self.state.zone_index
        batches: dict[str, list[dict[str, Any]]] = {}
        with db.open_session() as session:
            for site in session.scalars(select(Site)):
                zones = cache.get(session, site)
                spots = self._spots(zones)
                if not spots:
                    continue
                walkers = self.walkers.setdefault(site.id, [])
                while len(walkers) < self.per_site:
                    x, y = self._point_in(spots)
                    walkers.append(Walker(f"sim-{site.id}-{len(walkers)}", x, y, self._point_in(spots)))
                batch = []
                now = utcnow()
                stamp = now.isoformat()  # as a gateway sends it: the front door reads text
                for w in walkers:
                    dx, dy = w.target[0] - w.lon, w.target[1] - w.lat
                    dist = float(np.hypot(dx, dy))
                    stride = 4e-5  # about 4 m a step
                    if dist < stride:
                        w.target = self._point_in(spots)
                    else:
                        w.lon, w.lat = w.lon + dx / dist * stride, w.lat + dy / dist * stride
                    self.counter += 1
                    batch.append({"event_id": f"sim-{self.run_id}-{self.counter}", "visitor_id": w.visitor_id,
                                  "ts": stamp, "lon": w.lon, "lat": w.lat})
                batches[site.id] = batch
        for site_id, batch in batches.items():
            record_positions(self.state, site_id, {"positions": batch})
        return sum(len(b) for b in batches.values())

    def run(self, socketio: Any, interval_s: float = 3.0) -> None:
        keep_stepping(self.step, "visitor simulation", socketio, interval_s)


class SensorSimulator:
    """Microclimate readings that follow the crowd: CO2 and humidity rise with visitors inside."""

    def __init__(self, state: Any, seed: int = 11) -> None:
        self.state = state
        self.random = random.Random(seed)
        self.counter = 0
        # event ids are unique per site for ever: a demo started again on the same database
        # must not send the ids of its last run, or every event is a duplicate and nobody moves
        self.run_id = uuid.uuid4().hex[:8]

    def step(self) -> int:
        from server.services.presence import occupancy
        from server.services.preservation import record_readings
        from server.storage.models import Sensor

        db, state = self.state.db, self.state
        per_site: dict[str, list[dict[str, Any]]] = {}
        with db.open_session() as session:
            for site in session.scalars(select(Site)):
                zones = state.zone_index.get(session, site)
                state.presence.flush()
                counts = {r["zone_id"]: r["count"] for r in occupancy(session, zones)}
                now = utcnow()
                for sensor in session.scalars(select(Sensor).where(Sensor.site_id == site.id)):
                    crowd = counts.get(sensor.zone_id, 0)
                    self.counter += 1
                    per_site.setdefault(site.id, []).append({
                        "event_id": f"sim-r-{self.run_id}-{self.counter}", "sensor_id": sensor.id, "ts": now,
                        "temperature_c": round(13 + 0.05 * crowd + self.random.gauss(0, 0.2), 2),
                        "relative_humidity": round(min(99.0, 38 + 0.8 * crowd
                                                       + self.random.gauss(0, 1)), 1),
                        "co2_ppm": round(450 + 45 * crowd + self.random.gauss(0, 20))})
        for site_id, items in per_site.items():
            record_readings(db, site_id, items, max_batch=len(items) + 1,
                            on_zone_change=state.live.zone_changed, on_alert=state.live.alert)
        return sum(len(v) for v in per_site.values())

    def run(self, socketio: Any, interval_s: float = 10.0) -> None:
        keep_stepping(self.step, "sensor simulation", socketio, interval_s)
