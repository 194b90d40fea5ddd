"""Request and response models of the REST API (the OpenAPI document is built from these)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, Field


class Health(BaseModel):
    status: str
    database: str
    version: str


class Tier(BaseModel):
    level: str
    ratio: float


class SiteOut(BaseModel):
    id: str
    name_en: str
    name_zh: str
    basin_id: str | None
    basin_name_en: str | None = None
    timezone: str
    center: tuple[float, float]
    daily_capacity: int | None
    instantaneous_capacity: int | None
    capacity_tiers: list[Tier]
    zones_version: int


class SiteList(BaseModel):
    sites: list[SiteOut]


class FeatureCollection(BaseModel):
    type: str = "FeatureCollection"
    features: list[dict[str, Any]]
    zones_version: int | None = None


class ErrorBody(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorEnvelope(BaseModel):
    error: ErrorBody


class SensorOut(BaseModel):
    id: str
    zone_id: str
    measures: list[str]


class SensorList(BaseModel):
    sensors: list[SensorOut]


class ExperienceOut(BaseModel):
    id: str
    site_id: str
    title_en: str
    title_zh: str
    scene: str
    kind: str
    duration_s: int
    substitute_for: str | None


class ExperienceList(BaseModel):
    experiences: list[ExperienceOut]


class TokenRequest(BaseModel):
    role: Literal["admin", "operator", "planner", "viewer", "ingest"]
    name: str | None = Field(default=None, max_length=200)


class TokenOut(BaseModel):
    token: str
    role: str


class ZoneStateIn(BaseModel):
    state: Literal["open", "closed", "restricted"]
    reason: str | None = Field(default=None, max_length=500)


class ZoneStateOut(BaseModel):
    site_id: str
    zone_id: str
    state: str
    reason: str | None


class PositionIn(BaseModel):
    event_id: str = Field(min_length=1, max_length=128)
    visitor_id: str = Field(min_length=1, max_length=128)
    ts: AwareDatetime
    lon: float
    lat: float


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


class OccupancyOut(BaseModel):
    site_id: str
    zones: list[ZoneOccupancy]
