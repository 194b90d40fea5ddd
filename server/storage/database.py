"""Engine, sessions and migrations."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
log = logging.getLogger(__name__)
# Times a stored row may hold and still be read back: the front doors refuse anything else, but
# a row written before they did (or by hand) must not stop a reader that meets it. Year 10000
# and year 0 fit in PostgreSQL's timestamps and in SQLite's text, not in Python's datetime.
SANE_FROM = datetime(1970, 1, 1, tzinfo=UTC)
SANE_UNTIL = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)


def sane(column: Any) -> ColumnElement[bool]:
    """``column`` lies within the times Python can read back (on SQLite, whose timestamps are
    text, a five-digit or signed year sorts outside these bounds too)."""
    return column.between(SANE_FROM, SANE_UNTIL)


def make_engine(url: str) -> Engine:
    """An engine; SQLite gets WAL, a busy timeout and foreign keys on every connection."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _writer_checkpoints_late(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    dbapi_conn.execute(f"PRAGMA wal_autocheckpoint={WalCheckpointer.SAFETY_PAGES}")


class WalCheckpointer:
    """Copies SQLite's write-ahead log into the database file from a thread of its own.

    By default the commit that grows the log past 1,000 pages does this copy itself, so a
    writer pays for it on the request path. Here a native thread (even under gevent) runs
    ``PRAGMA wal_checkpoint(PASSIVE)`` every ``interval_s`` on its own connection; SQLite does
    the copy without the GIL, beside readers and the writer. Writers still checkpoint
    themselves past ``SAFETY_PAGES``, should this thread fall behind.
    """

    SAFETY_PAGES = 10_000

    def __init__(self, path: str, interval_s: float = 0.5, health: Any = None) -> None:
        """``health``: a ``LoopHealth`` told of each checkpoint's outcome (as ``wal_checkpoint``)."""
        self.path, self.interval_s = path, interval_s
        self.checkpoints = 0
        self.health = health
        self._stop = False

    def start(self) -> None:
        try:
            from gevent import monkey

            patched = monkey.is_module_patched("threading")
        except ImportError:
            patched = False
        if patched:
            import gevent

            gevent.get_hub().threadpool.spawn(self._run)
        else:
            threading.Thread(target=self._run, name="wal-checkpoint", daemon=True).start()

    def stop(self) -> None:
        self._stop = True

    def _run(self) -> None:
        sleep = _native_sleep()
        conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        if self.health is not None:
            self.health.expect("wal_checkpoint", self.interval_s)
        try:
            while not self._stop:
                sleep(self.interval_s)
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    self.checkpoints += 1
                except sqlite3.Error as exc:
                    if self.health is None:
                        log.exception("WAL checkpoint")
                    else:
                        self.health.failed("wal_checkpoint", exc)
                else:
                    if self.health is not None:
                        self.health.ok("wal_checkpoint")
        finally:
            conn.close()


def _native_sleep():  # type: ignore[no-untyped-def]
    try:
        from gevent import monkey

        return monkey.get_original("time", "sleep")
    except ImportError:
        return time.sleep


class Database:
    """One engine and its session factory."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.open_session = sessionmaker(self.engine, expire_on_commit=False)
        """A plain session: it commits only what the caller commits (reads, or writes that
        commit in steps)."""
        self.checkpointer: WalCheckpointer | None = None

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session that commits when the block ends and rolls back if it raises."""
        with self.open_session() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def migrate(self) -> None:
        """Create or upgrade the schema to the newest migration."""
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.attributes["connection_engine"] = self.engine
        command.upgrade(cfg, "head")

    def start_checkpointer(self, health: Any = None) -> WalCheckpointer | None:
        """For a SQLite file: checkpoint the log in the background from now on (the server)."""
        path = self.engine.url.database
        if self.engine.dialect.name != "sqlite" or not path or path == ":memory:":
            return None
        if self.checkpointer is None:
            self.checkpointer = WalCheckpointer(path, health=health)
            event.listen(self.engine, "connect", _writer_checkpoints_late)
            self.engine.dispose()  # connections made from now on get the pragma
            self.checkpointer.start()
        return self.checkpointer

    def dispose(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.stop()
        self.engine.dispose()
