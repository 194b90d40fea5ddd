"""The living demo, put together: the demo clock, the kiosks whose real programs run beside the
server (with fresh tokens), the CO2 episode, and the simulated visitors and sensors.

The CLI (``python -m server demo``) builds a ``LiveDemo`` on the app's state, calls ``prepare``
before serving, ``start`` with the Socket.IO server's task runner, and ``stop`` on the way out.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from server.demo.clock import DemoClock
from server.demo.episode import Candidate, Co2Episode, choose_cave
from server.demo.kiosk_children import KioskChildren, KioskSpec
from server.demo.site_run import SiteRun
from server.demo.visitors import (
    SENSOR_STEP_S,
    STEP_S,
    WALKERS_AT_PEAK,
    SensorSimulator,
    VisitorSimulator,
)
from server.domain.alerts import rules_from_thresholds
from server.services.kiosks import rotate_token
from server.services.presence import occupancy
from server.services.preservation import record_readings
from server.storage.models import Alert, Experience, Kiosk, Sensor, Site, utcnow
from server.storage.zone_index import SiteZones, live_states

STORY_SITE = "mogao"  # the site whose cave closes and whose kiosks run for real
KIOSKS = 3


@dataclass(frozen=True)
class DemoOptions:
    kiosk_size: str = "640x360"
    kiosk_fps: float = 10.0
    start_kiosks: bool = True
    kiosks: int = KIOSKS


def story_kiosks(kiosks: Sequence[tuple[str, str, str | None]], zone_kinds: Mapping[str, str],
                 rules: Sequence[Mapping[str, Any]], substitutes: Mapping[str, str],
                 count: int = KIOSKS) -> list[KioskSpec]:
    """Up to ``count`` of ``kiosks`` (id, kind, zone) standing in a visitor area that a content
    rule switches to a cave's substitute: one a zone first, in id order; one of them VR (in
    stereo), if any is. Tokens are left empty.

    >>> rules = [{"when": {"zone_closed": "c"}, "kiosk_zones": ["a", "b"], "feature": "c-v"}]
    >>> kinds = {"a": "visitor_area", "b": "visitor_area", "h": "hall"}
    >>> [(k.kiosk_id, k.stereo) for k in story_kiosks(
    ...     [("k1", "exhibition", "a"), ("k2", "exhibition", "a"), ("k3", "vr", "b"),
    ...      ("k4", "vr", "h")], kinds, rules, {"c": "c-v"}, count=2)]
    [('k1', False), ('k3', True)]
    """
    beside = set()
    for rule in rules:
        if (rule.get("when") or {}).get("zone_closed") in substitutes:
            beside |= set(rule.get("kiosk_zones") or [])
    fit = [(k, kind, z) for k, kind, z in sorted(kiosks)
           if z is not None and zone_kinds.get(z) == "visitor_area" and ({z, "*"} & beside)]
    chosen: list[tuple[str, str, str | None]] = []
    for kiosk in fit:  # one a zone first, then the rest
        if kiosk[2] not in {c[2] for c in chosen}:
            chosen.append(kiosk)
    chosen += [k for k in fit if k not in chosen]
    chosen = chosen[:count]
    vr = [k for k in fit if k[1] == "vr"]
    if chosen and vr and not any(k[1] == "vr" for k in chosen):
        chosen[-1] = vr[0]
    stereo = next((k[0] for k in chosen if k[1] == "vr"), None)
    return [KioskSpec(k, "", stereo=k == stereo) for k, _, _ in sorted(chosen)]


@dataclass
class Story:
    """What the demo chose at the story site."""

    kiosks: list[KioskSpec] = field(default_factory=list)
    episode: Co2Episode | None = None
    why_no_episode: str | None = None
    cave_name: str = ""
    tour_title: str = ""
    switching: tuple[str, ...] = ()  # kiosks the closure switches to the substitute


class LiveDemo:
    """The demo around a running server: prepared before it serves, started, then stopped."""

    def __init__(self, state: Any, instance: Path, cwd: Path, options: DemoOptions) -> None:
        self.state = state
        self.options = options
        self.children = KioskChildren(instance / "demo" / "kiosks", cwd)
        self.clock = DemoClock()
        self.story = Story()
        self.run_id = uuid.uuid4().hex[:8]
        self.random = random.Random()

    # -- before serving ------------------------------------------------------------------------
    def prepare(self, now: datetime | None = None) -> Story:
        """Set the clock, give the story's kiosks new tokens, start the CO2 episode."""
        now = now or utcnow()
        db = self.state.db
        with db.open_session() as session:
            site = session.get(Site, STORY_SITE) or session.scalars(
                select(Site).where(Site.id.in_(select(Kiosk.site_id))).order_by(Site.id)).first()
            if site is None:
                self.story.why_no_episode = "no site with kiosks"
                return self.story
            zones = self.state.zone_index.get(session, site)
            run = SiteRun(db, self.state.zone_index, None, site.id, 1, 1.0, {}) \
                if site.config.get("visiting") else None
            if run is not None:
                self.clock = DemoClock.inside(run.pattern.hours_on(now.astimezone(run.tz).date()),
                                              run.tz, now)
            substitutes = {e.substitute_for: e.id for e in session.scalars(
                select(Experience).where(Experience.site_id == site.id,
                                         Experience.substitute_for.is_not(None)))}
            rules = site.config.get("content_rules") or []
            kiosks = [(k.id, k.kind, k.zone_id) for k in session.scalars(
                select(Kiosk).where(Kiosk.site_id == site.id, Kiosk.status == "approved"))]
            chosen = story_kiosks(kiosks, {z: info["kind"] for z, info in zones.zones.items()},
                                  rules, substitutes, self.options.kiosks)
            candidate = self._candidate(session, site, zones, rules, substitutes, chosen)
        if self.options.start_kiosks:  # without programs to run, their tokens stay as they are
            with db.transaction() as session:
                chosen = [KioskSpec(k.kiosk_id, rotate_token(session, k.kiosk_id, "demo"),
                                    k.stereo) for k in chosen]
        self.story.kiosks = chosen
        if candidate is not None:
            self.story.episode = self._episode(site.id, zones, candidate, now)
            self.story.cave_name = zones.zones[candidate.zone_id].get("name_en") or candidate.zone_id
            with db.open_session() as session:
                tour = session.get(Experience, candidate.experience_id)
                self.story.tour_title = tour.title_en if tour is not None else candidate.experience_id
            self.story.switching = candidate.kiosks
        return self.story

    def _candidate(self, session: Any, site: Site, zones: SiteZones,
                   rules: Sequence[Mapping[str, Any]], substitutes: Mapping[str, str],
                   chosen: Sequence[KioskSpec]) -> Candidate | None:
        places = {}
        for spec in chosen:
            zone_id = session.get(Kiosk, spec.kiosk_id).zone_id
            places[spec.kiosk_id] = [zone_id, *zones.index.ancestors(zone_id)]
        alerting = set(session.scalars(select(Alert.zone_id).where(
            Alert.site_id == site.id, Alert.kind == "microclimate", Alert.state == "raised")))
        measured = {s.zone_id for s in session.scalars(select(Sensor).where(
            Sensor.site_id == site.id)) if "co2_ppm" in (s.measures or [])}
        no_limit = {z for z in zones.zones if not _co2_rule(zones, z)}
        counts = {r["zone_id"]: r["count"] for r in occupancy(session, zones)}
        candidate = choose_cave(rules, substitutes, places, live_states(session, zones), counts,
                                alerting | no_limit | (set(zones.zones) - measured))
        if candidate is None:
            self.story.why_no_episode = ("every cave whose closure would switch a demo kiosk is "
                                         "closed or alerting: reopen one in the panel and start "
                                         "the demo again")
        return candidate

    def _episode(self, site_id: str, zones: SiteZones, candidate: Candidate,
                 now: datetime) -> Co2Episode:
        rule = _co2_rule(zones, candidate.zone_id)
        assert rule is not None
        with self.state.db.open_session() as session:
            sensors = tuple(sorted(s.id for s in session.scalars(select(Sensor).where(
                Sensor.site_id == site_id, Sensor.zone_id == candidate.zone_id))
                if "co2_ppm" in (s.measures or [])))
        episode = Co2Episode(site_id, candidate.zone_id, candidate.experience_id, sensors,
                             rule.limit, rule.hold_s, now)
        items = episode.backlog(self.run_id, self.random)
        live = self.state.live
        record_readings(self.state.db, site_id, items, max_batch=len(items) + 1, now=now,
                        on_zone_change=live.zone_changed, on_alert=live.alert,
                        on_readings=live.readings)
        return episode

    # -- serving -------------------------------------------------------------------------------
    def start(self, socketio: Any, server_url: str, env: dict[str, str] | None = None) -> None:
        """Start the simulators on the server's task runner and the kiosk programs."""
        episode = self.story.episode
        override = (lambda sensor_id, now: episode.co2(sensor_id, now, self.random)) \
            if episode is not None else None
        socketio.start_background_task(VisitorSimulator(self.state, self.clock).run, socketio)
        socketio.start_background_task(SensorSimulator(self.state, override=override).run,
                                       socketio)
        if self.options.start_kiosks and self.story.kiosks:
            self.children.start(self.story.kiosks, server_url, self.options.kiosk_size,
                                self.options.kiosk_fps, env)

    def stop(self) -> None:
        self.children.stop()

    def crowd_line(self) -> str:
        hours = self.clock.offset_s / 3600
        shift = f" shifted by {hours:+.1f} h into opening hours" if self.clock.offset_s else ""
        return (f"simulated visitors: up to {WALKERS_AT_PEAK} walkers a site, moving every "
                f"{STEP_S:g} s along each site's route at the demo clock (real time{shift}); "
                f"sensors read every {SENSOR_STEP_S:g} s")

    def watch_line(self) -> str:
        story = self.story
        if story.episode is None:
            return ""
        episode = story.episode
        return (f"in about a minute the CO2 alert of {story.cave_name} ({episode.zone_id}) "
                f"closes it and the kiosks beside it ({', '.join(story.switching)}) switch to "
                f"its virtual tour, {story.tour_title}; about {episode.high_s / 60 + 5:.0f} "
                f"minutes later the alert clears and an operator can reopen the cave")

    def facts(self) -> dict[str, Any]:
        """What GET /api/v1/health says of the demo."""
        fps = self.options.kiosk_fps
        return {"clock_offset_s": round(self.clock.offset_s, 1),
                "kiosk_size": self.options.kiosk_size,
                "kiosk_fps": int(fps) if fps == int(fps) else fps,
                "kiosks": list(self.children.pids),
                "episode": {**self.story.episode.facts(), "kiosks": list(self.story.switching)}
                if self.story.episode is not None else None}


def _co2_rule(zones: SiteZones, zone_id: str) -> Any:
    thresholds = (zones.zones[zone_id].get("properties") or {}).get("thresholds")
    return next((r for r in rules_from_thresholds(thresholds)
                 if r.metric == "co2_ppm" and r.bound == "max"), None)
