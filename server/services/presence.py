"""Visitor positions: classify, store once per event_id, move visitors, keep live occupancy."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from server import errors
from server.domain.capacity import (
    RESTRICTED_RATIO,
    capacity_alert_changes,
    forbidden_presence,
    occupancy_rows,
    site_figures,
)
from server.storage.bulk import Bulk, epoch_seconds, stored_texts
from server.storage.database import sane
from server.storage.models import (
    Alert,
    PositionEvent,
    Site,
    VisitorPresence,
    ZoneState,
    ZoneTransition,
)
from server.storage.zone_index import SiteZones, live_states

log = logging.getLogger(__name__)


@dataclass
class IngestResult:
    results: list[dict[str, Any]]
    accepted: int
    duplicates: int
    fresh: list[tuple[str, str, float, str | None]] = field(default_factory=list)


def parse_positions(items: list[dict[str, Any]], max_batch: int) -> tuple[list[dict[str, Any]],
                                                                         np.ndarray, np.ndarray]:
    """Check a batch validated by ``PositionRow`` (numbers in range, ts with an offset): its
    size and that no event_id repeats in it; return the rows and their lon/lat as arrays."""
    n = len(items)
    if n > max_batch:
        raise errors.InvalidContent(f"at most {max_batch} positions a request, got {n}")
    lon = np.fromiter((r["lon"] for r in items), dtype=np.float64, count=n)
    lat = np.fromiter((r["lat"] for r in items), dtype=np.float64, count=n)
    if len({r["event_id"] for r in items}) == n:
        return items, lon, lat
    problems: list[str] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        eid = item["event_id"]
        if eid in seen:
            problems.append(f"positions[{i}]: event_id {eid!r} repeats within the batch")
        seen.add(eid)
    raise errors.InvalidContent(f"{len(problems)} invalid position(s): " + "; ".join(problems[:5]),
                                details=problems)


def store_positions(session: Session, site: SiteZones, items: list[dict[str, Any]], *,
                    max_batch: int, stored_ts: dict[float, str] | None = None,
                    epochs: np.ndarray | None = None) -> IngestResult:
    """Classify a batch and store each new event once, in the caller's transaction (the caller
    commits before acknowledging, then folds ``result.fresh`` into the presence book; its
    times are epoch seconds). ``stored_ts`` collects the stored form of each timestamp, for
    the presence book's next write; ``epochs`` are the items' times if the caller has them."""
    rows, lon, lat = parse_positions(items, max_batch)
    zones = site.index.classify(lon, lat).tolist()
    bulk = Bulk(session)
    event_ids = [r["event_id"] for r in rows]
    when = [r["ts"] for r in rows]
    if epochs is None:
        epochs = epoch_seconds(when)
    seconds = epochs.tolist()
    if bulk.sqlite:
        stamps: list[Any] = stored_texts(epochs)
        if stored_ts is not None:
            stored_ts.update(zip(seconds, stamps, strict=True))
    else:
        stamps = when
    site_id = site.site_id
    inserted = bulk.insert_new(
        "position_events", ("event_id", "site_id", "visitor_id", "ts", "lon", "lat", "zone_id"),
        [(e, site_id, r["visitor_id"], t, r["lon"], r["lat"], z)
         for e, r, t, z in zip(event_ids, rows, stamps, zones, strict=True)], key="event_id")
    fresh = [(e, r["visitor_id"], s, z)
             for e, r, s, z in zip(event_ids, rows, seconds, zones, strict=True) if e in inserted]
    results = [{"event_id": e, "zone_id": z, "duplicate": e not in inserted}
               for e, z in zip(event_ids, zones, strict=True)]
    return IngestResult(results, len(fresh), len(rows) - len(fresh), fresh)


def expire_visitors(session: Session, site_id: str, now: datetime, timeout_s: float) -> int:
    """Visitors who stopped reporting leave: an exit transition each, then their presence goes.

    A presence row dated outside what Python can read (written before event times were
    checked) is set aside first, with a warning: it must not stop the sweep for everyone."""
    cutoff = now - timedelta(seconds=timeout_s)
    p = VisitorPresence.__table__.c
    unreadable = (p.site_id == site_id) & ~(sane(p.ts) & sane(p.since) & (
        p.pending_since.is_(None) | sane(p.pending_since)))
    bad = session.execute(delete(VisitorPresence).where(unreadable),
                          execution_options={"synchronize_session": False})
    set_aside = int(getattr(bad, "rowcount", 0) or 0)
    if set_aside:
        log.warning("expiry: %d visitor presence row(s) at %s with unreadable times set aside",
                    set_aside, site_id)
    stale = (p.site_id == site_id) & (p.ts < cutoff)
    gone = session.execute(select(p.visitor_id, p.zone_id, p.since, p.ts).where(stale)).all()
    rows = [dict(site_id=site_id, visitor_id=v, zone_id=z, kind="exit", ts=now,
                 dwell_s=(ts - since).total_seconds()) for v, z, since, ts in gone if z]
    if rows:
        session.execute(insert(ZoneTransition), rows)
    if gone:
        session.execute(delete(VisitorPresence).where(stale),
                        execution_options={"synchronize_session": False})
    return len(gone)


def zone_counts(session: Session, site: SiteZones) -> dict[str, int]:
    """Visitors now in each current zone of the site (the zone they were classified to)."""
    counts = dict(session.execute(
        select(VisitorPresence.zone_id, func.count()).where(
            VisitorPresence.site_id == site.site_id, VisitorPresence.zone_id.is_not(None))
        .group_by(VisitorPresence.zone_id)).all())
    return {z: int(c) for z, c in counts.items() if z in site.zones}


def occupancy(session: Session, site: SiteZones,
              counts: dict[str, int] | None = None) -> list[dict[str, Any]]:
    """Per zone of the tree: visitors in it and its descendants, effective capacity, level, and
    violations: for a closed zone the entries since it closed, for a zone of capacity 0 (no
    access, or closed) never fewer than the visitors inside. ``counts``: ``zone_counts`` if
    the caller has them."""
    rolled = site.index.rollup(zone_counts(session, site) if counts is None else counts)
    states = live_states(session, site)
    zones = {zid: {"capacity": z["capacity"], "state": states[zid]} for zid, z in site.zones.items()}
    ratio = float(site.config.get("restricted_capacity_ratio", RESTRICTED_RATIO))
    rows = occupancy_rows(rolled, zones, site.tiers, ratio)
    closed_since = {z.zone_id: z.changed_at for z in session.scalars(select(ZoneState).where(
        ZoneState.site_id == site.site_id, ZoneState.state == "closed"))}
    for row in rows:
        since = closed_since.get(row["zone_id"])
        entries = 0 if since is None else int(session.scalar(
            select(func.count()).select_from(ZoneTransition).where(
                ZoneTransition.site_id == site.site_id, ZoneTransition.zone_id == row["zone_id"],
                ZoneTransition.kind == "enter", ZoneTransition.ts >= since)) or 0)
        # whoever stayed on after a closure, or is where nobody may go, breaks the rule too
        row["violations"] = max(entries, row["count"]) if row["capacity"] == 0 else entries
    return rows


@dataclass
class _Tally:
    """One site's visitors of one local day, as far as position rows up to ``read_id``."""

    day: date
    visitors: set[str]
    read_id: int
    at: float  # the clock of the last read
    reads: list[tuple[float, int]]  # (clock, read_id) of recent reads, oldest first


class DailyVisitors:
    """Distinct visitors of each site since local midnight, read from the database (so every
    server process agrees) at most once every ``refresh_s`` a site: occupancy goes to operators
    up to once a second.

    A day's positions are too many to count each time (a million rows take seconds on
    SQLite), so this process keeps the day's visitor ids, reads the day once, then only the
    rows added since its last read (by ``position_events.id``, the primary key). On PostgreSQL
    a row is numbered before its transaction commits, so a row numbered below a read's newest
    may become visible after it: there, rows are read again from the last read at least
    ``RECHECK_S`` before the previous one (in the first ``RECHECK_S`` of a day's count, from
    the previous read: a visitor is missed only if every position of theirs lies in such a
    late transaction). SQLite's one writer at a time makes rows visible in number order."""

    RECHECK_S = 30.0  # no transaction writing positions stays open this long

    def __init__(self, refresh_s: float = 10.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.refresh_s = refresh_s
        self.clock = clock
        self._lock = threading.Lock()
        self._tallies: dict[str, _Tally] = {}

    def count(self, session: Session, site: Site, now: datetime) -> tuple[int, date]:
        """The site's distinct visitors on its local day of ``now``, and that day; a new day
        is read at once, whatever the last read's age."""
        zone = _timezone(site)
        day = now.astimezone(zone).date()
        with self._lock:
            tally = self._tallies.get(site.id)
            clock = self.clock()
            if tally is not None and tally.day == day and clock - tally.at < self.refresh_s:
                return len(tally.visitors), day
            if tally is None or tally.day != day:
                tally = self._tallies[site.id] = _Tally(day, set(), 0, clock, [])
            recheck = self.RECHECK_S if session.get_bind().dialect.name != "sqlite" else 0.0
            since = next((read_id for at, read_id in reversed(tally.reads)
                          if at <= tally.at - recheck), tally.reads[0][1] if tally.reads else None)
            top = int(session.scalar(select(func.max(PositionEvent.id))) or 0)
            start = datetime.combine(day, datetime.min.time(), zone)
            end = datetime.combine(day + timedelta(days=1), datetime.min.time(), zone)
            tally.visitors.update(_visitors(session, site.id, start, end, since, top))
            tally.read_id, tally.at = top, clock
            keep = clock - 2 * (recheck + self.refresh_s)
            tally.reads = [(at, i) for at, i in tally.reads if at > keep] + [(clock, top)]
            return len(tally.visitors), day


def _visitors(session: Session, site_id: str, start: datetime, end: datetime,
              since: int | None, top: int) -> list[str]:
    """The visitor ids of a site's positions dated from ``start`` to ``end``, among rows
    numbered up to ``top``: all of them (on the site and time index), or those numbered above
    ``since`` (the rows added since a read: on the primary key, taken first, or a planner
    would walk the whole day on the site and time index)."""
    p = PositionEvent
    if since is None:
        return list(session.scalars(select(p.visitor_id).distinct().where(
            p.site_id == site_id, p.ts >= start, p.ts < end, p.id <= top)))
    fresh = (select(p.visitor_id, p.site_id, p.ts).where(p.id > since, p.id <= top)
             .cte("fresh").prefix_with("MATERIALIZED"))
    return list(session.scalars(select(fresh.c.visitor_id).distinct().where(
        fresh.c.site_id == site_id, fresh.c.ts >= start, fresh.c.ts < end)))


def _timezone(site: Site) -> ZoneInfo:
    try:
        return ZoneInfo(site.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("site %s: unknown timezone %r, days counted in UTC", site.id, site.timezone)
        return ZoneInfo("UTC")


def occupancy_report(session: Session, site: Site, zones: SiteZones, today: DailyVisitors,
                     now: datetime) -> dict[str, Any]:
    """What operators see of a site's load: per zone rows, and the site at a glance (visitors
    on site now and today against its capacities, its tier, its local day)."""
    counts = zone_counts(session, zones)
    visitors_today, day = today.count(session, site, now)
    return {"site_id": site.id, "zones": occupancy(session, zones, counts),
            "site": site_figures(sum(counts.values()), visitors_today,
                                 site.instantaneous_capacity, site.daily_capacity, zones.tiers,
                                 day.isoformat())}


def sync_capacity_alerts(session: Session, site: SiteZones, rows: list[dict[str, Any]],
                         now: datetime, *, at_stop: bool = False) -> list[tuple[Alert, str]]:
    """Raise a capacity alert for each no-access or closed zone with people inside and, with
    ``at_stop``, for each zone whose load reaches the site's top tier ('stop'); clear it when
    the zone is empty again, or has fallen below the tier under the top. Returns the alerts
    that changed and how, oldest first. (The history writer leaves ``at_stop`` off: its
    figures are those of people where nobody may be.)"""
    tiers = site.tiers if at_stop else []

    def open_alerts() -> dict[str, Alert]:
        return {a.zone_id or "": a for a in session.scalars(select(Alert).where(
            Alert.site_id == site.site_id, Alert.kind == "capacity", Alert.state == "raised"))}

    current = open_alerts()
    to_raise, to_clear = capacity_alert_changes(rows, current, tiers)
    if not (to_raise or to_clear):
        return []
    # several processes emit occupancy: decide again under the site's lock, so a zone gets
    # one open alert (PostgreSQL; SQLite has one writer anyway)
    session.execute(select(Site.id).where(Site.id == site.site_id).with_for_update())
    current = open_alerts()
    to_raise, to_clear = capacity_alert_changes(rows, current, tiers)
    changed: list[tuple[Alert, str]] = []
    for zone_id in to_clear:
        alert = current[zone_id]
        alert.state, alert.cleared_at = "cleared", now
        changed.append((alert, "cleared"))
    for row in to_raise:
        alert = _capacity_alert(site, row, now)
        session.add(alert)
        changed.append((alert, "raised"))
    session.flush()
    return changed


def _capacity_alert(site: SiteZones, row: Mapping[str, Any], now: datetime) -> Alert:
    zone_id, count, capacity = str(row["zone_id"]), int(row["count"]), row["capacity"]
    name = site.zones.get(zone_id, {}).get("name_en") or zone_id
    if forbidden_presence(row):
        why = "is closed" if row["state"] == "closed" else "has no access"
        text = f"{name} ({zone_id}) {why}, but {count} visitor(s) are inside"
    else:
        text = (f"{name} ({zone_id}) is at its limit: {count} visitor(s) for a capacity of "
                f"{capacity}")
    return Alert(site_id=site.site_id, zone_id=zone_id, kind="capacity", metric="occupancy",
                 subject=zone_id, state="raised", value=float(count),
                 threshold=float(capacity or 0), raised_at=now, message=text)
