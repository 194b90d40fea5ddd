"""Storage on SQLite and PostgreSQL: migrations, idempotent events, versioned zones."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import IntegrityError

from server.services.venues import import_venues
from server.storage.database import Database
from server.storage.models import PositionEvent, SensorReading, Site, Zone

TABLES = {"basins", "sites", "zones", "zone_states", "sensors", "experiences", "kiosks",
          "kiosk_presence", "kiosk_commands", "kiosk_session_events", "users", "api_tokens",
          "audit_log", "position_events", "zone_transitions", "sensor_readings", "alerts",
          "report_runs", "visitor_presence", "presence_checkpoints"}


@pytest.fixture
def database(database_url: str):  # type: ignore[no-untyped-def]
    db = Database(database_url)
    db.migrate()
    yield db
    db.dispose()


def test_migration_creates_every_table_and_is_repeatable(database) -> None:  # type: ignore[no-untyped-def]
    database.migrate()
    assert TABLES <= set(inspect(database.engine).get_table_names())


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30000


def test_foreign_keys_are_enforced(database) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError), database.transaction() as session:
        session.add(PositionEvent(event_id="e1", site_id="nowhere", visitor_id="v", lon=0, lat=0,
                                  ts=datetime.now(UTC)))


def test_an_event_id_is_stored_once(database, mini_venues: Path) -> None:  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        import_venues(session, mini_venues)
    now = datetime.now(UTC)
    with database.transaction() as session:
        session.add(SensorReading(event_id="r-1", site_id="testsite", sensor_id="t-s-01", ts=now,
                                  co2_ppm=900))
    with pytest.raises(IntegrityError), database.transaction() as session:
        session.add(SensorReading(event_id="r-1", site_id="testsite", sensor_id="t-s-01", ts=now,
                                  co2_ppm=901))
    with database.open_session() as session:
        assert session.scalar(select(func.count()).select_from(SensorReading)) == 1


def test_import_is_idempotent(database, mini_venues: Path) -> None:  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        first = import_venues(session, mini_venues)
    with database.transaction() as session:
        second = import_venues(session, mini_venues)
    assert first.zones_added == 6 and second.zones_added == 0 and second.zones_unchanged == 6
    with database.open_session() as session:
        assert session.scalar(select(func.count()).select_from(Zone)) == 6
        assert session.get(Site, "testsite").zones_version == 1  # type: ignore[union-attr]


def test_reimport_of_a_changed_zone_keeps_the_old_version(database, mini_venues: Path) -> None:  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        import_venues(session, mini_venues)
    path = mini_venues / "testsite" / "zones.geojson"
    doc = json.loads(path.read_text())
    doc["features"][4]["properties"]["capacity"] = 12
    path.write_text(json.dumps(doc))
    with database.transaction() as session:
        result = import_venues(session, mini_venues)
    assert (result.zones_added, result.zones_unchanged) == (1, 5)
    with database.open_session() as session:
        versions = session.execute(select(Zone.version, Zone.current, Zone.capacity)
                                   .where(Zone.zone_id == "t-cave-01").order_by(Zone.version)).all()
        assert [tuple(v) for v in versions] == [(1, False, 10), (2, True, 12)]
        assert session.get(Site, "testsite").zones_version == 2  # type: ignore[union-attr]


def test_the_command_queue_numbers_claims_and_acknowledges_on_either_database(
        database, mini_venues: Path) -> None:  # type: ignore[no-untyped-def]
    from server.services import fleet
    from server.services.kiosks import create_kiosk
    from server.storage.models import Kiosk, KioskCommand

    with database.transaction() as session:
        import_venues(session, mini_venues)
        ids = sorted(create_kiosk(session, "testsite", 100.0, 30.0, group="hall")[0]
                     for _ in range(3))
    now = datetime.now(UTC)
    with database.transaction() as session:  # a first command for all three, one still unacked
        first = fleet.issue(session, "olga", "announce", {"text": "hello"}, group="hall")
        assert sorted(c.seq for c in first) == [1, 1, 1]
        fleet.record_acks(session, [(c.id, {"ok": True}, now) for c in first if c.kiosk_id != ids[0]])
    with database.transaction() as session:
        second = fleet.issue(session, "olga", "load_scene",
                             {"experience_id": "exp-cave", "scene": "mogao_cave"}, group="hall")
        assert {c.kiosk_id: c.seq for c in second} == dict.fromkeys(ids, 2)
        # ids[0] still has its first command pending: its second waits its turn in the queue
        claimed = fleet.claim_for_sending(session, second, {ids[0], ids[1]}, now)
        assert [c.kiosk_id for c in claimed] == [ids[1]]
    with database.transaction() as session:
        fleet.record_acks(session, [(claimed[0].id, {"ok": True}, now),
                                    (next(c.id for c in first if c.kiosk_id == ids[0]),
                                     {"ok": False, "error": "busy"}, now)])
    with database.open_session() as session:
        sent = session.get(KioskCommand, claimed[0].id)
        assert (sent.status, sent.attempts, sent.result) == ("acked", 1, {"ok": True})
        assert sent.sent_at is not None and sent.acked_at is not None
        kiosk = session.get(Kiosk, ids[1])
        assert (kiosk.acked_seq, kiosk.experience_id) == (2, "exp-cave")
        failed = session.scalars(select(KioskCommand).where(KioskCommand.kiosk_id == ids[0],
                                                            KioskCommand.seq == 1)).one()
        assert (failed.status, failed.result) == ("failed", {"ok": False, "error": "busy"})


def test_a_checkpointer_thread_keeps_the_write_ahead_log_from_growing(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    db.migrate()
    checkpointer = db.start_checkpointer()
    assert checkpointer is not None and db.start_checkpointer() is checkpointer
    checkpointer.interval_s = 0.05
    with db.engine.connect() as conn:  # writers leave the log to the thread, up to a ceiling
        assert conn.execute(text("PRAGMA wal_autocheckpoint")).scalar() == checkpointer.SAFETY_PAGES
    wal = tmp_path / "x.db-wal"
    sizes = []
    for batch in range(30):
        with db.transaction() as session:
            session.execute(text("INSERT INTO audit_log (ts, actor, action, target, detail) "
                                 "VALUES (:ts, 'bench', 'fill', :target, :details)"),
                            [{"ts": "2026-11-23 09:00:00.000000", "target": f"t{batch}-{i}",
                              "details": json.dumps({"pad": "x" * 2000})} for i in range(200)])
        time.sleep(0.06)
        sizes.append(wal.stat().st_size)
    db.dispose()
    assert checkpointer.checkpoints > 0
    # 30 batches of about 400 kB each: without checkpoints the log would hold all 12 MB;
    # checkpointed, it is reused from the start and stays near one batch's size
    assert max(sizes) < 4_000_000, sizes


def test_only_a_sqlite_file_gets_a_checkpointer(postgres_url: str) -> None:
    db = Database(postgres_url)
    assert db.start_checkpointer() is None
    db.dispose()


def test_kiosks_gone_silent_together_each_get_history_and_one_alert(
        database, mini_venues: Path) -> None:  # type: ignore[no-untyped-def]
    from server.services import fleet
    from server.services.kiosks import create_kiosk
    from server.storage.models import Alert, Kiosk, KioskPresence

    with database.transaction() as session:
        import_venues(session, mini_venues)
        ids = [create_kiosk(session, "testsite", 100.0, 30.0)[0] for _ in range(5)]
        session.query(Kiosk).update({"online": True})
    now = datetime.now(UTC)
    with database.transaction() as session:
        silent = list(session.scalars(select(Kiosk).where(Kiosk.id.in_(ids))))
        alerts = fleet.set_offline(session, silent, now)
        assert sorted(a.subject for a in alerts) == sorted(ids) and all(a.id for a in alerts)
    with database.transaction() as session:  # one comes back: its alert clears
        cleared = fleet.set_online(session, ids[0], True, now)
        assert cleared is not None and cleared.state == "cleared"
    with database.open_session() as session:
        assert session.scalar(select(func.count()).select_from(Kiosk).where(
            Kiosk.online.is_(False))) == 4
        assert session.scalar(select(func.count()).select_from(KioskPresence)) == 6
        states = dict(session.execute(select(Alert.subject, Alert.state)).all())
        assert states[ids[0]] == "cleared" and {states[k] for k in ids[1:]} == {"raised"}
