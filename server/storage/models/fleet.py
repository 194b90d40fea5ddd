"""Kiosks, their commands, online/offline history, last screenshots and visitor-session
events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class Kiosk(Base):
    __tablename__ = "kiosks"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    site_id: Mapped[str | None] = mapped_column(ForeignKey("sites.id"))
    name: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(16), default="exhibition")
    group: Mapped[str | None] = mapped_column(String(64))
    zone_id: Mapped[str | None] = mapped_column(String(128))
    lon: Mapped[float | None]
    lat: Mapped[float | None]
    status: Mapped[str] = mapped_column(String(16), default="approved")  # pending/approved/revoked
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    pairing_code: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime | None]
    online: Mapped[bool] = mapped_column(default=False)
    scene: Mapped[str | None] = mapped_column(String(128))
    experience_id: Mapped[str | None] = mapped_column(String(128))
    state: Mapped[str | None] = mapped_column(String(16))
    fps: Mapped[float | None]
    featured: Mapped[str | None] = mapped_column(String(128))  # chosen by the content rules
    next_seq: Mapped[int] = mapped_column(default=1)
    acked_seq: Mapped[int] = mapped_column(default=0)


class KioskPresence(Base):
    """Online/offline history of a kiosk."""

    __tablename__ = "kiosk_presence"
    id: Mapped[int] = mapped_column(primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.id"), index=True)
    online: Mapped[bool]
    ts: Mapped[datetime] = mapped_column(default=utcnow)


class KioskScreenshot(Base):
    """The last frame a kiosk uploaded (one a kiosk; shared by every server process)."""

    __tablename__ = "kiosk_screenshots"
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.id"), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(32))  # image/png or image/jpeg
    data: Mapped[bytes] = mapped_column(LargeBinary)
    width: Mapped[int | None]
    height: Mapped[int | None]
    taken_at: Mapped[datetime] = mapped_column(default=utcnow)


class KioskCommand(Base):
    __tablename__ = "kiosk_commands"
    __table_args__ = (
        UniqueConstraint("kiosk_id", "seq"),
        Index("ix_kiosk_commands_pending", "kiosk_id", "status"),
    )
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.id"))
    seq: Mapped[int]
    action: Mapped[str] = mapped_column(String(32))
    args: Mapped[dict[str, Any]]
    issued_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    acked_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending/acked/failed/expired
    result: Mapped[dict[str, Any] | None]


class KioskSessionEvent(Base):
    """Proof of experience: started, hotspot and ended events of visitor sessions."""

    __tablename__ = "kiosk_session_events"
    __table_args__ = (UniqueConstraint("kiosk_id", "event_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(128))  # unique per kiosk
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.id"), index=True)
    session_id: Mapped[str] = mapped_column(String(128), index=True)
    event: Mapped[str] = mapped_column(String(16))
    experience_id: Mapped[str | None] = mapped_column(String(128))
    zone_id: Mapped[str | None] = mapped_column(String(128))
    substitute_for: Mapped[str | None] = mapped_column(String(128))
    hotspot_id: Mapped[str | None] = mapped_column(String(128))
    completion: Mapped[float | None]
    ts: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class KioskSession(Base):
    """A timed visitor session on a kiosk: queued, running, then ended."""

    __tablename__ = "kiosk_sessions"
    __table_args__ = (Index("ix_kiosk_sessions_kiosk_status", "kiosk_id", "status"),)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.id"))
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued/running/ended
    experience_id: Mapped[str | None] = mapped_column(String(128))
    duration_s: Mapped[int]
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(32))
