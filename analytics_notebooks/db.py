"""Reading the Lantern database from a report: the URL, the connection, the time window, and the
few SQL expressions that SQLite and PostgreSQL write differently (epoch seconds and buckets).

Reports read through SQL and aggregate there (``GROUP BY`` in the database), so a report over a
season on PostgreSQL never holds raw positions in memory. Times are stored in UTC: as text
``YYYY-MM-DD HH:MM:SS.ffffff`` in SQLite, as ``timestamptz`` in PostgreSQL.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine, make_url

ROOT = Path(__file__).resolve().parent.parent
#: The server's default database (server/config.py): the SQLite file under instance/.
DEFAULT_SQLITE = ROOT / "instance" / "lantern.db"
#: Set by the runner: the real URL of a run whose ``database_url`` parameter is masked.
SECRET_URL_ENV = "LANTERN_REPORT_DATABASE_URL"
CACHE_KB = 65536  # SQLite page cache a report connection may use


class DatabaseUnavailable(RuntimeError):
    """The report's database cannot be reached or holds no Lantern schema."""


def resolve_url(url: str) -> str:
    """The URL a report connects to: ``url``, or ``$DATABASE_URL``, or the server's default file.

    A URL whose password is masked (``***``, as the runner writes it into the notebook) is
    replaced by the runner's real URL when that is the one it masks.
    """
    url = (url or "").strip()
    if not url:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE}"
    secret = os.environ.get(SECRET_URL_ENV)
    if secret and url != secret and masked_url(secret) == url:
        return secret
    return url


def masked_url(url: str) -> str:
    """The URL with its password shown as ``***`` (for notebooks, reports and logs)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unreadable URL is shown as nothing of it
        return "(unreadable database URL)"


def connect(url: str) -> Engine:
    """An engine on the report's database; raise :class:`DatabaseUnavailable` with a clear
    message (the password hidden) if it cannot be reached or has no Lantern tables."""
    real = resolve_url(url)
    shown = masked_url(real)
    parsed = make_url(real)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        if not path or path == ":memory:" or not Path(path).is_file():
            raise DatabaseUnavailable(f"cannot reach the database {shown}: there is no file "
                                      f"{path or '(none)'}")
        engine = create_engine(real, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_reader)
    else:
        # a report only reads: every transaction of its sessions is read-only
        engine = create_engine(real, pool_pre_ping=True, connect_args={
            "connect_timeout": 10, "options": "-c default_transaction_read_only=on"})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1 FROM sites WHERE 1 = 0")).all()
    except Exception as exc:  # noqa: BLE001 - any failure means: not usable here
        engine.dispose()
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:300]
        if "sites" in reason:
            reason = f"it has no Lantern tables (run `python -m server init-db`): {reason}"
        raise DatabaseUnavailable(f"cannot reach the database {shown}: {reason}") from None
    return engine


def _sqlite_reader(dbapi_conn: Any, _record: Any) -> None:
    """A report's SQLite connection: read-only, with a 64 MB page cache for its scans."""
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA query_only = ON")
    cur.execute(f"PRAGMA cache_size = -{CACHE_KB}")
    cur.close()


@dataclass(frozen=True)
class Window:
    """The report's days, ``first`` to ``last`` inclusive, in the site's time zone.

    Buckets of local hours and days shift UTC by the zone's offset at the window's start (the
    three sites keep China Standard Time all year).
    """

    first: date
    last: date
    timezone: str

    @property
    def offset_s(self) -> int:
        start = datetime.combine(self.first, datetime.min.time())
        delta = ZoneInfo(self.timezone).utcoffset(start)
        return int(delta.total_seconds()) if delta is not None else 0

    @property
    def start_utc(self) -> datetime:
        return datetime.combine(self.first, datetime.min.time(), UTC) - timedelta(
            seconds=self.offset_s)

    @property
    def end_utc(self) -> datetime:
        """The exclusive end: local midnight after the last day."""
        return self.start_utc + timedelta(days=self.days)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def day_list(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range(self.days)]

    def local(self, epoch_s: Any) -> Any:
        """Epoch seconds (a number or a pandas Series) as local wall-clock datetimes."""
        import pandas as pd

        return pd.to_datetime(epoch_s, unit="s") + pd.Timedelta(seconds=self.offset_s)

    def iso(self, local: Any) -> str:
        """A local wall-clock time as ISO 8601 with the zone's offset (``...T10:30:00+08:00``)."""
        import pandas as pd

        sign = "-" if self.offset_s < 0 else "+"
        hours, rest = divmod(abs(self.offset_s), 3600)
        return f"{pd.Timestamp(local).isoformat()}{sign}{hours:02d}:{rest // 60:02d}"


class Sql:
    """Dialect-aware pieces of SQL for one connection (SQLite or PostgreSQL)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.dialect = conn.dialect.name
        self.sqlite = self.dialect == "sqlite"

    def ts(self, value: datetime) -> Any:
        """A bound timestamp as the database compares it (UTC text in SQLite)."""
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None).isoformat(" ", "microseconds") if self.sqlite else value

    def epoch(self, column: str) -> str:
        """Whole epoch seconds (UTC) of a timestamp column, as an integer expression."""
        if self.sqlite:
            # julianday is twice as fast as strftime('%s'); the half millisecond keeps a time
            # on a whole second from falling to the one before by rounding
            return f"CAST((julianday({column}) - 2440587.5) * 86400.0 + 0.0005 AS INTEGER)"
        return f"CAST(FLOOR(EXTRACT(EPOCH FROM {column})) AS BIGINT)"

    def hour_key(self, column: str) -> str:
        """The UTC hour of a timestamp as text ``YYYY-MM-DD HH`` (cheap on SQLite, whose
        timestamps are that text already)."""
        if self.sqlite:
            return f"substr({column}, 1, 13)"
        return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')"

    def floor_div(self, expr: str, width: int) -> str:
        """``floor(expr / width)`` for a non-negative integer expression and integer width."""
        return f"(({expr}) / {int(width)})"

    def bucket(self, column: str, width_s: int, offset_s: int = 0) -> str:
        """The index of the ``width_s``-second bucket holding the column's time, shifted by
        ``offset_s`` (the local time zone's offset for local hours and days)."""
        return self.floor_div(f"{self.epoch(column)} + {int(offset_s)}", width_s)

    def int_floor(self, expr: str) -> str:
        """The whole part of a non-negative number."""
        return f"CAST({expr} AS INTEGER)" if self.sqlite else f"CAST(FLOOR({expr}) AS BIGINT)"

    def rows(self, sql: str, **params: Any) -> list[Any]:
        return list(self.conn.execute(text(sql), params).all())

    def values_cte(self, name: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]],
                   params: dict[str, Any]) -> str:
        """``name(columns) AS (VALUES ...)`` with each value bound (adds to ``params``)."""
        if not rows:
            rows = [tuple(None for _ in columns)]
        parts = []
        for i, row in enumerate(rows):
            marks = []
            for j, value in enumerate(row):
                key = f"{name}_{i}_{j}"
                params[key] = value
                marks.append(f":{key}")
            parts.append(f"({', '.join(marks)})")
        return f"{name}({', '.join(columns)}) AS (VALUES {', '.join(parts)})"


def parse_utc(values: Any) -> Any:
    """Timestamps as read (SQLite text or aware datetimes) as a pandas UTC datetime Series."""
    import pandas as pd

    return pd.to_datetime(pd.Series(values, dtype=object), utc=True, format="ISO8601")
