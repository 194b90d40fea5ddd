"""Position retention: visitor positions older than the retention period are deleted, after
what the reports need of them is kept.

Kept for ever: zone transitions (written from positions as they arrive) and, per site and
local day, the arrivals per UTC hour and the day's distinct visitors and positions
(server/storage/models/aggregates.py). A day is summarised whole, from all of its positions,
and committed before any of them is deleted; the visitor report reads a summarised day from
the summary (analytics_notebooks/visits.py). Only whole local days older than the period go,
and never a position that presence has not folded yet (above the oldest presence
checkpoint). Deletes run in batches of :data:`BATCH` rows, each its own transaction, so that a
purge holds the database only briefly and can stop anywhere.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from server.services import audit
from server.storage.database import Database
from server.storage.models import (
    DailyVisitors,
    HourlyArrivals,
    PositionEvent,
    PresenceCheckpoint,
    Site,
    utcnow,
)

log = logging.getLogger(__name__)
BATCH = 5000  # positions deleted in one transaction
DAY_S = 86_400


def shortest_days(event_max_age_s: int) -> int:
    """The shortest retention that outlives the ingest window: a position is accepted up to
    ``event_max_age_s`` late, and one arriving after its day was summarised would not count."""
    return math.ceil(event_max_age_s / DAY_S) + 1


@dataclass
class SitePurge:
    """What a purge did (or, dry, would do) at one site."""

    before: str  # positions dated before this local midnight (ISO, with offset) go
    days_summarised: list[str] = field(default_factory=list)
    positions_deleted: int = 0
    positions_left: int = 0  # purgeable positions still there (time budget spent)


@dataclass
class PurgeReport:
    retention_days: int
    dry_run: bool
    sites: dict[str, SitePurge] = field(default_factory=dict)

    @property
    def deleted(self) -> int:
        return sum(s.positions_deleted for s in self.sites.values())

    @property
    def finished(self) -> bool:
        return all(s.positions_left == 0 for s in self.sites.values())

    def as_dict(self) -> dict[str, Any]:
        return {"retention_days": self.retention_days, "dry_run": self.dry_run,
                "deleted": self.deleted, "finished": self.finished,
                "sites": {k: vars(v) for k, v in self.sites.items()}}


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, datetime.min.time(), zone)


def first_kept_day(now: datetime, retention_days: int, zone: ZoneInfo) -> date:
    """The oldest local day whose positions are kept: the day ``retention_days`` before now."""
    return (now - timedelta(days=retention_days)).astimezone(zone).date()


def _hour_key(session: Session) -> Any:
    """A position's UTC hour as text ``YYYY-MM-DD HH`` (SQLite keeps timestamps as UTC text)."""
    ts = PositionEvent.ts
    if session.get_bind().dialect.name == "sqlite":
        return func.substr(ts, 1, 13)
    return func.to_char(func.timezone("UTC", ts), "YYYY-MM-DD HH24")


def arrivals_of_day(session: Session, site_id: str, day: date,
                    zone: ZoneInfo) -> tuple[dict[datetime, int], int]:
    """Arrivals per UTC hour of one local day (each visitor in the hour of their first
    position that day), and the day's positions: aggregated in the database."""
    p = PositionEvent
    start, end = local_midnight(day, zone), local_midnight(day + timedelta(days=1), zone)
    in_day = (p.site_id == site_id, p.ts >= start, p.ts < end)
    seen = select(p.visitor_id, _hour_key(session).label("h")).where(*in_day).distinct().subquery()
    first = (select(seen.c.visitor_id, func.min(seen.c.h).label("h"))
             .group_by(seen.c.visitor_id).subquery())
    rows = session.execute(select(first.c.h, func.count()).group_by(first.c.h)).all()
    positions = int(session.scalar(select(func.count()).select_from(p).where(*in_day)) or 0)
    hours = {datetime.strptime(str(key).replace("T", " ")[:13] + "+0000", "%Y-%m-%d %H%z"):
             int(n) for key, n in rows}
    return hours, positions


def summarise_day(session: Session, site_id: str, day: date, zone: ZoneInfo) -> int:
    """Store a local day's arrivals per hour and its visitors (unless stored already);
    returns the day's positions (0: nothing to keep, nothing stored)."""
    if session.get(DailyVisitors, (site_id, day)) is not None:
        return 0
    hours, positions = arrivals_of_day(session, site_id, day, zone)
    if positions == 0:
        return 0
    session.add_all(HourlyArrivals(site_id=site_id, day=day, hour=hour, arrivals=n)
                    for hour, n in sorted(hours.items()))
    session.add(DailyVisitors(site_id=site_id, day=day, visitors=sum(hours.values()),
                              positions=positions))
    return positions


def _folded_up_to(session: Session) -> int | None:
    """The newest position every server process has folded into presence (None: no process
    has a checkpoint, so nothing waits to be folded)."""
    return session.scalar(select(func.min(PresenceCheckpoint.event_pk)))


def _purgeable(site_id: str, before: datetime, folded: int | None) -> list[Any]:
    p = PositionEvent
    conds = [p.site_id == site_id, p.ts < before]
    if folded is not None:
        conds.append(p.id <= folded)
    return conds


def purge(db: Database, retention_days: int, *, now: datetime | None = None,
          dry_run: bool = False, batch: int = BATCH, budget_s: float | None = None,
          clock: Callable[[], float] = time.monotonic, actor: str = "retention") -> PurgeReport:
    """Summarise, then delete, the positions of whole local days older than
    ``retention_days`` at every site; ``dry_run`` counts without writing. With ``budget_s``
    it stops after about that long (the rest is ``positions_left``, for the next turn)."""
    report = PurgeReport(retention_days, dry_run)
    if retention_days <= 0:
        return report
    now = now or utcnow()
    deadline = clock() + budget_s if budget_s is not None else math.inf
    with db.open_session() as session:
        sites = [(s.id, ZoneInfo(s.timezone)) for s in session.scalars(select(Site))]
    for site_id, zone in sites:
        keep_from = first_kept_day(now, retention_days, zone)
        before = local_midnight(keep_from, zone)
        done = report.sites[site_id] = SitePurge(before.isoformat())
        day = _summarise_days(db, site_id, zone, keep_from, done, dry_run, deadline, clock)
        if not dry_run:
            # only the days summarised by now: their positions may go
            done.positions_deleted, _ = _delete_before(db, site_id, local_midnight(day, zone),
                                                       batch, deadline, clock)
        done.positions_left = _count_purgeable(db, site_id, before)
    if not dry_run and (report.deleted or any(s.days_summarised for s in report.sites.values())):
        with db.transaction() as session:
            audit.record(session, actor, "purge_positions", None,
                         retention_days=retention_days, deleted=report.deleted,
                         sites={k: {"before": v.before, "deleted": v.positions_deleted,
                                    "days_summarised": len(v.days_summarised)}
                                for k, v in report.sites.items()})
    return report


def _summarise_days(db: Database, site_id: str, zone: ZoneInfo, keep_from: date,
                    done: SitePurge, dry_run: bool, deadline: float,
                    clock: Callable[[], float]) -> date:
    """Summarise each unsummarised day from the site's oldest position up to ``keep_from``,
    one transaction a day, until the deadline; returns the first day not looked at."""
    with db.open_session() as session:
        oldest = session.scalar(select(func.min(PositionEvent.ts)).where(
            PositionEvent.site_id == site_id, PositionEvent.ts < local_midnight(keep_from, zone)))
    day = oldest.astimezone(zone).date() if oldest is not None else keep_from
    while day < keep_from and clock() < deadline:
        with db.transaction() as session:
            if dry_run:
                stored = session.get(DailyVisitors, (site_id, day)) is not None
                summarised = not stored and arrivals_of_day(session, site_id, day, zone)[1] > 0
                session.rollback()
            else:
                summarised = summarise_day(session, site_id, day, zone) > 0
        if summarised:
            done.days_summarised.append(day.isoformat())
        day += timedelta(days=1)
    return day


def _count_purgeable(db: Database, site_id: str, before: datetime) -> int:
    with db.open_session() as session:
        return int(session.scalar(select(func.count()).select_from(PositionEvent).where(
            *_purgeable(site_id, before, _folded_up_to(session)))) or 0)


def _delete_before(db: Database, site_id: str, before: datetime, batch: int,
                   deadline: float, clock: Callable[[], float]) -> tuple[int, bool]:
    """Delete a site's positions dated before ``before`` in batches until none is left or the
    deadline passes; returns how many went and whether any is left."""
    deleted = 0
    while True:
        with db.transaction() as session:
            conds = _purgeable(site_id, before, _folded_up_to(session))
            ids = select(PositionEvent.id).where(*conds).limit(batch).scalar_subquery()
            result = session.execute(delete(PositionEvent).where(PositionEvent.id.in_(ids))
                                     .execution_options(synchronize_session=False))
            gone = int(result.rowcount)  # type: ignore[attr-defined]
        deleted += gone
        if gone < batch:
            return deleted, False
        if clock() >= deadline:
            return deleted, True


class RetentionJob:
    """The hub's retention step: a purge every hour, bounded in time so that the loop's other
    steps wait little; while a backlog remains (a first purge of a long history), a bounded
    purge every turn (:data:`EVERY_S`) until it is gone."""

    EVERY_S = 60.0  # how often the hub asks
    PERIOD_S = 3600.0  # a purge this often once the backlog is gone
    BUDGET_S = 1.0  # a turn deletes for about this long at most

    def __init__(self, db: Database, retention_days: int, event_max_age_s: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.db = db
        self.days = effective_days(retention_days, event_max_age_s)
        self.clock = clock
        self.last: float | None = None
        self.backlog = True  # unknown until the first purge

    def step(self) -> PurgeReport | None:
        """Purge if due; returns what it did (None: not due, or retention is off)."""
        if self.days <= 0:
            return None
        now = self.clock()
        if not self.backlog and self.last is not None and now - self.last < self.PERIOD_S:
            return None
        self.last = now
        report = purge(self.db, self.days, budget_s=self.BUDGET_S, clock=self.clock)
        self.backlog = not report.finished
        if report.deleted:
            log.info("retention: deleted %d positions older than %d days%s", report.deleted,
                     self.days, "" if report.finished else " (more next turn)")
        return report


def effective_days(retention_days: int, event_max_age_s: int) -> int:
    """The retention used: 0 (keep for ever), or at least :func:`shortest_days` (a shorter
    setting is raised to it, and logged)."""
    if retention_days <= 0:
        return 0
    shortest = shortest_days(event_max_age_s)
    if retention_days < shortest:
        log.warning("LANTERN_POSITION_RETENTION_DAYS=%d is shorter than the %d days positions "
                    "may arrive late; using %d", retention_days, shortest, shortest)
        return shortest
    return retention_days
