"""Bulk writes of event rows, straight through the database driver (the ingest hot path).

SQLAlchemy Core costs more per row than SQLite itself on batches of thousands, so these
statements go to the driver as text with its own placeholders. Both SQLite and PostgreSQL
support ``INSERT ... ON CONFLICT``. Timestamps are written as SQLAlchemy's SQLite format
(UTC, no offset) or as aware datetimes for PostgreSQL, so the ORM reads them back alike.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

ZERO = timedelta(0)


def epoch_seconds(values: Sequence[datetime]) -> np.ndarray:
    """Aware datetimes as seconds since the epoch (UTC), one float each."""
    return np.fromiter((v.timestamp() for v in values), dtype=np.float64, count=len(values))


def stored_texts(epochs: np.ndarray) -> list[str]:
    """Epoch seconds in SQLite's stored form (``YYYY-MM-DD HH:MM:SS.ffffff``, UTC), at numpy
    speed: formatting a thousand aware datetimes one by one cost more than inserting them."""
    micros = np.rint(epochs * 1e6).astype("datetime64[us]")
    return [t.replace("T", " ") for t in np.datetime_as_string(micros, unit="us").tolist()]


class Bulk:
    """Driver-level bulk statements on the session's connection (inside its transaction)."""

    def __init__(self, session: Session, epochs: dict[float, str] | None = None) -> None:
        """``epochs``: the stored form of epoch-second timestamps already converted."""
        self.conn = session.connection()
        self.sqlite = self.conn.dialect.name == "sqlite"
        self.mark = "?" if self.sqlite else "%s"
        self._ts: dict[int, tuple[datetime, str]] = {}
        self._epochs: dict[float, str] = {} if epochs is None else epochs
        self._parsed: dict[str, datetime] = {}

    def ts(self, value: datetime | None) -> Any:
        """A timestamp as the database stores it (each distinct value converted once)."""
        if value is None or not self.sqlite:
            return value
        # keyed by identity: hashing an aware datetime costs more than formatting it
        hit = self._ts.get(id(value))
        if hit is not None and hit[0] is value:
            return hit[1]
        if value.utcoffset() == ZERO:  # already UTC (as ingested timestamps mostly are)
            text = value.isoformat(" ", "microseconds")[:26]
        else:
            text = value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
        self._ts[id(value)] = (value, text)
        return text

    def epoch(self, value: float | None) -> Any:
        """Epoch seconds as the database stores a timestamp (texts ingested are in the memo)."""
        if value is None:
            return None
        if not self.sqlite:
            return datetime.fromtimestamp(value, UTC)
        text = self._epochs.get(value)
        if text is None:
            text = datetime.fromtimestamp(value, UTC).replace(tzinfo=None).isoformat(
                " ", "microseconds")
        return text

    def json(self, value: Any) -> Any:
        """A value for a JSON column, as the driver takes it."""
        if self.sqlite:
            return json.dumps(value)
        from psycopg.types.json import Json

        return Json(value)

    def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run ``sql`` (written with ``?`` placeholders) once for each row."""
        if rows:
            self.conn.exec_driver_sql(sql if self.sqlite else sql.replace("?", "%s"), rows)

    def insert(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], *,
               conflict: str = "DO NOTHING", keys: Sequence[str] = ()) -> None:
        """INSERT rows; on a unique-key conflict do nothing, or what ``conflict`` says."""
        rows = list(rows)
        if not rows:
            return
        target = f"({', '.join(keys)}) " if keys else ""
        sql = (f"INSERT INTO {table} ({', '.join(columns)}) "
               f"VALUES ({', '.join([self.mark] * len(columns))}) ON CONFLICT {target}{conflict}")
        self.conn.exec_driver_sql(sql, rows)

    def insert_new(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]],
                   key: str, chunk: int = 1000) -> set[Any]:
        """INSERT rows whose unique ``key`` is not stored yet; return the keys inserted.

        Multi-row ``INSERT ... ON CONFLICT DO NOTHING RETURNING``: the database says which rows
        were new, in the time ``executemany`` takes, without reading the keys first."""
        new: set[Any] = set()
        head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
        one = f"({', '.join([self.mark] * len(columns))})"
        for i in range(0, len(rows), chunk):
            part = rows[i:i + chunk]
            sql = f"{head}{', '.join([one] * len(part))} ON CONFLICT DO NOTHING RETURNING {key}"
            flat = [value for row in part for value in row]
            new.update(self.conn.exec_driver_sql(sql, tuple(flat)).scalars().all())
        return new

    def select_in(self, sql: str, fixed: Sequence[Any], values: Sequence[Any]) -> list[tuple]:
        """Run ``sql`` whose last condition is ``IN ({in})`` over ``values``, in chunks."""
        out: list[tuple] = []
        for i in range(0, len(values), 900):
            chunk = list(values[i:i + 900])
            text = sql.replace("?", self.mark).format(**{"in": ", ".join([self.mark] * len(chunk))})
            out.extend(tuple(r) for r in self.conn.exec_driver_sql(text, (*fixed, *chunk)))
        return out

    def read_ts(self, value: Any) -> datetime | None:
        if value is None or isinstance(value, datetime):
            return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value
        parsed = self._parsed.get(value)
        if parsed is None:
            parsed = self._parsed[value] = datetime.fromisoformat(value).replace(tzinfo=UTC)
            self._ts[id(parsed)] = (parsed, value)
        return parsed
