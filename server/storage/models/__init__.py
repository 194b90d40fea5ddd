"""The SQLAlchemy models. Import from here."""

from .accounts import ApiToken, AuditLog, LoginSession, User
from .aggregates import DailyVisitors, HourlyArrivals
from .base import Base, utcnow
from .events import Alert, PositionEvent, PresenceCheckpoint, SensorReading, VisitorPresence, ZoneTransition
from .fleet import (
    Kiosk,
    KioskCommand,
    KioskPresence,
    KioskScreenshot,
    KioskSession,
    KioskSessionEvent,
)
from .reports import ReportRun
from .venue import (
    Basin,
    Experience,
    ImpactCheck,
    Sensor,
    Site,
    Zone,
    ZoneCapacityChange,
    ZoneCapacityOverride,
    ZoneState,
    ZoneStateChange,
)

__all__ = [
    "Alert",
    "ApiToken",
    "AuditLog",
    "Base",
    "Basin",
    "DailyVisitors",
    "Experience",
    "HourlyArrivals",
    "ImpactCheck",
    "Kiosk",
    "KioskCommand",
    "KioskPresence",
    "KioskScreenshot",
    "KioskSession",
    "KioskSessionEvent",
    "LoginSession",
    "PositionEvent",
    "PresenceCheckpoint",
    "ReportRun",
    "Sensor",
    "SensorReading",
    "Site",
    "User",
    "VisitorPresence",
    "Zone",
    "ZoneCapacityChange",
    "ZoneCapacityOverride",
    "ZoneState",
    "ZoneStateChange",
    "ZoneTransition",
    "utcnow",
]
