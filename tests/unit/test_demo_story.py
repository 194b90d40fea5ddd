"""The living demo on the real venues, without processes: walkers follow the demand curve and the
zone tree at the demo clock, a closed cave empties, and the CO2 episode closes a cave beside the
demo's kiosks through the real alert and content rules, then clears and waits for an operator."""

from __future__ import annotations

import doctest
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from sqlalchemy import select

from server.demo import clock as clock_module
from server.demo import episode as episode_module
from server.demo import live as live_module
from server.demo.clock import DemoClock
from server.demo.live import DemoOptions, LiveDemo
from server.demo.visitors import WALKERS_AT_PEAK, SiteCrowd, VisitorSimulator, crowd_reading
from server.domain.alerts import AWAITING_OPERATOR
from server.services.kiosks import kiosk_for_token
from server.services.preservation import record_readings
from server.services.venues import import_venues
from server.services.zones import set_zone_state
from server.storage.models import (
    Alert,
    KioskCommand,
    PositionEvent,
    SensorReading,
    Site,
    ZoneState,
    utcnow,
)
from server.storage.zone_index import live_states

VENUES = Path(__file__).resolve().parents[2] / "venues"
DUNHUANG = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def venues(app):  # type: ignore[no-untyped-def]
    state = app.extensions["lantern"]
    with state.db.transaction() as session:
        import_venues(session, VENUES)
    return state


def mogao_crowd(state) -> SiteCrowd:  # type: ignore[no-untyped-def]
    simulator = VisitorSimulator(state)
    with state.db.open_session() as session:
        crowd = simulator._crowd(session.get(Site, "mogao"))
    assert crowd is not None
    return crowd


def states(state) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with state.db.open_session() as session:
        return live_states(session, state.zone_index.get(session, session.get(Site, "mogao")))


@pytest.mark.parametrize("module", [clock_module, episode_module, live_module])
def test_the_demos_docstring_examples_hold(module) -> None:  # type: ignore[no-untyped-def]
    assert doctest.testmod(module).failed == 0


def test_the_live_crowd_follows_the_demand_curve_at_a_few_hundred_walkers(venues) -> None:  # type: ignore[no-untyped-def]
    crowd, open_ = mogao_crowd(venues), states(venues)
    day = datetime(2026, 11, 23, tzinfo=DUNHUANG)  # a Monday in winter: open 09:00-17:30
    on_site = {hour: len(crowd.positions(day + timedelta(hours=hour), open_)[0])
               for hour in (7, 9.5, 10.5, 12.5, 16, 18)}
    assert on_site[7] == 0 and on_site[18] == 0, "nobody before opening or after closing"
    assert 0 < on_site[9.5] < on_site[10.5] < on_site[12.5], on_site
    assert on_site[12.5] > on_site[16], on_site
    assert 100 <= max(on_site.values()) <= WALKERS_AT_PEAK, on_site


def test_walkers_stand_in_the_zone_tree_and_move_between_steps(venues) -> None:  # type: ignore[no-untyped-def]
    crowd, open_ = mogao_crowd(venues), states(venues)
    at = datetime(2026, 11, 23, 11, 0, tzinfo=DUNHUANG)
    ids, lon, lat = crowd.positions(at, open_)
    ids2, lon2, lat2 = crowd.positions(at + timedelta(seconds=3), open_)
    index = crowd.run.zones.index
    zones = [index.ids[c] for c in index.classify_codes(lon, lat)]
    assert all(c >= 0 for c in index.classify_codes(lon, lat)), "every walker inside the site"
    kinds = {crowd.run.zones.zones[z]["kind"] for z in zones}
    assert {"cave", "visitor_area"} <= kinds, kinds
    same = [i for i, v in enumerate(ids) if v in set(ids2)]
    moved = np.hypot(lon[same] - lon2[[ids2.index(ids[i]) for i in same]],
                     lat[same] - lat2[[ids2.index(ids[i]) for i in same]])
    assert (moved > 0).mean() > 0.5, "most walkers moved in three seconds"


def test_a_closed_cave_empties_and_later_walkers_pass_it_by(venues) -> None:  # type: ignore[no-untyped-def]
    crowd = mogao_crowd(venues)
    index = crowd.run.zones.index
    at = datetime(2026, 11, 23, 11, 0, tzinfo=DUNHUANG)

    def in_cave(when: datetime, live: dict[str, str]) -> int:
        _, lon, lat = crowd.positions(when, live)
        return sum(index.ids[c] == "mogao-cave-096" for c in index.classify_codes(lon, lat))

    open_ = states(venues)
    assert max(in_cave(at + timedelta(minutes=m), open_) for m in range(0, 30, 5)) > 0
    closed = {**open_, "mogao-cave-096": "closed"}
    assert all(in_cave(at + timedelta(minutes=m), closed) == 0 for m in range(30, 60, 5))


def test_the_simulator_posts_real_times_with_new_event_ids_each_run(venues) -> None:  # type: ignore[no-untyped-def]
    real = utcnow()  # whatever the hour, the demo clock puts the crowd inside opening hours
    clock = DemoClock.inside(
        mogao_crowd(venues).run.pattern.hours_on(real.astimezone(DUNHUANG).date()), DUNHUANG, real)
    sent = VisitorSimulator(venues, clock).step(real) + VisitorSimulator(venues, clock).step(real)
    with venues.db.open_session() as session:
        stamps = set(session.scalars(select(PositionEvent.ts)).all())
        stored = len(session.scalars(select(PositionEvent.id)).all())
    assert sent > 0 and stored == sent, "a second run's events are new, not duplicates"
    assert {s.replace(tzinfo=UTC) if s.tzinfo is None else s for s in stamps} == {real}


def prepared(venues, tmp_path: Path, now: datetime) -> LiveDemo:  # type: ignore[no-untyped-def]
    demo = LiveDemo(venues, tmp_path, tmp_path, DemoOptions())
    demo.prepare(now)
    return demo


def test_the_story_runs_three_kiosks_beside_caves_with_substitutes_one_vr_in_stereo(
        venues, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    demo = prepared(venues, tmp_path, utcnow())
    kiosks = demo.story.kiosks
    assert len(kiosks) == 3
    assert sum(k.stereo for k in kiosks) == 1
    with venues.db.open_session() as session:
        zones = venues.zone_index.get(session, session.get(Site, "mogao"))
        rows = [kiosk_for_token(session, k.kiosk_id, k.token) for k in kiosks]
        assert all(r is not None for r in rows), "each kiosk program gets a working token"
        assert len({r.zone_id for r in rows}) == 3
        assert {zones.zones[r.zone_id]["kind"] for r in rows} == {"visitor_area"}
        assert next(r for r, k in zip(rows, kiosks, strict=True) if k.stereo).kind == "vr"


def co2_batch(demo: LiveDemo, at: datetime, value: float | None) -> list[dict]:
    episode = demo.story.episode
    assert episode is not None
    rng = random.Random(1)
    return [{"event_id": f"t-{at.timestamp()}-{s}", "sensor_id": s, "ts": at,
             "co2_ppm": value if value is not None else episode.co2(s, at, rng)}
            for s in episode.sensors]


def post(venues, demo: LiveDemo, items: list[dict], now: datetime):  # type: ignore[no-untyped-def]
    live = venues.live
    return record_readings(venues.db, "mogao", items, max_batch=100, now=now,
                           on_zone_change=live.zone_changed, on_alert=live.alert)


def test_the_co2_episode_closes_its_cave_a_hold_time_after_its_backdated_start_and_kiosks_switch(
        venues, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    start = utcnow()
    demo = prepared(venues, tmp_path, start)
    episode = demo.story.episode
    assert episode is not None and episode.site_id == "mogao"
    assert episode.experience_id == f"{episode.zone_id}-virtual"
    assert set(demo.story.switching) <= {k.kiosk_id for k in demo.story.kiosks}
    with venues.db.open_session() as session:
        backlog = session.scalars(select(SensorReading).where(
            SensorReading.zone_id == episode.zone_id)).all()
        assert backlog and all(r.co2_ppm > episode.limit for r in backlog)
        first = min(r.ts for r in backlog).replace(tzinfo=UTC)
        assert timedelta(minutes=4) <= start - first < timedelta(seconds=episode.hold_s)
    assert states(venues)[episode.zone_id] == "open", "not yet: the run is short of the hold"

    due = episode.alert_due + timedelta(seconds=1)
    result = post(venues, demo, co2_batch(demo, due, None), due)
    assert [a["change"] for a in result.alerts] == ["raised"]
    assert states(venues)[episode.zone_id] == "closed"
    with venues.db.open_session() as session:
        loads = session.scalars(select(KioskCommand).where(
            KioskCommand.action == "load_scene")).all()
    switched = {c.kiosk_id for c in loads if c.args["experience_id"] == episode.experience_id}
    assert set(demo.story.switching) <= switched and demo.story.switching


def test_after_the_episode_the_alert_clears_and_the_cave_waits_for_an_operator(
        venues, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    start = utcnow()
    demo = prepared(venues, tmp_path, start)
    episode = demo.story.episode
    assert episode is not None
    due = episode.alert_due + timedelta(seconds=1)
    post(venues, demo, co2_batch(demo, due, None), due)
    quiet = crowd_reading(0, random.Random(2))["co2_ppm"]
    assert episode.co2(episode.sensors[0], episode.high_until, random.Random()) is None
    cleared = []
    for s in range(0, int(episode.hold_s) + 30, 10):
        at = episode.high_until + timedelta(seconds=s)
        cleared += post(venues, demo, co2_batch(demo, at, quiet), at).alerts
    assert [a["change"] for a in cleared] == ["cleared"]
    with venues.db.open_session() as session:
        raised = session.scalars(select(Alert).where(Alert.zone_id == episode.zone_id,
                                                     Alert.state == "raised")).all()
        row = session.get(ZoneState, ("mogao", episode.zone_id))
    assert raised == [] and row is not None and (row.state, row.reason) == (
        "closed", AWAITING_OPERATOR)
    with venues.db.transaction() as session:
        set_zone_state(session, "mogao", episode.zone_id, "open", "checked", "olga")
    assert states(venues)[episode.zone_id] == "open"


def test_a_cave_still_closed_from_an_earlier_run_is_not_chosen_again(venues, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = prepared(venues, tmp_path, utcnow()).story.episode
    assert first is not None
    with venues.db.transaction() as session:
        set_zone_state(session, "mogao", first.zone_id, "closed", AWAITING_OPERATOR, "system")
    again = prepared(venues, tmp_path, utcnow()).story
    assert again.episode is not None and again.episode.zone_id != first.zone_id
    assert again.switching, "its closure still switches a demo kiosk"
