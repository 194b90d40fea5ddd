"""`python -m server backup` and `restore`: a SQLite backup taken while a server writes loses
nothing when restored; a restore checks the file and the database's use first, keeps what it
replaces and migrates an older backup forward; for PostgreSQL the printed commands work."""

from __future__ import annotations

import shlex
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from click.testing import CliRunner
from sqlalchemy import text

from server.auth import create_user
from server.cli import main
from server.services.tokens import create_token
from server.services.venues import import_venues
from server.storage.database import MIGRATIONS, Database
from tests.conftest import PASSWORD, AuthActions, bearer, make_app
from tests.helpers import ROOT, LiveServer, positions, wait_for


def cli(tmp_path: Path, *args: str, database_url: str | None = None) -> Any:
    """Run a CLI command in this process on the database of ``tmp_path`` (as make_app's)."""
    env = {"LANTERN_INSTANCE_PATH": str(tmp_path / "instance"), "LANTERN_LOG_LEVEL": "WARNING",
           "LANTERN_ASYNC_MODE": "threading",
           "DATABASE_URL": database_url or f"sqlite:///{tmp_path / 'lantern.db'}"}
    return CliRunner().invoke(main, list(args), env=env)


def table_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
        return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


def row(path: Path, table: str, order: str) -> tuple[Any, ...]:
    with sqlite3.connect(path) as conn:
        return tuple(conn.execute(f"SELECT * FROM {table} ORDER BY {order} LIMIT 1").fetchone())


def test_a_round_trip_through_a_backup_loses_nothing(tmp_path: Path, mini_venues: Path) -> None:
    app = make_app(tmp_path / "a")
    db = app.extensions["lantern"].db
    with db.transaction() as session:
        import_venues(session, mini_venues)
        create_user(session, "olga", PASSWORD, "operator")
        token = create_token(session, "ingest", "gate")
    for _ in range(5):
        assert app.test_client().post("/api/v1/sites/testsite/positions", headers=bearer(token),
                                      json={"positions": positions(200)}).status_code == 200
    assert AuthActions(app.test_client(), db).login("olga").status_code == 302
    backup = tmp_path / "backups" / "lantern-backup.db"
    made = cli(tmp_path / "a", "backup", str(backup))
    assert made.exit_code == 0 and "schema revision 0007" in made.output, made.output
    assert backup.read_bytes()[:16] == b"SQLite format 3\x00"
    assert not backup.with_name(backup.name + "-wal").exists()  # one file, nothing beside it
    original = tmp_path / "a" / "lantern.db"
    before = table_counts(original)
    assert before["position_events"] == 1000 and before["login_sessions"] == 1
    result = cli(tmp_path / "b", "restore", str(backup))
    assert result.exit_code == 0, result.output
    restored = tmp_path / "b" / "lantern.db"
    assert table_counts(restored) == before
    for table, order in (("position_events", "id DESC"), ("audit_log", "id DESC"),
                         ("users", "id"), ("zones", "zone_id, version")):
        assert row(restored, table, order) == row(original, table, order)
    db.dispose()


def test_a_backup_taken_while_a_server_writes_holds_whole_transactions_and_restore_waits_for_it_to_stop(
        tmp_path: Path) -> None:
    """Each batch of 50 positions is one transaction: a copy of one moment holds a multiple
    of 50. A restore into the database the server has open is refused."""
    server = LiveServer(tmp_path).start()
    stop = threading.Event()
    batches = [0]

    def feed() -> None:
        while not stop.is_set():
            if server.api("POST", "/sites/testsite/positions",
                          json={"positions": positions(50)}).ok:
                batches[0] += 1

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    snapshot = tmp_path / "snap.db"
    try:
        wait_for(lambda: batches[0] >= 3, timeout=30, what="positions arriving")
        assert "backed up" in server.cli("backup", str(snapshot))
        seen = batches[0]
        wait_for(lambda: batches[0] > seen, timeout=30, what="positions after the backup")
        refused = subprocess.run([sys.executable, "-m", "server", "restore", str(snapshot)],
                                 env=server.env, cwd=ROOT, capture_output=True, text=True,
                                 timeout=120)
        assert refused.returncode == 2 and "in use by another process" in refused.stderr
    finally:
        stop.set()
        feeder.join(15)
        server.stop()
    copied = table_counts(snapshot)["position_events"]
    assert copied > 0 and copied % 50 == 0
    live = table_counts(tmp_path / "instance" / "lantern.db")["position_events"]
    assert live > copied  # the server went on writing while it was copied


def test_restore_keeps_the_database_it_replaces_beside_it(tmp_path: Path) -> None:
    app = make_app(tmp_path / "a")
    with app.extensions["lantern"].db.transaction() as session:
        create_user(session, "olga", PASSWORD, "viewer")
    app.extensions["lantern"].db.dispose()
    backup = tmp_path / "olga.db"
    assert cli(tmp_path / "a", "backup", str(backup)).exit_code == 0
    assert cli(tmp_path / "a", "backup", str(backup)).exit_code == 2  # never overwrites
    target = make_app(tmp_path / "b")
    target.extensions["lantern"].db.dispose()
    result = cli(tmp_path / "b", "restore", str(backup))
    assert result.exit_code == 0, result.output
    kept = [p for p in (tmp_path / "b").iterdir() if ".before-restore-" in p.name]
    assert len(kept) == 1 and f"kept as {kept[0]}" in result.output
    assert table_counts(kept[0])["users"] == 0
    assert table_counts(tmp_path / "b" / "lantern.db")["users"] == 1


def test_an_older_backup_is_migrated_forward(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    db = Database(f"sqlite:///{old}")
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection_engine"] = db.engine
    command.upgrade(cfg, "0006")
    db.dispose()
    assert "daily_visitors" not in table_counts(old)
    result = cli(tmp_path, "restore", str(old))
    assert result.exit_code == 0, result.output
    assert "schema revision 0006" in result.output
    restored = tmp_path / "lantern.db"
    with sqlite3.connect(restored) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0007"
    assert "daily_visitors" in table_counts(restored)


@pytest.mark.parametrize(("content", "says"), [
    (b"not a database at all, just text", "is not a SQLite database"),
    ("plain", "is not a Lantern database"),
    ("future", "which this Lantern does not know"),
])
def test_restore_refuses_what_is_not_a_lantern_backup_and_changes_nothing(
        tmp_path: Path, content: Any, says: str) -> None:
    bad = tmp_path / "bad.db"
    if isinstance(content, bytes):
        bad.write_bytes(content)
    else:
        with sqlite3.connect(bad) as conn:
            conn.execute("CREATE TABLE t (x)")
            if content == "future":
                for table in ("sites", "users"):
                    conn.execute(f"CREATE TABLE {table} (id)")
                conn.execute("CREATE TABLE alembic_version (version_num)")
                conn.execute("INSERT INTO alembic_version VALUES ('9999')")
        conn.close()
    make_app(tmp_path).extensions["lantern"].db.dispose()
    database = tmp_path / "lantern.db"
    before = database.read_bytes()
    result = cli(tmp_path, "restore", str(bad))
    assert result.exit_code == 2 and says in result.stderr
    assert database.read_bytes() == before
    assert not [p for p in database.parent.iterdir() if ".before-restore-" in p.name]


def test_for_postgresql_the_printed_pg_dump_and_pg_restore_commands_work(
        postgres_url: str, tmp_path: Path) -> None:
    app = make_app(tmp_path, DATABASE_URL=postgres_url)
    with app.extensions["lantern"].db.transaction() as session:
        create_user(session, "olga", PASSWORD, "viewer")
    dump = tmp_path / "lantern.dump"
    made = cli(tmp_path, "backup", str(dump), database_url=postgres_url)
    assert made.exit_code == 3 and "pg_dump --format=custom" in made.output
    run_printed(made.output, "pg_dump")
    assert dump.stat().st_size > 0
    with app.extensions["lantern"].db.transaction() as session:
        session.execute(text("DELETE FROM users"))
    back = cli(tmp_path, "restore", str(dump), database_url=postgres_url)
    assert back.exit_code == 3 and "pg_restore --clean" in back.output
    run_printed(back.output, "pg_restore")
    with app.extensions["lantern"].db.open_session() as session:
        assert session.execute(text("SELECT username FROM users")).scalars().all() == ["olga"]
    app.extensions["lantern"].db.dispose()


def run_printed(output: str, tool: str) -> None:
    line = next(x for x in output.splitlines() if x.startswith(tool))
    done = subprocess.run(shlex.split(line), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
