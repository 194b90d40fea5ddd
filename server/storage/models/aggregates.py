"""What is kept of positions once they are purged (server/services/retention.py): per site,
arrivals by local day and UTC hour, and distinct visitors and positions by local day.

A visit is a visitor seen on a site's local day; it arrives in the hour of their first position
that day, as the visitor report counts it from raw positions (analytics_notebooks/visits.py).
A day's rows are written whole, from all of its positions, before any of them is deleted; a
``daily_visitors`` row says the day is summarised.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class HourlyArrivals(Base):
    __tablename__ = "hourly_arrivals"
    site_id: Mapped[str] = mapped_column(String(64), ForeignKey("sites.id"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)  # the site's local day
    hour: Mapped[datetime] = mapped_column(primary_key=True)  # its start, in UTC
    arrivals: Mapped[int]


class DailyVisitors(Base):
    __tablename__ = "daily_visitors"
    site_id: Mapped[str] = mapped_column(String(64), ForeignKey("sites.id"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)  # the site's local day
    visitors: Mapped[int]  # distinct visitors: the day's arrivals summed
    positions: Mapped[int]  # position events the day had
    summarised_at: Mapped[datetime] = mapped_column(default=utcnow)
