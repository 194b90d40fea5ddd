"""Position retention: positions older than the retention period go, in batches, only after
their days' arrivals and visitors are kept; the visitor report over a purged week reads the
same visits per day as before; zone transitions stay."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import func, insert, select

from analytics_notebooks import visits
from analytics_notebooks.db import Sql, Window
from server.cli import main
from server.services import retention
from server.storage.models import (
    AuditLog,
    DailyVisitors,
    PositionEvent,
    PresenceCheckpoint,
    ZoneTransition,
)
from tests.helpers import CAVE, at

NOW = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)  # noon in Shanghai
WEEK = Window(date(2026, 10, 1), date(2026, 10, 7), "Asia/Shanghai")  # 50 days before NOW
RECENT = date(2026, 11, 18)  # within 10 days of NOW


def crowd(first: date, days: int, seed: int = 7) -> list[dict[str, Any]]:
    """A seeded crowd at the test site: each day about 120 visitors arrive between 8:00 and
    18:00 local time and report a position a minute for 5 to 60 minutes; some come back
    another day, and some stay past midnight."""
    rng = random.Random(seed)
    lon, lat = at(*CAVE)
    rows: list[dict[str, Any]] = []
    for d in range(days):
        midnight = datetime.combine(first + timedelta(days=d), datetime.min.time(), UTC) \
            - timedelta(hours=8)
        for v in range(rng.randint(100, 140)):
            visitor = f"v{rng.randint(0, 400)}" if v % 5 == 0 else f"d{d}-{v}"
            start = midnight + timedelta(hours=rng.uniform(8, 18))
            if v % 37 == 0:
                start = midnight + timedelta(hours=23, minutes=50)  # into the next day
            for m in range(rng.randint(5, 60)):
                rows.append({"event_id": f"{first}-{d}-{v}-{m}", "site_id": "testsite",
                             "visitor_id": visitor, "ts": start + timedelta(minutes=m),
                             "lon": lon, "lat": lat, "zone_id": "t-cave-01"})
    return rows


@pytest.fixture
def venue_with_history(venue: Flask) -> Iterator[Flask]:
    """The test venue with the seeded week of positions (and the day before it, and a recent
    day), and a zone transition in the week."""
    db = venue.extensions["lantern"].db
    with db.transaction() as session:
        session.execute(insert(PositionEvent), crowd(WEEK.first - timedelta(days=1), 8))
        session.execute(insert(PositionEvent), crowd(RECENT, 1, seed=8))
        session.add(ZoneTransition(site_id="testsite", visitor_id="d1-1", zone_id="t-cave-01",
                                   kind="enter", ts=datetime(2026, 10, 2, 3, tzinfo=UTC)))
    yield venue


def report_visits(app: Flask, window: Window = WEEK) -> tuple[list[dict[str, Any]], int, Any]:
    """The visitor report's visits per day and arrivals matrix for ``window``, and the
    positions it counted as read."""
    with app.extensions["lantern"].db.engine.connect() as conn:
        arr, positions = visits.arrivals(Sql(conn), "testsite", window)
    per_day = visits.visits_per_day(arr, window, 1000)
    return per_day.to_dict("records"), positions, visits.arrivals_matrix(arr, window)


def count(app: Flask, *where: Any, model: Any = PositionEvent) -> int:
    with app.extensions["lantern"].db.open_session() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_purging_a_week_leaves_its_visits_per_day_in_the_report_unchanged(
        venue_with_history: Flask) -> None:
    app = venue_with_history
    before, read_before, matrix_before = report_visits(app)
    assert sum(day["visits"] for day in before) > 700
    done = retention.purge(app.extensions["lantern"].db, 10, now=NOW, batch=1000)
    assert done.finished and done.deleted > 0
    old = PositionEvent.ts < datetime(2026, 11, 9, 16, tzinfo=UTC)  # local midnight, 10 days
    assert count(app, old) == 0
    after, read_after, matrix_after = report_visits(app)
    assert after == before
    assert read_after == read_before
    assert matrix_after.equals(matrix_before)
    assert count(app, model=ZoneTransition) == 1  # transitions stay
    assert count(app, PositionEvent.ts >= datetime(2026, 11, 17, 16, tzinfo=UTC)) > 0  # recent stay


def test_a_purge_stopped_anywhere_leaves_the_report_unchanged(venue_with_history: Flask) -> None:
    """Days are summarised whole before their positions go, batch by batch: a purge cut short
    by its time budget, at any point, leaves every day readable as before."""
    app = venue_with_history
    db = app.extensions["lantern"].db
    before = report_visits(app)[0]
    turns = 0
    while True:
        clock = iter(range(10_000)).__next__  # each reading of the clock: a second later
        done = retention.purge(db, 10, now=NOW, batch=700, budget_s=3, clock=clock)
        turns += 1
        assert report_visits(app)[0] == before
        if done.finished:
            break
    assert turns > 3
    assert count(app, model=DailyVisitors) == 9


def test_a_dry_run_counts_and_changes_nothing(venue_with_history: Flask) -> None:
    app = venue_with_history
    total = count(app)
    dry = retention.purge(app.extensions["lantern"].db, 10, now=NOW, dry_run=True)
    assert dry.sites["testsite"].positions_left == count(
        app, PositionEvent.ts < datetime(2026, 11, 9, 16, tzinfo=UTC))
    assert len(dry.sites["testsite"].days_summarised) == 9  # 8 days, one visit past midnight
    assert count(app) == total
    assert count(app, model=DailyVisitors) == 0 and count(app, model=AuditLog) == 0


def test_positions_presence_has_not_folded_yet_are_kept(venue_with_history: Flask) -> None:
    app = venue_with_history
    db = app.extensions["lantern"].db
    with db.open_session() as session:
        ids = sorted(session.scalars(select(PositionEvent.id)))
    folded = ids[len(ids) // 2]
    with db.transaction() as session:
        session.add(PresenceCheckpoint(writer="a-server", event_pk=folded))
    retention.purge(db, 10, now=NOW)
    assert count(app, PositionEvent.id <= folded,
                 PositionEvent.ts < datetime(2026, 11, 9, 16, tzinfo=UTC)) == 0
    assert count(app, PositionEvent.id > folded,
                 PositionEvent.ts < datetime(2026, 11, 9, 16, tzinfo=UTC)) > 0


def test_zero_days_keeps_positions_for_ever_and_a_short_period_outlives_late_events() -> None:
    assert retention.effective_days(0, 691_200) == 0
    assert retention.effective_days(3, 691_200) == 9  # events may arrive eight days late
    assert retention.effective_days(400, 691_200) == 400


def test_the_hourly_job_purges_once_an_hour_and_works_off_a_backlog_each_turn(
        venue_with_history: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    app = venue_with_history
    now = [0.0]
    job = retention.RetentionJob(app.extensions["lantern"].db, 10, 691_200,
                                 clock=lambda: now[0])
    monkeypatch.setattr(retention, "utcnow", lambda: NOW)
    monkeypatch.setattr(retention, "BATCH", 500)
    turns = []
    for _ in range(200):
        # every turn the budget is spent at once: one batch a turn
        report = job.step()
        turns.append(report)
        now[0] += retention.RetentionJob.EVERY_S + retention.RetentionJob.BUDGET_S
        if report is not None and report.finished:
            break
    assert turns[-1] is not None and turns[-1].finished
    assert count(app, PositionEvent.ts < datetime(2026, 11, 9, 16, tzinfo=UTC)) == 0
    assert job.step() is None  # not due again for an hour
    now[0] += retention.RetentionJob.PERIOD_S
    assert job.step() is not None


def test_purge_positions_on_the_command_line(tmp_path: Path, mini_venues: Path) -> None:
    env = {"LANTERN_INSTANCE_PATH": str(tmp_path / "instance"), "LANTERN_LOG_LEVEL": "WARNING",
           "LANTERN_ASYNC_MODE": "threading", "LANTERN_VENUES_PATH": str(mini_venues),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'lantern.db'}"}
    runner = CliRunner()
    assert runner.invoke(main, ["load-venues"], env=env).exit_code == 0
    from server.storage.database import Database

    db = Database(env["DATABASE_URL"])
    old = datetime.now(UTC) - timedelta(days=30)
    with db.transaction() as session:
        session.execute(insert(PositionEvent), crowd(old.date(), 1))
    dry = runner.invoke(main, ["purge-positions", "--dry-run", "--days", "20"], env=env)
    assert dry.exit_code == 0 and "testsite: would delete" in dry.output
    done = runner.invoke(main, ["purge-positions", "--days", "20"], env=env)
    assert done.exit_code == 0 and "testsite: deleted" in done.output
    with db.open_session() as session:
        assert session.scalar(select(func.count()).select_from(PositionEvent)) == 0
        entry = session.scalars(select(AuditLog).where(AuditLog.action == "purge_positions")).one()
        assert entry.actor == "cli" and entry.detail["deleted"] > 0
    db.dispose()
    off = runner.invoke(main, ["purge-positions", "--days", "0"], env=env)
    assert off.exit_code == 0 and "kept for ever" in off.output
