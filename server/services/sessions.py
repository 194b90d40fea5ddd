"""Timed visitor sessions on kiosks: queue, start, extend, end and auto-end."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from server import errors
from server.domain import sessions as rules
from server.services import fleet
from server.services.commands import parse_command
from server.storage.models import Experience, KioskSession, utcnow


def _plan(row: KioskSession) -> rules.SessionPlan:
    return rules.SessionPlan(row.id, row.status, row.duration_s, row.started_at, row.ends_at)


def _save(row: KioskSession, plan: rules.SessionPlan) -> None:
    row.status, row.duration_s = plan.status, plan.duration_s
    row.started_at, row.ends_at = plan.started_at, plan.ends_at


def queue_of(session: Session, kiosk_id: str) -> list[KioskSession]:
    return list(session.scalars(select(KioskSession).where(
        KioskSession.kiosk_id == kiosk_id, KioskSession.status != "ended")
        .order_by(KioskSession.queued_at, KioskSession.id)))


def request(session: Session, kiosk_id: str, duration_s: int, experience_id: str | None,
            actor: str, ttl_s: float) -> KioskSession:
    """Queue a session; it starts at once if the kiosk is free."""
    kiosk = fleet.kiosk_or_404(session, kiosk_id)
    if kiosk.status != "approved":
        raise errors.Conflict(f"kiosk {kiosk_id} is {kiosk.status}")
    parse_command("start_session", {"duration_s": duration_s})  # the command's own bounds
    if experience_id is not None and session.get(Experience, experience_id) is None:
        raise errors.UnknownExperience(f"no experience {experience_id!r}")
    row = KioskSession(id=f"s-{secrets.token_hex(6)}", kiosk_id=kiosk_id, status="queued",
                       duration_s=duration_s, experience_id=experience_id, queued_at=utcnow())
    session.add(row)
    session.flush()
    _start_next(session, kiosk_id, actor, utcnow(), ttl_s)
    return row


def _start_next(session: Session, kiosk_id: str, actor: str, now: datetime, ttl_s: float) -> None:
    rows = queue_of(session, kiosk_id)
    plan = rules.next_to_start([_plan(r) for r in rows])
    if plan is None:
        return
    row = next(r for r in rows if r.id == plan.id)
    _save(row, rules.start(plan, now))
    if row.experience_id:
        exp = session.get(Experience, row.experience_id)
        if exp is not None:
            fleet.issue(session, actor, "load_scene", {"experience_id": exp.id, "scene": exp.scene},
                        kiosk_id=kiosk_id, ttl_s=ttl_s, now=now)
    fleet.issue(session, actor, "start_session", {"session_id": row.id,
                                                  "duration_s": row.duration_s},
                kiosk_id=kiosk_id, ttl_s=ttl_s, now=now)


def running(session: Session, kiosk_id: str) -> KioskSession:
    row = session.scalar(select(KioskSession).where(KioskSession.kiosk_id == kiosk_id,
                                                    KioskSession.status == "running"))
    if row is None:
        raise errors.Conflict(f"kiosk {kiosk_id} has no running session")
    return row


def extend(session: Session, kiosk_id: str, seconds: int, actor: str, ttl_s: float) -> KioskSession:
    row = running(session, kiosk_id)
    try:
        _save(row, rules.extend(_plan(row), seconds))
    except ValueError as exc:
        raise errors.Conflict(str(exc)) from None
    fleet.issue(session, actor, "extend_session", {"seconds": seconds}, kiosk_id=kiosk_id,
                ttl_s=ttl_s)
    return row


def end(session: Session, kiosk_id: str, actor: str, ttl_s: float, reason: str = "ended",
        now: datetime | None = None) -> KioskSession:
    now = now or utcnow()
    row = running(session, kiosk_id)
    row.status, row.ended_at, row.end_reason = "ended", now, reason
    fleet.issue(session, actor, "end_session", {}, kiosk_id=kiosk_id, ttl_s=ttl_s, now=now)
    session.flush()
    _start_next(session, kiosk_id, actor, now, ttl_s)
    return row


def end_due(session: Session, now: datetime, ttl_s: float) -> list[str]:
    """End every session whose time is up; returns the kiosks that have new commands."""
    due = [r for r in session.scalars(select(KioskSession).where(KioskSession.status == "running"))
           if rules.due_to_end(_plan(r), now)]
    for row in due:
        end(session, row.kiosk_id, "system:timer", ttl_s, reason="timeout", now=now)
    return [r.kiosk_id for r in due]
