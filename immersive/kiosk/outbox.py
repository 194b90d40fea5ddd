"""A durable outbox of session events: kept in SQLite until the server acknowledges them."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any


class Outbox:
    """Session events waiting for the server, in order, surviving restarts.

    Adding an ``event_id`` that is already waiting is a no-op, so a retried write never
    makes a duplicate.

    Examples
    --------
    >>> box = Outbox(":memory:")
    >>> box.add({"event_id": "e1", "event": "started"})
    >>> [e["event_id"] for e in box.pending()]
    ['e1']
    >>> box.ack("e1"); len(box)
    0
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA busy_timeout=5000")
        if self.path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS outbox ("
            " n INTEGER PRIMARY KEY AUTOINCREMENT,"
            " event_id TEXT NOT NULL UNIQUE,"
            " payload TEXT NOT NULL,"
            " created REAL NOT NULL)"
        )

    def add(self, event: dict[str, Any]) -> None:
        """Store an event (it must carry an ``event_id``)."""
        event_id = event.get("event_id")
        if not isinstance(event_id, str) or not event_id:
            raise ValueError(f"an outbox event needs a string 'event_id', got {event_id!r}")
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO outbox (event_id, payload, created) VALUES (?, ?, ?)",
                (event_id, json.dumps(event, ensure_ascii=False), time.time()),
            )

    def pending(self, limit: int = 100) -> list[dict[str, Any]]:
        """The oldest waiting events, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT payload FROM outbox ORDER BY n LIMIT ?", (limit,)
            ).fetchall()
        return [json.loads(r[0]) for r in rows]

    def ack(self, event_id: str) -> None:
        """Forget an event the server has stored."""
        with self._lock:
            self._db.execute("DELETE FROM outbox WHERE event_id = ?", (event_id,))

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
