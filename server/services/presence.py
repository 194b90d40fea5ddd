"""Visitor positions: classify, store once per event_id, move visitors, keep live occupancy."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from server import errors
from server.domain.capacity import RESTRICTED_RATIO, capacity_alert_changes, occupancy_rows
from server.storage.bulk import Bulk, epoch_seconds, stored_texts
from server.storage.database import sane
from server.storage.models import Alert, Site, VisitorPresence, ZoneState, ZoneTransition
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


def occupancy(session: Session, site: SiteZones) -> list[dict[str, Any]]:
    """Per zone of the tree: visitors in it and its descendants, effective capacity, level, and
    violations: for a closed zone the entries since it closed, for a zone of capacity 0 (no
    access, or closed) never fewer than the visitors inside."""
    counts = dict(session.execute(
        select(VisitorPresence.zone_id, func.count()).where(
            VisitorPresence.site_id == site.site_id, VisitorPresence.zone_id.is_not(None))
        .group_by(VisitorPresence.zone_id)).all())
    rolled = site.index.rollup({z: c for z, c in counts.items() if z in site.zones})
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


def sync_capacity_alerts(session: Session, site: SiteZones, rows: list[dict[str, Any]],
                         now: datetime) -> list[tuple[Alert, str]]:
    """Raise a capacity alert for each no-access or closed zone with people inside, clear it
    when the zone is empty again; return the alerts that changed and how, oldest first."""
    def open_alerts() -> dict[str, Alert]:
        return {a.zone_id or "": a for a in session.scalars(select(Alert).where(
            Alert.site_id == site.site_id, Alert.kind == "capacity", Alert.state == "raised"))}

    current = open_alerts()
    to_raise, to_clear = capacity_alert_changes(rows, current)
    if not (to_raise or to_clear):
        return []
    # several processes emit occupancy: decide again under the site's lock, so a zone gets
    # one open alert (PostgreSQL; SQLite has one writer anyway)
    session.execute(select(Site.id).where(Site.id == site.site_id).with_for_update())
    current = open_alerts()
    to_raise, to_clear = capacity_alert_changes(rows, current)
    changed: list[tuple[Alert, str]] = []
    for zone_id in to_clear:
        alert = current[zone_id]
        alert.state, alert.cleared_at = "cleared", now
        changed.append((alert, "cleared"))
    for row in to_raise:
        zone_id = str(row["zone_id"])
        name = site.zones.get(zone_id, {}).get("name_en") or zone_id
        why = "is closed" if row["state"] == "closed" else "has no access"
        alert = Alert(site_id=site.site_id, zone_id=zone_id, kind="capacity", metric="occupancy",
                      subject=zone_id, state="raised", value=float(row["count"]), threshold=0.0,
                      raised_at=now, message=f"{name} ({zone_id}) {why}, but {row['count']} "
                                             f"visitor(s) are inside")
        session.add(alert)
        changed.append((alert, "raised"))
    session.flush()
    return changed
