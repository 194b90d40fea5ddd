"""What happened at a site, newest first: its recent activity (commands, zone changes, alerts,
kiosk approvals and revocations, visitor sessions) and the history of its zones' states.

Each source is read newest first with the caller's limit pushed down to the database, on its
time index, and the few rows merged here: a reload of the panel reads a page, not a log.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from server import errors
from server.storage.database import sane
from server.storage.models import (
    Alert,
    AuditLog,
    Kiosk,
    KioskSessionEvent,
    Site,
    ZoneStateChange,
)

# audit actions that concern a site's kiosks, as the words a reader gets in details.action
KIOSK_ACTIONS = {"create_kiosk": "create", "approve_kiosk": "approve", "revoke_kiosk": "revoke",
                 "rotate_kiosk_token": "rotate_token"}
# a zone's capacity set by hand (audited with the target "<site>/<zone>")
CAPACITY_ACTION = "set_zone_capacity"
AUDIT_PAGES = 5  # pages of the audit log read at most, when group commands are filtered out


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def _entry(at: datetime, kind: str, actor: str | None, subject: str | None,
           **details: Any) -> dict[str, Any]:
    return {"at": at, "kind": kind, "actor": actor, "subject": subject, "details": details}


def _site_or_404(session: Session, site_id: str) -> None:
    if session.get(Site, site_id) is None:
        raise errors.NotFound(f"no site {site_id!r}")


def recent_activity(session: Session, site_id: str, limit: int = 50) -> list[dict[str, Any]]:
    """The site's latest ``limit`` entries of every kind, newest first."""
    _site_or_404(session, site_id)
    kiosks = set(session.scalars(select(Kiosk.id).where(Kiosk.site_id == site_id)))
    entries = [*_zone_changes(session, site_id, limit), *_alerts(session, site_id, limit),
               *_audited(session, site_id, kiosks, limit), *_sessions(session, kiosks, limit)]
    entries.sort(key=lambda e: e["at"], reverse=True)
    return [{**e, "at": _iso(e["at"])} for e in entries[:limit]]


def _zone_changes(session: Session, site_id: str, limit: int) -> Iterable[dict[str, Any]]:
    c = ZoneStateChange
    for row in session.scalars(select(c).where(c.site_id == site_id, sane(c.at))
                               .order_by(c.at.desc(), c.id.desc()).limit(limit)):
        yield _entry(row.at, "zone_state", row.changed_by, row.zone_id, zone_id=row.zone_id,
                     state=row.state, reason=row.reason)


def _alerts(session: Session, site_id: str, limit: int) -> Iterable[dict[str, Any]]:
    """Each raise and each clear is an entry of its own."""
    mine = (Alert.site_id == site_id, sane(Alert.raised_at))
    raised = session.scalars(select(Alert).where(*mine)
                             .order_by(Alert.raised_at.desc(), Alert.id.desc()).limit(limit))
    cleared = session.scalars(select(Alert).where(*mine, Alert.cleared_at.is_not(None),
                                                  sane(Alert.cleared_at))
                              .order_by(Alert.cleared_at.desc(), Alert.id.desc()).limit(limit))
    for change, rows in (("raised", raised), ("cleared", cleared)):
        for alert in rows:
            at = alert.raised_at if change == "raised" else alert.cleared_at
            assert at is not None
            yield _entry(at, "alert", "system", alert.zone_id or alert.subject,
                         change=change, alert_id=alert.id, alert_kind=alert.kind,
                         zone_id=alert.zone_id, metric=alert.metric, value=alert.value,
                         threshold=alert.threshold, message=alert.message)


def _audited(session: Session, site_id: str, kiosks: set[str],
             limit: int) -> Iterable[dict[str, Any]]:
    """Commands to the site's kiosks (a group command when it reached one of them), kiosk
    approvals, revocations and token rotations, acknowledged alerts and capacity changes."""
    a = AuditLog
    concerns = or_(
        (a.action == "command") & (a.target.in_(kiosks) | a.target.startswith("group:")),
        a.action.in_(list(KIOSK_ACTIONS)) & a.target.in_(kiosks),
        (a.action == "acknowledge_alert") & (a.detail["site_id"].as_string() == site_id),
        (a.action == CAPACITY_ACTION) & a.target.startswith(f"{site_id}/", autoescape=True))
    query = select(a).where(concerns, sane(a.ts)).order_by(a.ts.desc(), a.id.desc())
    found = 0
    for page in range(AUDIT_PAGES):
        rows = list(session.scalars(query.offset(page * limit).limit(limit)))
        for row in rows:
            entry = _audit_entry(row, kiosks)
            if entry is not None:
                found += 1
                yield entry
        if len(rows) < limit or found >= limit:
            return


def _audit_entry(row: AuditLog, kiosks: set[str]) -> dict[str, Any] | None:
    detail = row.detail or {}
    if row.action == "command":
        reached = sorted(kiosks.intersection(detail.get("kiosks") or []))
        if not reached:
            return None
        target = row.target or ""
        where = ({"group": target.removeprefix("group:")} if target.startswith("group:")
                 else {"kiosk_id": target})
        return _entry(row.ts, "command", row.actor, target, action=detail.get("action"),
                      args=detail.get("args") or {}, kiosks=reached, **where)
    if row.action in KIOSK_ACTIONS:
        return _entry(row.ts, "kiosk", row.actor, row.target, action=KIOSK_ACTIONS[row.action],
                      kiosk_id=row.target)
    if row.action == "acknowledge_alert":
        return _entry(row.ts, "alert", row.actor, detail.get("zone_id") or row.target,
                      change="acknowledged", alert_id=int(row.target or 0),
                      zone_id=detail.get("zone_id"), metric=detail.get("subject"))
    zone_id = (row.target or "").split("/", 1)[-1]
    return _entry(row.ts, "zone_state", row.actor, zone_id, zone_id=zone_id,
                  capacity=detail.get("capacity"), source=detail.get("source"))


def _sessions(session: Session, kiosks: set[str], limit: int) -> Iterable[dict[str, Any]]:
    if not kiosks:
        return
    e = KioskSessionEvent
    for row in session.scalars(select(e).where(e.kiosk_id.in_(kiosks), sane(e.ts))
                               .order_by(e.ts.desc(), e.id.desc()).limit(limit)):
        yield _entry(row.ts, "session", row.kiosk_id, row.session_id, event=row.event,
                     kiosk_id=row.kiosk_id, session_id=row.session_id,
                     experience_id=row.experience_id, substitute_for=row.substitute_for,
                     hotspot_id=row.hotspot_id, completion=row.completion)


def zone_state_history(session: Session, site_id: str, start: datetime, end: datetime,
                       zone: str | None = None, limit: int = 500) -> dict[str, Any]:
    """The site's zone-state changes from ``start`` to ``end``, newest first, and each zone's
    last change before ``start`` (its state as the window opens, so a chart can shade a
    closure that began earlier)."""
    _site_or_404(session, site_id)
    c = ZoneStateChange
    mine = [c.site_id == site_id, sane(c.at)] + ([c.zone_id == zone] if zone is not None else [])
    changes = session.scalars(select(c).where(*mine, c.at >= start, c.at < end)
                              .order_by(c.at.desc(), c.id.desc()).limit(limit))
    latest = (select(c.zone_id, func.max(c.at).label("at")).where(*mine, c.at < start)
              .group_by(c.zone_id).subquery())
    before = session.scalars(select(c).join(latest, (c.zone_id == latest.c.zone_id)
                                            & (c.at == latest.c.at))
                             .where(c.site_id == site_id).order_by(c.zone_id, c.id.desc()))
    seen: set[str] = set()
    opening = []
    for row in before:  # two changes of a zone at the same instant: the later written
        if row.zone_id not in seen:
            seen.add(row.zone_id)
            opening.append(_change(row))
    return {"changes": [_change(row) for row in changes], "before": opening}


def _change(row: ZoneStateChange) -> dict[str, Any]:
    return {"zone_id": row.zone_id, "state": row.state, "reason": row.reason,
            "changed_by": row.changed_by, "at": _iso(row.at)}
