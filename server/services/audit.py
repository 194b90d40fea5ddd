"""The audit log: who changed what, written in the changer's transaction and read in pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.storage.models import AuditLog


def record(session: Session, actor: str, action: str, target: str | None = None, /, *,
           at: datetime | None = None, **detail: Any) -> None:
    """Add an audit entry in the caller's transaction, so it commits with the change; ``at``
    dates it (default: now)."""
    entry = AuditLog(actor=actor, action=action, target=target, detail=detail)
    if at is not None:
        entry.ts = at
    session.add(entry)


def describe(entry: AuditLog) -> dict[str, Any]:
    return {"id": entry.id, "ts": entry.ts.isoformat(), "actor": entry.actor,
            "action": entry.action, "target": entry.target, "detail": entry.detail or {}}


def page(session: Session, *, actor: str | None = None, action: str | None = None,
         start: datetime | None = None, end: datetime | None = None, limit: int = 100,
         before: int | None = None) -> tuple[list[dict[str, Any]], int | None]:
    """Entries newest first (by id, which only grows), filtered, and the ``before`` of the
    next page (None: no older entry matches).

    Paging by id rather than by offset keeps each page one index range, however deep, and a
    page does not shift when entries are added meanwhile.
    """
    query = select(AuditLog)
    if actor is not None:
        query = query.where(AuditLog.actor == actor)
    if action is not None:
        query = query.where(AuditLog.action == action)
    if start is not None:
        query = query.where(AuditLog.ts >= start)
    if end is not None:
        query = query.where(AuditLog.ts < end)
    if before is not None:
        query = query.where(AuditLog.id < before)
    rows = list(session.scalars(query.order_by(AuditLog.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return [describe(r) for r in rows], rows[-1].id if more else None
