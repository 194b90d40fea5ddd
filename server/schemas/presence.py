"""Positions, occupancy, sensor readings and alerts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
)
from typing_extensions import TypedDict

Id = Annotated[str, Field(min_length=1, max_length=128)]
# numbers only (not "94.8", not true), finite and in range: a swapped or garbled coordinate is
# refused, not classified
Lon = Annotated[float, Strict(), Field(ge=-180, le=180, allow_inf_nan=False)]
Lat = Annotated[float, Strict(), Field(ge=-90, le=90, allow_inf_nan=False)]


def _text_only(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError("a time is an ISO 8601 string with a UTC offset, e.g. "
                         "2026-11-23T10:15:00+08:00")
    return value


# an ISO 8601 string with an offset, as the document says: not a number of seconds (pydantic
# would otherwise read 0 as 1970), and in both JSON and Python input (the /ingest namespace)
Timestamp = Annotated[AwareDatetime, BeforeValidator(_text_only)]


def _iso_text(value: Any) -> Any:
    """A query's time is text too, but all query values are: a number in it is refused here,
    where pydantic would read "0.5" as half a second after 1970."""
    try:
        datetime.fromisoformat(_text_only(value))
    except ValueError:
        raise ValueError("a time is an ISO 8601 string with a UTC offset, e.g. "
                         "2026-11-23T10:15:00+08:00") from None
    return value


def _in_utc(value: datetime) -> datetime:
    """In UTC, where the database compares times; a time that UTC cannot hold (the first or
    last hours of the calendar) becomes its first or last instant."""
    try:
        return value.astimezone(UTC)
    except OverflowError:
        return (datetime.min if value.year == 1 else datetime.max).replace(tzinfo=UTC)


QueryTime = Annotated[AwareDatetime, BeforeValidator(_iso_text),  # for query strings
                      AfterValidator(_in_utc)]


class PositionRow(TypedDict):
    """One position as the ingest path validates it: straight to a dict, no model objects
    (the same fields and limits as ``PositionIn``, which documents it in OpenAPI)."""

    event_id: Id
    visitor_id: Id
    ts: Timestamp
    lon: Lon
    lat: Lat


class PositionsBatch(TypedDict):
    positions: list[PositionRow]


class PositionIn(BaseModel):
    event_id: str = Field(min_length=1, max_length=128)
    visitor_id: str = Field(min_length=1, max_length=128)
    ts: Timestamp = Field(description="when the position was taken, with a UTC offset; "
                              "refused outside the accepted window (docs/protocol.md)")
    lon: Lon
    lat: Lat


class PositionsIn(BaseModel):
    positions: list[PositionIn]


class PositionResult(BaseModel):
    event_id: str
    zone_id: str | None
    duplicate: bool


class PositionsOut(BaseModel):
    accepted: int
    duplicates: int
    results: list[PositionResult]


class ZoneOccupancy(BaseModel):
    zone_id: str
    count: int
    capacity: int | None
    state: str
    level: str
    violations: int = Field(default=0, description="entries since the zone closed, and at "
                            "least the visitors inside a zone nobody may be in (capacity 0)")


class SiteFigures(BaseModel):
    """The site at a glance (docs/presence.md)."""

    count: int = Field(description="visitors on site now (in any of its zones)")
    capacity: int | None = Field(description="the site's instantaneous capacity")
    level: str = Field(description="the site's tier at that load (LB/T 034-2014)")
    today: int = Field(description="distinct visitors since local midnight, in the site's "
                       "timezone (counted at most every LANTERN_VISITORS_TODAY_REFRESH_S)")
    daily_capacity: int | None
    day: str = Field(description="the site's local date, ISO 8601")


class OccupancyOut(BaseModel):
    site_id: str
    zones: list[ZoneOccupancy]
    site: SiteFigures


class ReadingIn(BaseModel):
    event_id: str = Field(min_length=1, max_length=128)
    sensor_id: str = Field(min_length=1, max_length=128)
    ts: Timestamp
    temperature_c: float | None = Field(default=None, ge=-60, le=80, allow_inf_nan=False)
    relative_humidity: float | None = Field(default=None, ge=0, le=100, allow_inf_nan=False)
    co2_ppm: float | None = Field(default=None, ge=0, le=100_000, allow_inf_nan=False)


class ReadingsIn(BaseModel):
    readings: list[ReadingIn]


class AlertOut(BaseModel):
    id: int
    site_id: str
    zone_id: str | None
    kind: str
    metric: str | None
    subject: str | None
    state: str
    value: float | None
    threshold: float | None
    message: str
    raised_at: str
    cleared_at: str | None
    acknowledged_at: str | None
    acknowledged_by: str | None


class AlertChange(AlertOut):
    change: str = Field(description="raised, cleared or acknowledged")


class ReadingsOut(BaseModel):
    accepted: int
    duplicates: int
    alerts: list[AlertChange]


class AlertQuery(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    state: Literal["raised", "cleared", "all"] = "raised"
    kind: str | None = Field(default=None, max_length=32,
                             description="only this kind: microclimate, capacity, kiosk_offline")
    zone: str | None = Field(default=None, max_length=128, description="only this zone's")
    acknowledged: bool | None = Field(default=None, description="only acknowledged (true) or "
                                      "unacknowledged (false) alerts")
    from_: QueryTime | None = Field(default=None, alias="from",
                                    description="only alerts raised at or after this time")
    to: QueryTime | None = Field(default=None, description="only alerts raised before this time")
    limit: int = Field(default=100, ge=1, le=1000, description="at most this many, newest first")


class AlertList(BaseModel):
    alerts: list[AlertOut]
