"""Basins, sites, versioned zones, sensors and experiences (imported from venues/)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class Basin(Base):
    __tablename__ = "basins"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str] = mapped_column(String(200))
    geometry: Mapped[dict[str, Any]]


class Site(Base):
    __tablename__ = "sites"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    basin_id: Mapped[str | None] = mapped_column(ForeignKey("basins.id"))
    name_en: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    center_lon: Mapped[float]
    center_lat: Mapped[float]
    daily_capacity: Mapped[int | None]
    instantaneous_capacity: Mapped[int | None]
    config: Mapped[dict[str, Any]]
    zones_version: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Zone(Base):
    """One version of a zone; a re-import that changes it adds a version and keeps the old."""

    __tablename__ = "zones"
    __table_args__ = (
        UniqueConstraint("site_id", "zone_id", "version"),
        Index("ix_zones_current", "site_id", "current"),
    )
    pk: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    zone_id: Mapped[str] = mapped_column(String(128))
    version: Mapped[int]
    current: Mapped[bool] = mapped_column(default=True)
    parent_id: Mapped[str | None] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32))
    name_en: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str] = mapped_column(String(200))
    capacity: Mapped[int | None]
    initial_state: Mapped[str] = mapped_column(String(16), default="open")
    geometry: Mapped[dict[str, Any]]
    properties: Mapped[dict[str, Any]]
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class ZoneState(Base):
    """The live state of a zone (open, closed, restricted); survives re-imports and restarts."""

    __tablename__ = "zone_states"
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    zone_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(500))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by: Mapped[str | None] = mapped_column(String(128))


class ZoneStateChange(Base):
    """Every change of a zone's state, with its time, reason and who (closures on charts)."""

    __tablename__ = "zone_state_changes"
    __table_args__ = (Index("ix_zone_state_changes_site_at", "site_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    zone_id: Mapped[str] = mapped_column(String(128))
    state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(500))
    changed_by: Mapped[str | None] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class ZoneCapacityOverride(Base):
    """A zone's live capacity set over the venue data's figure (a report's recommendation, or
    by hand); survives re-imports; deleting it goes back to the venue data."""

    __tablename__ = "zone_capacity_overrides"
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    zone_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    capacity: Mapped[int]
    source: Mapped[dict[str, Any]]  # {"report_run": id} or {"manual": true}
    reason: Mapped[str | None] = mapped_column(String(500))
    set_by: Mapped[str] = mapped_column(String(128))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)


class ZoneCapacityChange(Base):
    """Every change of a zone's live capacity: set (``capacity``) or back to the venue data's
    figure (``capacity`` None), with the figure before, the source, the reason and who."""

    __tablename__ = "zone_capacity_changes"
    __table_args__ = (Index("ix_zone_capacity_changes_zone_at", "site_id", "zone_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    zone_id: Mapped[str] = mapped_column(String(128))
    capacity: Mapped[int | None]
    previous: Mapped[int | None]
    source: Mapped[dict[str, Any] | None]
    reason: Mapped[str | None] = mapped_column(String(500))
    changed_by: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class ImpactCheck(Base):
    """A saved heritage-impact check of a proposed work: its geometry, height, buffer and the
    result the check gave when saved."""

    __tablename__ = "impact_checks"
    __table_args__ = (Index("ix_impact_checks_site_created", "site_id", "created_at"),)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    name: Mapped[str] = mapped_column(String(200))
    geometry: Mapped[dict[str, Any]]
    height_m: Mapped[float | None]
    buffer_m: Mapped[float] = mapped_column(default=0.0)
    result: Mapped[dict[str, Any]]
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Sensor(Base):
    __tablename__ = "sensors"
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    zone_id: Mapped[str] = mapped_column(String(128))
    measures: Mapped[list[Any]]
    properties: Mapped[dict[str, Any]]


class Experience(Base):
    __tablename__ = "experiences"
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    title_en: Mapped[str] = mapped_column(String(300))
    title_zh: Mapped[str] = mapped_column(String(300))
    scene: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32))
    duration_s: Mapped[int]
    substitute_for: Mapped[str | None] = mapped_column(String(128))
    properties: Mapped[dict[str, Any]]
