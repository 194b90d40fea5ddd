"""The venue-history generator (`python -m server history`): the crowd model's shape, and small
histories written through the server's use cases on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from server.demo import demand, site_run
from server.demo.history import DEFAULT_SCALE, generate_history
from server.services.venues import import_venues
from server.storage.database import Database
from server.storage.zone_index import ZoneIndexCache

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = date(2026, 10, 4)  # two days before it: Golden Week's 2nd and 3rd days, Mogao is full
MOGAO = {"sites": ["mogao"], "days": 2, "end": GOLDEN, "seed": 3, "scale": 0.005}
MOGAO_HOURS = demand.Hours(open=8 * 60, close=18 * 60, last_entry=16 * 60)
# every event table, in a fixed order; the run's own audit record (dated now) is left out
TABLES = {
    "position_events": "SELECT * FROM position_events ORDER BY id",
    "zone_transitions": "SELECT * FROM zone_transitions ORDER BY id",
    "sensor_readings": "SELECT * FROM sensor_readings ORDER BY id",
    "alerts": "SELECT * FROM alerts ORDER BY id",
    "kiosk_session_events": "SELECT * FROM kiosk_session_events ORDER BY id",
    "zone_states": "SELECT * FROM zone_states ORDER BY site_id, zone_id",
    "audit_log": "SELECT actor, action, target, ts, detail FROM audit_log "
                 "WHERE action <> 'generate_history' ORDER BY id",
}


def fresh(url: str) -> Database:
    db = Database(url)
    db.migrate()
    with db.transaction() as session:
        import_venues(session, ROOT / "venues")
    return db


def write(db: Database, **options: Any) -> dict[str, int]:
    report = generate_history(db, ZoneIndexCache(), assets=ROOT / "assets_sample",
                              **{**MOGAO, **options})
    return report.sites[options.get("sites", MOGAO["sites"])[0]]


def rows(db: Database, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def digests(db: Database) -> dict[str, tuple[int, str]]:
    """Per table: its row count and a digest of every row."""
    out = {}
    for table, sql in TABLES.items():
        found = rows(db, sql)
        out[table] = (len(found), hashlib.sha256(repr(found).encode()).hexdigest())
    return out


def closures(db: Database, site: str) -> list[tuple[str, str, str]]:
    """(zone, closed at, opened at) of each closure the audit log records (times as text)."""
    spans, since = [], {}
    for target, ts, state in rows(db, "SELECT target, ts, detail FROM audit_log WHERE action = "
                                      "'set_zone_state' ORDER BY id"):
        zone = target.split("/", 1)[1]
        state = state if isinstance(state, dict) else json.loads(state)
        if not target.startswith(site + "/"):
            continue
        if state["state"] == "closed":
            since.setdefault(zone, ts)
        elif zone in since:
            spans.append((zone, since.pop(zone), ts))
    return spans


# -- the crowd model ---------------------------------------------------------------------------
def test_arrivals_peak_at_lunch_and_are_few_at_opening() -> None:
    hourly = demand.hourly_arrivals(3000, 6000, date(2026, 11, 4), MOGAO_HOURS)
    assert hourly[12] > 3 * hourly[8] > 0
    assert hourly[:8].sum() == 0 and hourly[16:].sum() == 0  # none before opening or after last entry
    assert hourly.sum() == pytest.approx(demand.expected_visitors(3000, 6000, date(2026, 11, 4)))


def test_saturday_draws_about_twice_monday() -> None:
    monday, saturday = date(2026, 11, 2), date(2026, 11, 7)
    ratio = demand.day_factor(saturday) / demand.day_factor(monday)
    assert 1.8 <= ratio <= 2.2
    assert sum(demand.day_factor(monday + timedelta(days=d)) for d in range(7)) == pytest.approx(7)


def test_golden_week_peaks_on_its_second_to_fourth_days_within_the_daily_cap() -> None:
    ordinary = demand.expected_visitors(27000, 65000, date(2026, 11, 4))
    for d in (2, 3, 4):
        assert 2 <= demand.day_factor(date(2026, 10, d)) <= 5
        assert demand.expected_visitors(27000, 65000, date(2026, 10, d)) > ordinary
    assert demand.day_factor(date(2026, 10, 3)) > demand.day_factor(date(2026, 10, 7))
    assert demand.expected_visitors(3000, 6000, date(2026, 10, 3)) == 6000  # Mogao's cap holds


# -- a history, written ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def mogao(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, dict[str, int]]]:
    """Two Golden Week days at Mogao, on SQLite."""
    db = fresh(f"sqlite:///{tmp_path_factory.mktemp('history') / 'a.db'}")
    yield db, write(db)
    db.dispose()


@pytest.fixture
def disposed() -> Iterator[list[Database]]:
    """Databases a test opens, disposed of before its database is dropped."""
    opened: list[Database] = []
    yield opened
    for db in opened:
        db.dispose()


def test_the_same_seed_on_a_fresh_database_writes_the_same_rows(
        mogao: tuple[Database, dict[str, int]], tmp_path: Path, disposed: list[Database]) -> None:
    first, counts = mogao
    second = fresh(f"sqlite:///{tmp_path / 'b.db'}")
    disposed.append(second)
    assert write(second) == counts
    assert digests(second) == digests(first)
    assert rows(second, TABLES["position_events"])[:20] == rows(first, TABLES["position_events"])[:20]


def test_written_again_over_the_same_days_nothing_is_stored_twice(
        mogao: tuple[Database, dict[str, int]]) -> None:
    db, first = mogao
    before = digests(db)
    again = write(db, days=1)  # the second of the two days
    assert again["positions"] == 0 and 0 < again["duplicates"] < first["positions"]
    assert (again["readings"], again["session_events"], again["alerts"]) == (0, 0, 0)
    assert digests(db) == before


def check_history(db: Database, counts: dict[str, int], site: str = "mogao") -> None:
    """What every history holds: classified positions, transitions, everyone gone, caves
    open, no command queued, nobody where nobody may be."""
    assert counts["positions"] > 1000 and counts["duplicates"] == 0
    assert rows(db, "SELECT COUNT(*) FROM position_events WHERE zone_id IS NULL") == [(0,)]
    kinds = dict(rows(db, "SELECT kind, COUNT(*) FROM zone_transitions GROUP BY kind"))
    assert kinds["enter"] == kinds["exit"] > counts["reporters"]  # visitors move, then leave
    assert rows(db, "SELECT COUNT(*) FROM visitor_presence") == [(0,)]
    assert rows(db, "SELECT COUNT(*) FROM zone_states WHERE state <> 'open'") == [(0,)]
    assert rows(db, "SELECT COUNT(*) FROM kiosk_commands WHERE status = 'pending'") == [(0,)]
    assert rows(db, "SELECT COUNT(*) FROM alerts WHERE kind = 'capacity' AND state = 'raised'") \
        == [(0,)]
    for zone, closed, opened in closures(db, site):  # nobody reports from a closed cave
        inside = rows(db, "SELECT COUNT(*) FROM position_events WHERE zone_id = :z AND "
                          "ts >= :a AND ts < :b", z=zone, a=closed, b=opened)
        assert inside == [(0,)], (zone, closed, opened)


def test_a_history_classifies_positions_closes_caves_on_their_air_and_ends_with_all_open(
        database_url: str, mogao: tuple[Database, dict[str, int]],
        disposed: list[Database]) -> None:
    # on SQLite, the module's history; on PostgreSQL, the same written there
    db, counts = mogao if database_url.startswith("sqlite") else (fresh(database_url), {})
    if not counts:
        disposed.append(db)
        counts = write(db, days=1)
    check_history(db, counts)
    assert counts["closures"] >= 1 and counts["alerts"] >= counts["closures"]
    raised = rows(db, "SELECT COUNT(*) FROM alerts WHERE kind = 'microclimate'")[0][0]
    assert raised >= 1
    assert closures(db, "mogao"), "the closures are in the audit log, dated in the history"
    substitutes = rows(db, "SELECT COUNT(*) FROM kiosk_session_events WHERE substitute_for IS "
                           "NOT NULL")[0][0]
    assert rows(db, "SELECT COUNT(*) FROM kiosk_session_events")[0][0] >= substitutes


def test_caves_left_closed_by_the_rules_are_opened_as_the_history_ends(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, disposed: list[Database]) -> None:
    monkeypatch.setattr(site_run, "OPERATOR_DELAY", timedelta(days=30))  # no duty operator
    db = fresh(f"sqlite:///{tmp_path / 'd.db'}")
    disposed.append(db)
    counts = write(db, days=1)
    check_history(db, counts)
    reopened = rows(db, "SELECT target, ts FROM audit_log WHERE actor = 'history' AND "
                        "action = 'set_zone_state'")
    assert reopened, "a cave awaiting its operator at the end is opened by the history"
    end = datetime(2026, 10, 3, 16, tzinfo=UTC)  # local midnight of the end, Asia/Shanghai
    assert all(str(ts).startswith(end.strftime("%Y-%m-%d %H:%M")) for _, ts in reopened)


def test_nobody_stands_on_the_mausoleum_mound(tmp_path: Path, disposed: list[Database]) -> None:
    db = fresh(f"sqlite:///{tmp_path / 'e.db'}")
    disposed.append(db)
    counts = write(db, sites=["qin_mausoleum"], days=1, scale=0.002)
    check_history(db, counts, "qin_mausoleum")
    assert rows(db, "SELECT COUNT(*) FROM position_events WHERE zone_id = 'qin-pit-mound'") == [(0,)]
    assert rows(db, "SELECT COUNT(*) FROM zone_transitions WHERE zone_id = 'qin-pit-mound'") == [(0,)]
    zones = dict(rows(db, "SELECT zone_id, COUNT(*) FROM position_events GROUP BY zone_id"))
    assert {"qin-pit-1", "qin-pit-2", "qin-plaza-entrance", "qin-protection"} <= set(zones)


# -- the command line --------------------------------------------------------------------------
@pytest.fixture
def cli(tmp_path: Path):  # type: ignore[no-untyped-def]
    from server.cli import main

    env = {"LANTERN_INSTANCE_PATH": str(tmp_path / "instance"), "LANTERN_LOG_LEVEL": "WARNING",
           "LANTERN_ASYNC_MODE": "threading", "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}

    def run(*args: str) -> Any:
        return CliRunner().invoke(main, ["history", *args], env=env)

    return run


@pytest.mark.parametrize(("args", "says"), [
    (["--days", "0"], "--days"), (["--days", "-3"], "--days"), (["--scale", "0"], "--scale"),
    (["--scale", "-0.5"], "--scale"), (["--scale", "2"], "--scale"), (["--end", "tomorrow"], "--end"),
])
def test_bad_options_are_refused_with_a_clear_error_and_exit_2(cli, args: list[str],  # type: ignore[no-untyped-def]
                                                                  says: str) -> None:
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{says}'" in result.output


def test_an_unknown_site_is_refused_by_name_and_the_help_shows_the_defaults(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("--site", "atlantis")
    assert result.exit_code == 2
    assert "unknown site(s) 'atlantis'" in result.output and "mogao" in result.output
    shown = cli("--help").output
    assert f"default: {DEFAULT_SCALE}" in shown and "default: 30" in shown
