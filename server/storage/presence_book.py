"""Visitor presence folded in memory as positions arrive, written to the database behind.

Position events are the record: each is committed before its batch is acknowledged. Presence
(where each visitor is now) and zone transitions are derived from them. Folding them into the
database inside every request tripled the rows each batch wrote, so this process keeps the
presence of the visitors it has seen in memory, folds each committed batch into it at once,
and every ``LANTERN_PRESENCE_FLUSH_S`` writes what changed (one row per visitor however often
it moved, and the transitions) in one transaction. Occupancy is always counted from the
database, after this process has flushed, so every process reads the same figures and a
reader in another process lags by at most one flush interval.

Crash safety: each flush also records a checkpoint, the newest ``position_events.id`` whose
events this process had folded. A process that starts replays the events after the oldest
checkpoint of any process (folding is idempotent: an event no newer than a visitor's state is
ignored), so a ``kill -9`` between acknowledgement and flush loses nothing.

Visitors are sticky to a process when gateways are: a visitor whose positions reach two
processes within one flush interval is decided by the last flush (documented in
``docs/protocol.md``).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select

from server.domain.presence import Move, VisitorState, step
from server.storage.bulk import Bulk
from server.storage.database import SANE_FROM, SANE_UNTIL, Database, sane
from server.storage.models import PositionEvent, PresenceCheckpoint, Site
from server.storage.models.base import utcnow

log = logging.getLogger(__name__)

Key = tuple[str, str]  # (site_id, visitor_id)
Fresh = tuple[str, str, float, str | None]  # (event_id, visitor_id, epoch seconds, zone_id)
# a visitor entering or leaving a zone (a zone_transitions row): site, visitor, zone, kind, ts, dwell
ZoneCrossing = tuple[str, str, str, str, float, float | None]
PRESENCE = ("zone_id", "since", "ts", "pending_zone", "pending_since")
KEEPALIVE_S = 30.0  # a live process rewrites its checkpoint at least this often
STALE_S = 300.0  # a checkpoint not rewritten for this long belongs to a process that is gone


class PresenceBook:
    """This process's view of where visitors are, and the writes it still owes the database."""

    def __init__(self, db: Database, flush_s: float = 1.0) -> None:
        self.db = db
        self.flush_s = flush_s
        self.writer = uuid.uuid4().hex
        # held from an ingest's INSERT to its fold, and while a flush reads its checkpoint:
        # so every event up to the checkpoint has been folded
        self.lock = threading.RLock()
        # one flush at a time: a flush that took its rows earlier must not write them last.
        # Taken before ``lock`` wherever both are held (see ``exclusive``).
        self._flushing = threading.RLock()
        self._states: dict[str, dict[str, VisitorState]] = {}  # site -> visitor -> state
        self._dirty: set[Key] = set()
        self._transitions: list[ZoneCrossing] = []
        self._last_flush = 0.0
        self._last_checkpoint = 0.0
        # epoch seconds -> stored form, for the timestamps ingested since the last flush (most
        # of the next flush's timestamps are among them)
        self.stored_ts: dict[float, str] = {}

    # -- folding -------------------------------------------------------------------------------
    def fold(self, site_id: str, fresh: Iterable[Fresh], debounce_s: float) -> list[Move]:
        """Apply committed events (any order) to the visitors' states; return confirmed moves."""
        events = sorted(fresh, key=lambda f: f[2])
        if not events:
            return []
        with self.lock:
            states = self._states.setdefault(site_id, {})
            missing = {v for _, v, _, _ in events if v not in states}
            if missing:
                self._load(site_id, missing)
            moves: list[Move] = []
            dirty = self._dirty
            transitions = self._transitions
            for _, visitor, ts, zone in events:
                state = states.get(visitor)
                if state is not None and zone == state.zone and ts >= state.ts:
                    # step()'s common case, inline: still in the same zone
                    states[visitor] = VisitorState(zone, state.since, ts)
                    dirty.add((site_id, visitor))
                    continue
                new, move = step(visitor, state, zone, ts, debounce_s)
                if new is not state:
                    states[visitor] = new
                    dirty.add((site_id, visitor))
                if move is not None:
                    moves.append(move)
                    if move.from_zone:
                        transitions.append((site_id, visitor, move.from_zone, "exit", move.ts,
                                            move.dwell_s))
                    if move.to_zone:
                        transitions.append((site_id, visitor, move.to_zone, "enter", move.ts, None))
            return moves

    def _load(self, site_id: str, visitors: set[str]) -> None:
        """Read the stored state of visitors this process has not seen yet."""
        with self.db.open_session() as session:
            bulk = Bulk(session)
            low, high = bulk.ts(SANE_FROM), bulk.ts(SANE_UNTIL)
            # a row dated where Python cannot read is not loaded: the visitor starts afresh
            # and the next flush overwrites it
            for v, zone, since, ts, pzone, psince in bulk.select_in(
                    "SELECT visitor_id, zone_id, since, ts, pending_zone, pending_since "
                    "FROM visitor_presence WHERE site_id = ? AND ts BETWEEN ? AND ? "
                    "AND since BETWEEN ? AND ? "
                    "AND (pending_since IS NULL OR pending_since BETWEEN ? AND ?) "
                    "AND visitor_id IN ({in})",
                    (site_id, low, high, low, high, low, high), sorted(visitors)):
                try:
                    pending = bulk.read_ts(psince)
                    self._states[site_id][v] = VisitorState(
                        zone, bulk.read_ts(since).timestamp(), bulk.read_ts(ts).timestamp(),  # type: ignore[union-attr]
                        pzone, pending.timestamp() if pending is not None else None)
                except (ValueError, OverflowError, TypeError, AttributeError):
                    # a stored time Python cannot read: start the visitor afresh (the flush
                    # overwrites the row) rather than refuse every position they send
                    log.warning("presence: unreadable stored state of visitor %s at %s set aside",
                                v, site_id)

    # -- writing behind ------------------------------------------------------------------------
    def due(self) -> bool:
        return time.monotonic() - self._last_flush >= self.flush_s

    def flush(self) -> int:
        """Write changed presence, new transitions and the checkpoint; return rows written."""
        with self._flushing:
            return self._flush()

    def _flush(self) -> int:
        with self.lock:
            self._last_flush = time.monotonic()
            keepalive = self._last_flush - self._last_checkpoint >= KEEPALIVE_S
            if not self._dirty and not self._transitions and not keepalive:
                return 0
            dirty, self._dirty = self._dirty, set()
            transitions, self._transitions = self._transitions, []
            states = self._states
            presence = [(k, st) for k in dirty
                        if (st := states.get(k[0], {}).get(k[1])) is not None]
            memo, self.stored_ts = self.stored_ts, {}
            with self.db.open_session() as session:
                checkpoint = session.scalar(select(func.max(PositionEvent.id))) or 0
        try:
            self._write(presence, transitions, checkpoint, memo)
        except Exception:
            with self.lock:  # keep what is owed for the next flush
                self._dirty |= dirty
                self._transitions[:0] = transitions
            raise
        self._last_checkpoint = self._last_flush
        return len(presence) + len(transitions)

    def _write(self, presence: list[tuple[Key, VisitorState]], transitions: list[ZoneCrossing],
               checkpoint: int, memo: dict[float, str]) -> None:
        now = utcnow()
        with self.db.transaction() as session:
            bulk = Bulk(session, memo)
            ts = bulk.epoch
            bulk.insert("visitor_presence", ("site_id", "visitor_id", *PRESENCE),
                        [(site, v, st.zone, ts(st.since), ts(st.ts), st.pending_zone,
                          ts(st.pending_since)) for (site, v), st in presence],
                        keys=("site_id", "visitor_id"),
                        conflict="DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in PRESENCE))
            if transitions:
                bulk.conn.exec_driver_sql(
                    "INSERT INTO zone_transitions (site_id, visitor_id, zone_id, kind, ts, dwell_s) "
                    f"VALUES ({', '.join([bulk.mark] * 6)})",
                    [(s, v, z, k, ts(t), d) for s, v, z, k, t, d in transitions])
            bulk.insert("presence_checkpoints", ("writer", "event_pk", "updated_at"),
                        [(self.writer, checkpoint, bulk.ts(now))], keys=("writer",),
                        conflict="DO UPDATE SET event_pk = excluded.event_pk, "
                                 "updated_at = excluded.updated_at")
            session.execute(delete(PresenceCheckpoint).where(
                PresenceCheckpoint.updated_at < now - timedelta(seconds=STALE_S)),
                execution_options={"synchronize_session": False})

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """No fold and no other flush while the caller works (flushing inside is allowed)."""
        with self._flushing, self.lock:
            yield

    # -- leaving -------------------------------------------------------------------------------
    def forget_before(self, site_id: str, cutoff: datetime) -> int:
        """Drop from memory the visitors of a site last seen before ``cutoff`` (they left)."""
        limit = cutoff.timestamp()
        with self.lock:
            states = self._states.get(site_id, {})
            gone = [v for v, st in states.items() if st.ts < limit]
            for v in gone:
                del states[v]
            return len(gone)

    # -- starting ------------------------------------------------------------------------------
    def recover(self, chunk: int = 20_000) -> int:
        """Replay the events no live checkpoint covers (a process that stopped before its flush);
        then record this process's own checkpoint. Returns the number of events replayed."""
        with self.db.open_session() as session:
            start = session.scalar(select(func.min(PresenceCheckpoint.event_pk)))
            debounce = {s.id: float(s.config.get("debounce_s", 10))
                        for s in session.scalars(select(Site))}
        replayed = 0
        if start is not None:
            last = start
            while True:
                with self.db.open_session() as session:
                    ids = session.scalars(select(PositionEvent.id).where(PositionEvent.id > last)
                                          .order_by(PositionEvent.id).limit(chunk)).all()
                    if not ids:
                        break
                    # events dated outside what Python can read are set aside, not replayed:
                    # one such row must not stop the server from starting
                    rows = session.execute(
                        select(PositionEvent.id, PositionEvent.site_id, PositionEvent.event_id,
                               PositionEvent.visitor_id, PositionEvent.ts, PositionEvent.zone_id)
                        .where(PositionEvent.id.between(ids[0], ids[-1]), sane(PositionEvent.ts))
                        .order_by(PositionEvent.id)).all()
                last = ids[-1]
                if len(rows) < len(ids):
                    log.warning("presence: %d position event(s) with unreadable times set aside "
                                "(ids %d..%d)", len(ids) - len(rows), ids[0], ids[-1])
                by_site: dict[str, list[Fresh]] = {}
                for _, site_id, event_id, visitor, ts, zone in rows:
                    by_site.setdefault(site_id, []).append((event_id, visitor, ts.timestamp(), zone))
                for site_id, fresh in by_site.items():
                    self.fold(site_id, fresh, debounce.get(site_id, 10.0))
                replayed += len(rows)
        self._last_checkpoint = 0.0  # write this process's checkpoint now
        self.flush()
        if replayed:
            log.info("presence: replayed %d position events after the last checkpoint", replayed)
        return replayed

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {"visitors": sum(map(len, self._states.values())), "dirty": len(self._dirty),
                    "transitions": len(self._transitions)}
