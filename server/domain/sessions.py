"""Timed visitor sessions on a kiosk: one runs, the others wait in a queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass
class SessionPlan:
    id: str
    status: str  # queued / running / ended
    duration_s: int
    started_at: datetime | None = None
    ends_at: datetime | None = None


def start(session: SessionPlan, now: datetime) -> SessionPlan:
    session.status, session.started_at = "running", now
    session.ends_at = now + timedelta(seconds=session.duration_s)
    return session


def extend(session: SessionPlan, seconds: int) -> SessionPlan:
    if session.status != "running" or session.ends_at is None:
        raise ValueError("only a running session can be extended")
    session.ends_at += timedelta(seconds=seconds)
    session.duration_s += seconds
    return session


def due_to_end(session: SessionPlan, now: datetime) -> bool:
    return session.status == "running" and session.ends_at is not None and now >= session.ends_at


def next_to_start(queue: list[SessionPlan]) -> SessionPlan | None:
    """The oldest queued session, if nothing is running."""
    if any(s.status == "running" for s in queue):
        return None
    return next((s for s in queue if s.status == "queued"), None)
