"""Append-only event tables (idempotent on event_id) and preservation alerts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class PositionEvent(Base):
    __tablename__ = "position_events"
    __table_args__ = (Index("ix_position_events_site_ts", "site_id", "ts"),
                      UniqueConstraint("site_id", "event_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(128))  # unique per site
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    visitor_id: Mapped[str] = mapped_column(String(128))
    ts: Mapped[datetime]
    lon: Mapped[float]
    lat: Mapped[float]
    zone_id: Mapped[str | None] = mapped_column(String(128))


class ZoneTransition(Base):
    __tablename__ = "zone_transitions"
    __table_args__ = (Index("ix_zone_transitions_site_ts", "site_id", "ts"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    visitor_id: Mapped[str] = mapped_column(String(128))
    zone_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(8))  # enter / exit
    ts: Mapped[datetime]
    dwell_s: Mapped[float | None]


class SensorReading(Base):
    __tablename__ = "sensor_readings"
    __table_args__ = (Index("ix_sensor_readings_sensor_ts", "sensor_id", "ts"),
                      UniqueConstraint("site_id", "event_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(128))  # unique per site
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    sensor_id: Mapped[str] = mapped_column(String(128))
    zone_id: Mapped[str | None] = mapped_column(String(128))
    ts: Mapped[datetime]
    temperature_c: Mapped[float | None]
    relative_humidity: Mapped[float | None]
    co2_ppm: Mapped[float | None]


class Alert(Base):
    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_open", "site_id", "state"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    zone_id: Mapped[str | None] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32))  # microclimate / kiosk_offline / capacity
    metric: Mapped[str | None] = mapped_column(String(32))
    subject: Mapped[str | None] = mapped_column(String(128))
    state: Mapped[str] = mapped_column(String(16), default="raised")  # raised / cleared
    value: Mapped[float | None]
    threshold: Mapped[float | None]
    message: Mapped[str] = mapped_column(String(500))
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    cleared_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(120))


class VisitorPresence(Base):
    """Where each visitor is now (shared by every server process); drives live occupancy."""

    __tablename__ = "visitor_presence"
    __table_args__ = (Index("ix_visitor_presence_zone", "site_id", "zone_id"),)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    visitor_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    zone_id: Mapped[str | None] = mapped_column(String(128))
    since: Mapped[datetime]
    ts: Mapped[datetime]
    pending_zone: Mapped[str | None] = mapped_column(String(128))
    pending_since: Mapped[datetime | None]


class PresenceCheckpoint(Base):
    """Per server process: the newest position event whose effect on presence is written.

    A starting process replays the events after the oldest checkpoint (see
    ``server/storage/presence_book.py``)."""

    __tablename__ = "presence_checkpoints"
    writer: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_pk: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
