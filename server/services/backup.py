"""Backup and restore of the database.

SQLite: a backup is SQLite's online backup API copying the database, as of one moment, into a
new single file (safe while servers write: in WAL mode they go on meanwhile). A restore checks
the file is a Lantern database of a schema revision this Lantern knows, refuses while another
process has the database open, keeps the database it replaces beside it, copies the backup in
with the same API (one transaction: the database is the old one or the new one, never half),
and the caller migrates it forward. PostgreSQL is backed up and restored by its own tools:
:func:`postgres_commands` says which, for the configured URL.
"""

from __future__ import annotations

import fcntl
import os
import shlex
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from server import errors

MIGRATIONS = Path(__file__).resolve().parent.parent / "storage" / "migrations"
SQLITE_MAGIC = b"SQLite format 3\x00"
# SQLite's unix VFS: every connection to a WAL database holds a read lock on this byte of the
# "-shm" file for as long as it is open (the "dead man switch"), whatever it is doing
SHM_DMS_BYTE = 128


class BackupError(errors.InvalidContent):
    """A backup cannot be made or restored (the file, its schema or the database's use)."""


@dataclass(frozen=True)
class Restored:
    revision: str  # the backup's schema revision (the caller migrates it forward)
    kept: Path | None  # where the replaced database was kept


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL; None for another database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("an in-memory SQLite database has no file to back up or restore")
    return Path(parsed.database)


def known_revisions() -> set[str]:
    """Every schema revision of this Lantern's migrations."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS))
    return {rev.revision for rev in script.walk_revisions()}


def backup_sqlite(database: Path, target: Path) -> int:
    """Copy the database as of now into ``target`` (a new file); returns its size in bytes."""
    if target.exists():
        raise BackupError(f"{target} exists; choose a new file name (a backup never "
                          f"overwrites one)")
    if not database.is_file():
        raise BackupError(f"there is no database file {database}")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
    copy = sqlite3.connect(partial)
    try:
        source.backup(copy)  # one step: one consistent snapshot, writers go on in WAL mode
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        check = copy.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"the copy fails SQLite's check: {check}")
    finally:
        copy.close()
        source.close()
    partial.rename(target)
    return target.stat().st_size


def check_backup(path: Path) -> str:
    """The schema revision of a Lantern backup file; an error says what is wrong with it."""
    if not path.is_file():
        raise BackupError(f"there is no file {path}")
    with path.open("rb") as fh:
        if fh.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise BackupError(f"{path} is not a SQLite database")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"{path} fails SQLite's check: {check}")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"alembic_version", "sites", "users"} <= tables:
            raise BackupError(f"{path} is not a Lantern database (it has no Lantern tables)")
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} cannot be read as a database: {exc}") from None
    finally:
        conn.close()
    if row is None or row[0] not in known_revisions():
        raise BackupError(f"{path} has schema revision {row[0] if row else 'none'}, which this "
                          f"Lantern does not know (a backup of a newer Lantern?)")
    return str(row[0])


def in_use(database: Path) -> bool:
    """Whether another process has the database open (a server, a report, a CLI command).

    Tested on the lock each open connection holds on the "-shm" file, which a process that
    stopped, even by a crash, no longer holds. Call it before this process opens the database
    itself: a POSIX lock is released for the whole process when any of its descriptors of
    the file closes.
    """
    shm = database.with_name(database.name + "-shm")
    if not shm.exists():
        return False
    fd = os.open(shm, os.O_RDWR)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, SHM_DMS_BYTE)
    except OSError:
        return True
    else:
        fcntl.lockf(fd, fcntl.LOCK_UN, 1, SHM_DMS_BYTE)
        return False
    finally:
        os.close(fd)


def restore_sqlite(backup: Path, database: Path, *, now: datetime | None = None) -> Restored:
    """Replace the database with a backup (checked first); the replaced one is kept beside it
    as ``<name>.before-restore-<UTC time>``. The caller migrates the result forward."""
    revision = check_backup(backup)
    if in_use(database):
        raise BackupError(f"{database} is in use by another process (a running server?): stop "
                          f"every server and report using it, then restore")
    kept = None
    if database.exists():
        stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
        kept = database.with_name(f"{database.name}.before-restore-{stamp}")
        backup_sqlite(database, kept)
    database.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    target = sqlite3.connect(database, timeout=30)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    return Restored(revision, kept)


def postgres_commands(url: str, path: str) -> dict[str, str]:
    """The ``pg_dump`` and ``pg_restore`` commands for a PostgreSQL URL (its password left
    out: give it in ``PGPASSWORD`` or ``~/.pgpass``)."""
    parsed: URL = make_url(url)
    plain = parsed.set(drivername="postgresql", password=None)
    target = plain.render_as_string(hide_password=False)
    quoted, url_ = shlex.quote(path), shlex.quote(target)
    return {"backup": f"pg_dump --format=custom --file={quoted} {url_}",
            "restore": f"pg_restore --clean --if-exists --no-owner --dbname={url_} {quoted}"}
