"""The audit log: who changed what."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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
