"""Sites, zones, experiences, tokens, impact checks and the error envelope."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


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


class Done(BaseModel):
    ok: bool


class ImpactIn(BaseModel):
    geometry: dict[str, Any] = Field(description="GeoJSON Polygon, LineString or Point (lon/lat)")
    buffer_m: float = Field(default=0, ge=0, le=5000)
    height_m: float | None = Field(default=None, ge=0, le=1000)


class ImpactOut(BaseModel):
    site_id: str
    footprint: dict[str, Any]
    buffer_m: float
    footprint_area_m2: float
    touched: list[dict[str, Any]]
    distance_to_protection_m: float | None
    rules: list[Any]
    requires_approval: bool
    limits: dict[str, Any] | None


# Preservation: sensor readings and microclimate alerts. Physical ranges: anything outside is a
# broken sensor, not a climate (CO2 above 10% of the air would not be a cave visitors enter).
