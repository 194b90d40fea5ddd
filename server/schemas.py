"""Request and response models of the REST API (the OpenAPI document is built from these)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, RootModel, create_model


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
    violations: int = Field(default=0, description="entries since the zone closed")


class OccupancyOut(BaseModel):
    site_id: str
    zones: list[ZoneOccupancy]


class KioskOut(BaseModel):
    kiosk_id: str
    site_id: str | None
    name: str
    status: str
    online: bool
    scene: str | None
    state: str | None
    fps: float | None
    experience_id: str | None
    featured: str | None
    zone_id: str | None
    group: str | None
    lon: float | None = None
    lat: float | None = None
    pairing_code: str | None
    last_seen: str | None


class KioskList(BaseModel):
    kiosks: list[KioskOut]


class ApproveIn(BaseModel):
    site_id: str | None = Field(default=None, max_length=64)
    zone_id: str | None = Field(default=None, max_length=128)
    group: str | None = Field(default=None, max_length=64)


class NoArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoadSceneArgs(BaseModel):
    experience_id: str = Field(min_length=1, max_length=128)
    scene: str | None = Field(default=None, max_length=128)


class StartSessionArgs(BaseModel):
    duration_s: int = Field(gt=0, le=14400)
    session_id: str | None = Field(default=None, max_length=128)


class ExtendSessionArgs(BaseModel):
    seconds: int = Field(gt=0, le=14400)


class AnnounceArgs(BaseModel):
    text: str | dict[str, str] = Field(description="a message, or one per language (en, zh)")
    duration_s: int | None = Field(default=None, gt=0, le=3600)


class SetLanguageArgs(BaseModel):
    lang: Literal["en", "zh"]


ARGS_OF: dict[str, type[BaseModel]] = {
    "load_scene": LoadSceneArgs, "play": NoArgs, "pause": NoArgs, "start_session": StartSessionArgs,
    "extend_session": ExtendSessionArgs, "end_session": NoArgs, "announce": AnnounceArgs,
    "set_language": SetLanguageArgs,
}


def _command_models(extra: dict[str, Any], suffix: str) -> Any:
    """One model per action with its own args, joined into a union discriminated by action."""
    variants = []
    for action, args_model in ARGS_OF.items():
        default = ... if args_model.model_fields and any(
            f.is_required() for f in args_model.model_fields.values()) else Field(
            default_factory=args_model)
        name = "".join(part.title() for part in action.split("_")) + suffix
        variants.append(create_model(name, action=(Literal[action], ...),  # type: ignore[call-overload,arg-type]
                                     args=(args_model, default), **extra))
    return Annotated[Union[tuple(variants)], Field(discriminator="action")]  # noqa: UP007


class CommandIn(RootModel[_command_models({}, "Command")]):  # type: ignore[misc]
    """A kiosk command; ``args`` depend on the action (docs/protocol.md)."""

    def parts(self) -> tuple[str, dict[str, Any]]:
        return self.root.action, self.root.args.model_dump(exclude_none=True)


class GroupCommandIn(RootModel[_command_models(  # type: ignore[misc]
        {"group": (str, Field(min_length=1, max_length=64, description="a group, or * for all")),
         "exclude": (list[str], Field(default_factory=list))}, "GroupCommand")]):
    """A command for a group of kiosks minus the excluded ones."""

    def parts(self) -> tuple[str, dict[str, Any]]:
        return self.root.action, self.root.args.model_dump(exclude_none=True)


class CommandOut(BaseModel):
    id: str
    seq: int
    kiosk_id: str
    action: str
    args: dict[str, Any]


class CommandsOut(BaseModel):
    commands: list[CommandOut]


class SessionIn(BaseModel):
    duration_s: int = Field(gt=0, le=14400)
    experience_id: str | None = Field(default=None, max_length=128)


class ExtendIn(BaseModel):
    seconds: int = Field(gt=0, le=14400)


class SessionOut(BaseModel):
    id: str
    kiosk_id: str
    status: str
    duration_s: int
    experience_id: str | None
    started_at: str | None
    ends_at: str | None


class SessionList(BaseModel):
    sessions: list[SessionOut]


class Done(BaseModel):
    ok: bool


class CommandState(BaseModel):
    id: str
    seq: int
    action: str
    args: dict[str, Any]
    status: str
    attempts: int
    issued_by: str
    created_at: str
    acked_at: str | None
    result: dict[str, Any] | None


class CommandStates(BaseModel):
    commands: list[CommandState]


class KioskIn(BaseModel):
    site_id: str = Field(min_length=1, max_length=64)
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    kind: Literal["vr", "exhibition"] = "exhibition"
    name: str = Field(default="", max_length=200)
    group: str | None = Field(default=None, max_length=64)


class KioskCreated(BaseModel):
    kiosk_id: str
    token: str


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
class ReadingIn(BaseModel):
    event_id: str = Field(min_length=1, max_length=128)
    sensor_id: str = Field(min_length=1, max_length=128)
    ts: AwareDatetime
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
    state: Literal["raised", "cleared", "all"] = "raised"
    limit: int = Field(default=500, ge=1, le=5000)


class AlertList(BaseModel):
    alerts: list[AlertOut]


class PresenceChange(BaseModel):
    online: bool
    ts: str


class PresenceHistory(BaseModel):
    kiosk_id: str
    changes: list[PresenceChange]
