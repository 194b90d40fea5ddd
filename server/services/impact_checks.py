"""Saved heritage-impact checks: a proposed work, by name, with the result its check gave
(the check itself runs in server/api/impact.py's child process), listed newest first."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from server import errors
from server.services import audit
from server.storage.models import ImpactCheck, utcnow


def new_check_id(now: datetime) -> str:
    """A check's id: the server's, in the order checks are saved."""
    return f"ic{now:%Y%m%d%H%M%S}{secrets.token_hex(5)}"


def save(session: Session, site_id: str, name: str, geometry: dict[str, Any],
         height_m: float | None, buffer_m: float, result: dict[str, Any], actor: str, *,
         now: datetime | None = None) -> ImpactCheck:
    """Store a check with its result, and an audit entry, in the caller's transaction."""
    now = now or utcnow()
    check = ImpactCheck(id=new_check_id(now), site_id=site_id, name=name.strip(),
                        geometry=geometry, height_m=height_m, buffer_m=buffer_m, result=result,
                        created_by=actor, created_at=now)
    session.add(check)
    audit.record(session, actor, "save_impact_check", f"{site_id}/{check.id}", at=now,
                 name=check.name, requires_approval=result.get("requires_approval"))
    session.flush()
    return check


def get(session: Session, site_id: str, check_id: str) -> ImpactCheck:
    """One saved check of the site, or 404."""
    check = session.get(ImpactCheck, check_id) if len(check_id) <= 64 else None
    if check is None or check.site_id != site_id:
        raise errors.NotFound(f"no saved impact check {check_id!r} at site {site_id!r}")
    return check


def listing(session: Session, site_id: str, limit: int,
            before: str | None = None) -> tuple[list[ImpactCheck], str | None]:
    """The site's checks, newest first, ``limit`` at most, those saved before the check
    ``before`` names (422 if it names none of the site's); and the ``before`` of the next
    page, or None when there is none."""
    query = select(ImpactCheck).where(ImpactCheck.site_id == site_id)
    if before is not None:
        mark = session.get(ImpactCheck, before)
        if mark is None or mark.site_id != site_id:
            raise errors.InvalidContent(f"'before' names no saved impact check of site "
                                        f"{site_id!r}: {before!r}")
        query = query.where(or_(ImpactCheck.created_at < mark.created_at,
                                and_(ImpactCheck.created_at == mark.created_at,
                                     ImpactCheck.id < mark.id)))
    rows = list(session.scalars(query.order_by(ImpactCheck.created_at.desc(),
                                               ImpactCheck.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    return rows[:limit], rows[limit - 1].id if more else None
