"""The history's position gateway: a child process that hands the sampled visitors' positions
to the server's use cases (``store_positions``, the presence book's fold and flush, the
expiry sweep), while the parent simulates the venue, writes readings and kiosk sessions and
decides alerts. Two cores, two writers: each table has one of them (positions, presence,
zone transitions and checkpoints here; everything else in the parent), so a history
written twice has the same rows, ids included.

The parent sends pickled messages on the child's stdin and reads replies on its stdout only
when it asks for one (``sync``); a full pipe makes the parent wait for the child.

    .venv/bin/python -m server.demo.gateway DATABASE_URL   (started by PositionGateway)
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import traceback
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
# SQLite's page cache for the writer, KiB: the position tables outgrow the default 2 MB
# within a day, and every insert then reads index pages back from the operating system
PAGE_CACHE_KIB = 131_072


class PositionGateway:
    """The parent's end: start the child, send it work, wait for it when needed."""

    def __init__(self, url: str) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
            # the presence book writes the visitors of a set: a fixed hash seed writes them
            # (and the sweep's exits after them) in the same order each time
            "PYTHONHASHSEED": "0"}
        self.proc = subprocess.Popen([sys.executable, "-m", "server.demo.gateway", url],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
                                     cwd=str(ROOT))
        assert self.proc.stdin is not None and self.proc.stdout is not None
        _widen(self.proc.stdin)
        self.to_child: IO[bytes] = self.proc.stdin
        self.from_child: IO[bytes] = self.proc.stdout

    def send(self, *message: Any) -> None:
        try:
            pickle.dump(message, self.to_child, protocol=pickle.HIGHEST_PROTOCOL)
        except BrokenPipeError:
            self._failed()

    def sync(self) -> dict[str, dict[str, int]]:
        """Wait until the child has written everything sent so far (presence flushed);
        its counts by site."""
        self.send("sync")
        self.to_child.flush()
        try:
            kind, payload = pickle.load(self.from_child)
        except EOFError:
            self._failed()
        if kind == "error":
            raise RuntimeError(f"the position gateway failed:\n{payload}")
        return payload  # type: ignore[no-any-return]

    def close(self) -> dict[str, dict[str, int]]:
        """Stop the child once it has written everything; its counts by site."""
        counts = self.sync()
        self.send("stop")
        self.to_child.close()
        self.proc.wait(timeout=60)
        self.from_child.close()
        return counts

    def kill(self) -> None:
        """Stop the child at once (after an error in the parent); no-op once it has ended."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        for pipe in (self.to_child, self.from_child):
            try:
                pipe.close()
            except OSError:
                pass

    def _failed(self) -> None:
        self.proc.wait(timeout=60)
        raise RuntimeError(f"the position gateway stopped (exit status {self.proc.returncode}); "
                           f"its error is printed above")


def _widen(pipe: IO[bytes]) -> None:
    """Let the parent run ahead of the child by hours of positions (Linux; the parent
    simulates nights while the child still writes the day). Elsewhere, or above the system's
    limit, the default buffer works too, with the two more in lockstep."""
    try:
        import fcntl
    except ImportError:
        return
    for size in (1 << 22, 1 << 20):  # a non-root process may not go past pipe-max-size (1 MB)
        try:
            fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, size)
            return
        except (AttributeError, OSError):
            continue


class _Site:
    """The child's state for one site: its zones, the day's reporters."""

    def __init__(self, db: Any, book: Any, site_id: str) -> None:
        from server.demo.writer import PositionDesk
        from server.storage.models import Site
        from server.storage.zone_index import ZoneIndexCache

        with db.open_session() as session:
            site = session.get(Site, site_id)
            zones = ZoneIndexCache().get(session, site)
        self.desk = PositionDesk(db, zones, book)
        self.visitor_ids: list[str] = []
        self.suffixes: list[str] = []
        self.second = np.zeros(0, dtype=np.int64)

    def positions(self, seed: int, base: datetime, lo: int, hi: int, minute: np.ndarray,
                  member: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> None:
        """Build the events a gateway would post (``ts`` aware, in event-id order)."""
        stamps = [f"h{seed}:{base + timedelta(minutes=m):%Y%m%d%H%M}:" for m in range(lo, hi)]
        times = [base + timedelta(minutes=m, seconds=s) for m in range(lo, hi) for s in range(60)]
        ids, suffixes = self.visitor_ids, self.suffixes
        members = member.tolist()
        at = (minute * 60 + self.second[member]).tolist()
        names = [stamps[m] + suffixes[v] for m, v in zip(minute.tolist(), members, strict=True)]
        items = [{"event_id": e, "visitor_id": ids[v], "ts": times[i], "lon": x, "lat": y}
                 for e, v, i, x, y in zip(names, members, at, lon.tolist(), lat.tolist(),
                                          strict=True)]
        epochs = base.timestamp() + (lo + minute) * 60.0 + self.second[member]
        self.desk.positions(items, epochs)


def serve(url: str, inbox: IO[bytes], outbox: IO[bytes]) -> None:
    """The child's loop: read messages until ``stop``."""
    from server.storage.database import Database
    from server.storage.presence_book import PresenceBook

    db = Database(url)
    if db.engine.dialect.name == "sqlite":
        from sqlalchemy import event

        def pragmas(conn: Any, _record: Any) -> None:
            conn.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
            conn.execute(f"PRAGMA mmap_size = {1 << 30}")

        event.listen(db.engine, "connect", pragmas)
    db.start_checkpointer()
    book = PresenceBook(db, flush_s=float("inf"))
    sites: dict[str, _Site] = {}
    while True:
        try:
            message = pickle.load(inbox)
        except EOFError:
            break
        kind, args = message[0], message[1:]
        if kind == "stop":
            break
        if kind == "sync":
            book.flush()
            counts = {s: dict(site.desk.counts) for s, site in sites.items()}
            pickle.dump(("counts", counts), outbox, protocol=pickle.HIGHEST_PROTOCOL)
            outbox.flush()
            continue
        site_id = args[0]
        if site_id not in sites:
            sites[site_id] = _Site(db, book, site_id)
        site = sites[site_id]
        if kind == "day":
            site.visitor_ids, site.suffixes = args[1], args[2]
            site.second = np.asarray(args[3], dtype=np.int64)
        elif kind == "positions":
            site.positions(*args[1:])
        elif kind == "sweep":
            site.desk.sweep(args[1])
    book.flush()
    db.dispose()


def main() -> int:
    inbox, outbox = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but replies on the reply pipe
    try:
        serve(sys.argv[1], inbox, outbox)
    except Exception:  # noqa: BLE001 - told to the parent, which raises it
        text = traceback.format_exc()
        print(text, file=sys.stderr)
        try:
            pickle.dump(("error", text), outbox)
            outbox.flush()
        except OSError:
            pass
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

