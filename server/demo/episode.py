"""The demo's CO2 episode: one cave's air already past its limit when the demo starts, so that
within a minute the real alert rules raise a microclimate alert, close the cave, and the content
rules switch the kiosks beside it to the cave's virtual substitute.

The cave is one with a substitute whose closure would change what a demo kiosk features (and
that is open, with no alert raised, so that the story plays again on every start). Its sensors
get readings above the limit for the last stretch of its hold time, dated in the past, and
live readings above it for ``high_s``; then they follow the crowd again, the alert clears after
another hold time, and the cave waits for an operator to reopen it (Mogao's ``reopen`` rule).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from server.domain.content import featured_experience

LEAD_S = 30.0  # the backdated run falls short of the hold time by this: the alert comes live
READING_EVERY_S = 10.0
HIGH_S = 600.0  # live readings stay above the limit this long after the start
ABOVE = 1.2  # readings this many times the limit


@dataclass(frozen=True)
class Candidate:
    """A cave that closes in the story: its substitute and the kiosks that would switch."""

    zone_id: str
    experience_id: str
    kiosks: tuple[str, ...]


def choose_cave(rules: Sequence[Mapping[str, Any]], substitutes: Mapping[str, str],
                kiosk_places: Mapping[str, Sequence[str]], states: Mapping[str, str],
                counts: Mapping[str, int], unavailable: set[str]) -> Candidate | None:
    """The first cave, in the content rules' order, whose closure would switch a kiosk to the
    cave's substitute; None if there is none.

    ``substitutes``: cave -> its virtual substitute; ``kiosk_places``: kiosk -> its zone, then
    that zone's ancestors; ``unavailable``: caves that cannot play the story (closed, alerting,
    no CO2 sensor).

    >>> rules = [{"id": "c1", "when": {"zone_closed": "cave-1"}, "kiosk_zones": ["area"],
    ...           "feature": "cave-1-virtual"},
    ...          {"id": "default", "when": {}, "kiosk_zones": ["*"], "feature": "intro"}]
    >>> choose_cave(rules, {"cave-1": "cave-1-virtual"}, {"k1": ["area"], "k2": ["hall"]},
    ...             {"cave-1": "open"}, {}, set())
    Candidate(zone_id='cave-1', experience_id='cave-1-virtual', kiosks=('k1',))
    >>> choose_cave(rules, {"cave-1": "cave-1-virtual"}, {"k1": ["area"]}, {"cave-1": "closed"},
    ...             {}, set()) is None
    True
    """
    for rule in rules:
        cave = (rule.get("when") or {}).get("zone_closed")
        experience = substitutes.get(cave or "")
        if cave is None or experience is None or cave in unavailable:
            continue
        if states.get(cave) == "closed":
            continue
        after = {**states, cave: "closed"}
        switching = tuple(sorted(k for k, places in kiosk_places.items() if places and
                                 featured_experience(rules, places[0], places[1:], after,
                                                     counts)[0] == experience))
        if switching:
            return Candidate(cave, experience, switching)
    return None


@dataclass(frozen=True)
class Co2Episode:
    """A cave's CO2 above ``limit`` from ``hold_s - LEAD_S`` before ``start`` to ``high_s``
    after it."""

    site_id: str
    zone_id: str
    experience_id: str
    sensors: tuple[str, ...]
    limit: float
    hold_s: float
    start: datetime
    high_s: float = HIGH_S

    @property
    def alert_due(self) -> datetime:
        """When the run above the limit spans the hold time: the rules raise the alert then."""
        return self.start + timedelta(seconds=LEAD_S)

    @property
    def high_until(self) -> datetime:
        return self.start + timedelta(seconds=self.high_s)

    def level(self, rng: random.Random) -> float:
        return self.limit * ABOVE + rng.gauss(0, 0.02 * self.limit)

    def backlog(self, run_id: str, rng: random.Random) -> list[dict[str, Any]]:
        """The readings of the stretch before ``start``: every sensor every ten seconds, above
        the limit, dated in the past (within the alert horizon)."""
        first = self.start - timedelta(seconds=self.hold_s - LEAD_S)
        out = []
        at, n = first, 0
        while at < self.start:
            for sensor in self.sensors:
                n += 1
                out.append({"event_id": f"ep-{run_id}-{n}", "sensor_id": sensor, "ts": at,
                            "co2_ppm": round(self.level(rng))})
            at += timedelta(seconds=READING_EVERY_S)
        return out

    def co2(self, sensor_id: str, now: datetime, rng: random.Random) -> float | None:
        """The CO2 a sensor of the cave reads now while the episode lasts; None otherwise (the
        crowd decides)."""
        if sensor_id not in self.sensors or now >= self.high_until:
            return None
        return self.level(rng)

    def facts(self) -> dict[str, Any]:
        return {"site_id": self.site_id, "zone_id": self.zone_id,
                "experience_id": self.experience_id, "alert_due": self.alert_due.isoformat(),
                "high_until": self.high_until.isoformat()}
