"""Event times outside the accepted window are refused at the REST front doors (the Socket.IO
namespaces' refusals are in tests/unit/test_namespaces.py), and rows dated where no Python
datetime reaches (stored before that, or by hand) stop nothing: the server starts, recovers
presence, sweeps visitors and serves."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.helpers import LiveServer, wait_for

YEAR_10000 = "9999-12-31T23:59:59-14:00"  # valid ISO 8601; in UTC, the year 10000
YEAR_0 = "0001-01-01T00:00:00+14:00"  # in UTC, 1 BC


def now_iso(seconds: float = 0) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


def poison(url: str) -> None:
    """Rows a Python datetime cannot hold, written straight into the database."""
    sqlite = url.startswith("sqlite")
    late, early = (("10000-01-01 09:59:59.000000", "0000-12-31 10:00:00.000000") if sqlite else
                   ("10000-01-01 09:59:59+00", "0001-12-31 10:00:00+00 BC"))
    engine = create_engine(url)
    with engine.begin() as conn:
        for i, ts in enumerate((late, early)):
            conn.execute(text(
                "INSERT INTO position_events (event_id, site_id, visitor_id, ts, lon, lat, zone_id) "
                "VALUES (:e, 'testsite', :v, :ts, 100.0, 30.0, NULL)"), {"e": f"bad-{i}",
                                                                         "v": f"bad-visitor-{i}",
                                                                         "ts": ts})
            conn.execute(text(
                "INSERT INTO visitor_presence (site_id, visitor_id, zone_id, since, ts) "
                "VALUES ('testsite', :v, NULL, :ts, :ts)"), {"v": f"bad-visitor-{i}", "ts": ts})
            conn.execute(text(
                "INSERT INTO sensor_readings (event_id, site_id, sensor_id, zone_id, ts, co2_ppm) "
                "VALUES (:e, 'testsite', 't-s-01', 't-cave-01', :ts, 5000)"),
                {"e": f"bad-reading-{i}", "ts": ts})
        # a checkpoint behind them, as a process stopped before its flush leaves
        conn.execute(text("INSERT INTO presence_checkpoints (writer, event_pk, updated_at) "
                          "VALUES ('gone', 0, :now)"),
                     {"now": datetime.now(UTC).replace(tzinfo=None) if sqlite else datetime.now(UTC)})
    engine.dispose()


def test_unreadable_rows_are_set_aside_and_the_server_starts_and_serves(
        tmp_path: Path, database_url: str) -> None:
    server = LiveServer(tmp_path, DATABASE_URL=database_url, LANTERN_VISITOR_SWEEP_S="0.5")
    poison(database_url)
    server.start()
    try:
        for path in ("/sites/testsite/occupancy", "/sites/testsite/zones", "/sites/testsite/alerts"):
            assert server.api("GET", path).status_code == 200, path
        # a poisoned visitor reports again and is counted like anyone
        done = server.api("POST", "/sites/testsite/positions", json={"positions": [
            {"event_id": "fresh-1", "visitor_id": "bad-visitor-0", "ts": now_iso(),
             "lon": 100 - 50 / 96406, "lat": 30 - 100 / 111320}]})
        assert done.status_code == 200, done.text
        zone = done.json()["results"][0]["zone_id"]
        assert zone is not None
        readings = server.api("POST", "/sites/testsite/sensor-readings", json={"readings": [
            {"event_id": "fresh-r", "sensor_id": "t-s-01", "ts": now_iso(), "co2_ppm": 800}]})
        assert readings.status_code == 200, readings.text

        def swept() -> dict[str, Any] | None:
            loops = server.api("GET", "/health").json()["loops"]
            sweep = loops.get("visitor_expiry", {})
            return loops if sweep.get("last_ok_s_ago") is not None else None
        loops = wait_for(swept, timeout=15)
        assert all(loop["failures"] == 0 for loop in loops.values()), loops
        health = server.api("GET", "/health")
        assert health.status_code == 200 and health.json()["status"] == "ok"
        log = next(tmp_path.glob("server-*.log")).read_text()
        assert re.search(r"2 position event\(s\) with unreadable times set aside", log), log
        assert "visitor presence row(s) at testsite with unreadable times set aside" in log
        occupancy = server.api("GET", "/sites/testsite/occupancy").json()
        counts = {z["zone_id"]: z["count"] for z in occupancy["zones"]}
        assert counts[zone] == 1, occupancy
    finally:
        server.stop()
    # and it starts again on the same database
    server.start()
    try:
        assert server.api("GET", "/sites/testsite/occupancy").status_code == 200
    finally:
        server.stop()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    server = LiveServer(tmp_path_factory.mktemp("window")).start()
    yield server
    server.stop()


@pytest.mark.parametrize("ts", [YEAR_10000, YEAR_0, "future:400", "past:700000"])
def test_positions_and_readings_dated_outside_the_window_are_refused_whole(
        live: LiveServer, ts: str) -> None:
    when = ts
    if ts.startswith("future:") or ts.startswith("past:"):
        kind, seconds = ts.split(":")
        when = now_iso(float(seconds) * (1 if kind == "future" else -1))
    positions = [{"event_id": f"ok-{ts}", "visitor_id": "v", "ts": now_iso(), "lon": 100.0,
                  "lat": 30.0},
                 {"event_id": f"late-{ts}", "visitor_id": "v", "ts": when, "lon": 100.0,
                  "lat": 30.0}]
    answer = live.api("POST", "/sites/testsite/positions", json={"positions": positions})
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "event_time_out_of_window"
    assert f"late-{ts}" in error["message"] and f"ok-{ts}" not in error["message"]
    assert [d["event_id"] for d in error["details"]] == [f"late-{ts}"]
    # nothing of the batch was stored: the good event is new when sent alone
    again = live.api("POST", "/sites/testsite/positions", json={"positions": positions[:1]})
    assert again.json()["accepted"] == 1
    readings = live.api("POST", "/sites/testsite/sensor-readings", json={"readings": [
        {"event_id": f"r-{ts}", "sensor_id": "t-s-01", "ts": when, "co2_ppm": 900}]})
    assert readings.status_code == 422
    assert readings.json()["error"]["code"] == "event_time_out_of_window"


def test_a_week_old_replay_and_slight_clock_skew_are_accepted(live: LiveServer) -> None:
    answer = live.api("POST", "/sites/testsite/positions", json={"positions": [
        {"event_id": "week-old", "visitor_id": "w", "ts": now_iso(-7 * 86400), "lon": 100.0,
         "lat": 30.0},
        {"event_id": "skewed", "visitor_id": "w2", "ts": now_iso(200), "lon": 100.0,
         "lat": 30.0}]})
    assert answer.status_code == 200 and answer.json()["accepted"] == 2
