"""Sites, zones, experiences, tokens, impact checks and the error envelope."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from geo.schema import STATES


class LoopState(BaseModel):
    state: Literal["ok", "stopped"]
    last_ok_s_ago: float | None = Field(description="seconds since its last success; null: none yet")
    interval_s: float
    failures: int = Field(description="failures in a row")
    last_error: str | None


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    database: str
    version: str
    loops: dict[str, LoopState] = Field(
        default_factory=dict, description="background loops of the answering process (empty "
        "until they start): presence_flush, visitor_expiry, heartbeat_flush, command_delivery, "
        "command_acks, occupancy_emit, report_queue, wal_checkpoint (SQLite)")
    stopped: list[str] = Field(default_factory=list)


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
    model_config = ConfigDict(extra="forbid")

    role: Literal["admin", "operator", "planner", "viewer", "ingest"]
    name: str | None = Field(default=None, max_length=200, description="what the token is for")
    expires_at: AwareDatetime | None = Field(default=None, description="optional; in the future")


class TokenOut(BaseModel):
    id: int
    token: str = Field(description="the secret: shown this once, stored only hashed")
    prefix: str
    role: str
    name: str | None
    expires_at: str | None


class TokenInfo(BaseModel):
    id: int
    prefix: str
    role: str
    name: str | None
    created_at: str
    last_used_at: str | None
    expires_at: str | None
    revoked_at: str | None


class TokenList(BaseModel):
    tokens: list[TokenInfo]


class ZoneStateIn(BaseModel):
    state: Literal[STATES]  # type: ignore[valid-type]
    reason: str | None = Field(default=None, max_length=500)


class ZoneStateOut(BaseModel):
    site_id: str
    zone_id: str
    state: str
    reason: str | None


class Done(BaseModel):
    ok: bool


class ImpactIn(BaseModel):
    geometry: dict[str, Any] = Field(
        description="GeoJSON Point, LineString or Polygon (or Multi-) in lon/lat; at most "
                    "LANTERN_IMPACT_MAX_VERTICES positions (default 1000), closed polygon rings")
    buffer_m: float = Field(default=0, ge=0, le=5000, description="grow the work by this (m)")
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
