"""What the operators' panel reads of a venue beside zones and occupancy: sensors with their
alert thresholds, a sensor's readings over a window, zone-state history and recent activity."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from server.schemas.presence import QueryTime

READINGS_LIMIT = 5000  # readings in one answer, at most (and by default)
HISTORY_LIMIT = 5000  # zone-state changes in one answer, at most
ACTIVITY_LIMIT = 500  # activity entries in one answer, at most


class Threshold(BaseModel):
    """One alert rule of the sensor's zone, as server/domain/alerts.py applies it."""

    metric: str
    bound: Literal["max", "min"]
    limit: float
    hold_s: float = Field(description="beyond the limit this long raises the alert")
    hysteresis: float = Field(description="back inside the limit by this much, for the hold "
                              "time, clears it")


class SensorDetail(BaseModel):
    id: str
    zone_id: str
    measures: list[str]
    thresholds: list[Threshold] = Field(description="the rules of the sensor's zone for the "
                                        "metrics it measures (empty: none)")


class SensorDetailList(BaseModel):
    sensors: list[SensorDetail]


class WindowQuery(BaseModel):
    """A window of time: ``to`` defaults to now, ``from`` to a day before ``to``."""

    model_config = ConfigDict(populate_by_name=True)

    from_: QueryTime | None = Field(default=None, alias="from",
                                    description="start, inclusive (ISO 8601 with an offset)")
    to: QueryTime | None = Field(default=None, description="end, exclusive (default now)")


class ReadingsQuery(WindowQuery):
    limit: int = Field(default=READINGS_LIMIT, ge=1, le=READINGS_LIMIT,
                       description="at most this many readings; more are thinned evenly")


class ReadingRow(BaseModel):
    ts: str
    temperature_c: float | None
    relative_humidity: float | None
    co2_ppm: float | None


class SensorReadings(BaseModel):
    sensor_id: str
    zone_id: str
    readings: list[ReadingRow] = Field(description="oldest first")
    truncated: bool = Field(description="more readings lay in the window: these are every "
                            "k-th of them, evenly spread over it, and the newest")


class ZoneStateHistoryQuery(WindowQuery):
    zone: str | None = Field(default=None, max_length=128, description="only this zone's")
    limit: int = Field(default=500, ge=1, le=HISTORY_LIMIT, description="at most this many, "
                       "newest first")


class ZoneStateChangeOut(BaseModel):
    zone_id: str
    state: str
    reason: str | None
    changed_by: str | None
    at: str


class ZoneStateHistory(BaseModel):
    changes: list[ZoneStateChangeOut] = Field(description="the changes in the window, newest "
                                              "first")
    before: list[ZoneStateChangeOut] = Field(default_factory=list, description="each zone's "
                                             "last change before the window: its state as the "
                                             "window opens")


class ActivityQuery(BaseModel):
    limit: int = Field(default=50, ge=1, le=ACTIVITY_LIMIT, description="at most this many, "
                       "newest first")


class ActivityEntry(BaseModel):
    at: str
    kind: Literal["command", "zone_state", "alert", "kiosk", "session"]
    actor: str | None = Field(description="who: a user or token name, 'system', or the kiosk")
    subject: str | None = Field(description="what it concerns: a kiosk, zone or alert id")
    details: dict[str, Any] = Field(description="structured, to be worded by the reader "
                                    "(docs/alerts.md lists the keys of each kind)")


class ActivityList(BaseModel):
    activity: list[ActivityEntry]
