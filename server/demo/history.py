"""A seeded, deterministic past for the demo venues: ``python -m server history``.

The history is written through the server's own use cases and rules, with the history's
clock (server/demo/writer.py), so that history and live data look alike and are decided by
the same code: positions classified by the geo engine and folded into presence, zone
transitions, sweeps, microclimate alerts that close caves, capacity alerts, kiosk sessions.

It covers whole days in each site's time zone and ends where the present begins: at local
midnight of ``end`` (default: today), after the venues closed and everyone left. Caves the
history closed are open again at its end. The same seed writes the same rows; written again
over the same days, every event is a duplicate and nothing is stored twice (see
docs/history.md).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from server import errors
from server.demo.gateway import PositionGateway
from server.demo.site_run import SiteRun
from server.services import audit
from server.storage.database import Database
from server.storage.models import AuditLog, Site
from server.storage.zone_index import ZoneIndexCache

DEFAULT_DAYS = 30
DEFAULT_SEED = 1
DEFAULT_SCALE = 0.025  # about 5,000,000 positions for 30 ordinary days of the three venues
DEMO_DAYS = 7  # what `python -m server demo` writes on its first start
DEMO_SCALE = 0.005
ACTION = "generate_history"  # the audit log's record of each run


@dataclass
class HistoryReport:
    start: date
    end: date
    seed: int
    scale: float
    sites: dict[str, dict[str, int]] = field(default_factory=dict)
    seconds: float = 0.0

    def total(self, name: str) -> int:
        return sum(counts.get(name, 0) for counts in self.sites.values())


def history_exists(db: Database) -> bool:
    """Whether a history was ever written to this database (the audit log says)."""
    with db.open_session() as session:
        return session.scalar(select(AuditLog.id).where(AuditLog.action == ACTION).limit(1)) \
            is not None


def scene_hotspots(assets: Path | None) -> dict[str, list[str]]:
    """The hotspot ids of each sample scene (``<assets>/scenes/<scene>.json``), if present."""
    out: dict[str, list[str]] = {}
    for path in sorted((assets / "scenes").glob("*.json")) if assets else []:
        try:
            spots = json.loads(path.read_text(encoding="utf-8")).get("hotspots") or []
        except (OSError, ValueError, AttributeError):
            continue
        out[path.stem] = [str(h["id"]) for h in spots if isinstance(h, dict) and "id" in h]
    return out


def sites_for(db: Database, wanted: Sequence[str] | None) -> list[tuple[str, str]]:
    """(site id, time zone) of the sites to write, all that have a visiting pattern by default."""
    with db.open_session() as session:
        sites = {s.id: s for s in session.scalars(select(Site).order_by(Site.id))}
    if not sites:
        raise errors.NotFound("no sites in the database: load the venues first "
                              "(`python -m server load-venues`)")
    unknown = [s for s in wanted or [] if s not in sites]
    if unknown:
        raise errors.NotFound(f"unknown site(s) {', '.join(repr(s) for s in unknown)}; "
                              f"choose from {', '.join(sites)}")
    chosen = list(wanted) if wanted else [s for s, site in sites.items()
                                          if site.config.get("visiting")]
    missing = [s for s in chosen if not sites[s].config.get("visiting")]
    if missing or not chosen:
        raise errors.InvalidContent(f"site(s) {', '.join(missing) or 'none'} have no visiting "
                                    f"pattern in their site.json (see docs/history.md)")
    return [(s, sites[s].timezone) for s in chosen]


def generate_history(db: Database, cache: ZoneIndexCache, *, days: int = DEFAULT_DAYS,
                     end: date | None = None, sites: Sequence[str] | None = None,
                     seed: int = DEFAULT_SEED, scale: float = DEFAULT_SCALE,
                     assets: Path | None = None,
                     on_day: Callable[[str, date, dict[str, int]], Any] | None = None,
                     ) -> HistoryReport:
    """Write ``days`` days of history ending at local midnight of ``end`` (default: today)
    for ``sites`` (default: every site with a visiting pattern). ``scale`` is the share of
    visitors whose positions are written (the crowd itself, which the caves' air and the
    kiosks feel, is always full size); ``on_day`` is told each site-day as it is done."""
    if not isinstance(days, int) or days < 1:
        raise errors.InvalidContent(f"days must be a whole number of at least 1, got {days!r}")
    if not 0 < scale <= 1:
        raise errors.InvalidContent(f"scale must be more than 0 and at most 1, got {scale!r}")
    if seed < 0:
        raise errors.InvalidContent(f"seed must be 0 or more, got {seed!r}")
    chosen = sites_for(db, sites)
    today = min(datetime.now(ZoneInfo(tz)).date() for _, tz in chosen)
    end = end or today
    if end > today:
        raise errors.InvalidContent(f"the history ends at the start of today ({today}) at the "
                                    f"latest, not {end}")
    start = end - timedelta(days=days)
    report = HistoryReport(start, end, seed, scale)
    started = time.monotonic()
    hotspots = scene_hotspots(assets)
    gateway = PositionGateway(db.url)
    try:
        for site_id, _ in chosen:
            run = SiteRun(db, cache, gateway, site_id, seed, scale, hotspots)
            for n in range(days):
                day = start + timedelta(days=n)
                run.run_day(day)
                if on_day is not None:
                    on_day(site_id, day, run.counts.as_dict())
            _finish(db, run, gateway, end, report)
        gateway.close()
    finally:
        gateway.kill()
    report.seconds = time.monotonic() - started
    return report


def _finish(db: Database, run: SiteRun, gateway: PositionGateway, end: date,
            report: HistoryReport) -> None:
    """The present begins: caves the history closed open again (whatever the site's reopen
    rule), capacity alerts are settled, and the run is recorded in the audit log."""
    at = run.midnight(end)
    for zone_id in sorted(run.closed_here):
        if run.states.get(zone_id) == "closed":
            run.desk.set_state(zone_id, "open", "reopened as the generated history ends", at)
            run.states[zone_id] = "open"
    run.awaiting.clear()
    run.desk.flush_readings(at)
    written = gateway.sync().get(run.site_id, {})
    if run.desk.capacity_open:
        run.desk.capacity_alerts(at)
    counts = {**run.counts.as_dict(), **written}
    report.sites[run.zones.site_id] = counts
    with db.transaction() as session:
        audit.record(session, "history", ACTION, run.zones.site_id,
                     start=report.start.isoformat(), end=end.isoformat(), seed=report.seed,
                     scale=report.scale, counts=counts)
