"""The venue folder format (venues/<site>/...) as pydantic models; every problem is collected."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from geo.schema import KINDS as ZONE_KINDS
from geo.schema import STATES as ZONE_STATES
from server.domain.alerts import METRICS
from server.domain.fleet import KIOSK_KINDS


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow")


class Tier(_Model):
    level: str
    ratio: float = Field(ge=0)


def _number(*, gt: float | None = None, ge: float | None = None, le: float | None = None,
            default: Any = ...) -> Any:
    """A checked number: finite, neither a string nor a boolean."""
    return Field(default, gt=gt, ge=ge, le=le, strict=True, allow_inf_nan=False)


Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Count = Annotated[int, Field(strict=True)]
Minutes = tuple[Number, Number]  # [low, high], in minutes
CLOCK = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


def _ordered(pair: Minutes | None, name: str) -> None:
    if pair is not None and not 0 <= pair[0] <= pair[1]:
        raise ValueError(f"{name} must be [low, high] with 0 <= low <= high, got {list(pair)}")


class Hours(_Model):
    """Opening hours (site-local clock, HH:MM) for the months listed (default: every month)."""

    months: list[int] = Field(default_factory=lambda: list(range(1, 13)), min_length=1)
    open: str = Field(pattern=CLOCK)
    close: str = Field(pattern=CLOCK)
    last_entry: str = Field(pattern=CLOCK)

    @model_validator(mode="after")
    def _in_order(self) -> Hours:
        if not self.open < self.last_entry <= self.close:
            raise ValueError(f"hours must run open < last_entry <= close, got {self.open}, "
                             f"{self.last_entry}, {self.close}")
        if any(not 1 <= m <= 12 for m in self.months):
            raise ValueError(f"months must lie in 1..12, got {self.months}")
        return self


class Parties(_Model):
    """How visitors come: the share in tour groups, and the sizes of groups and parties."""

    tour_group_share: float = _number(ge=0, le=1, default=0.0)
    tour_group_size: tuple[Count, Count] = (20, 40)
    party_size: tuple[Count, Count] = (1, 5)

    @model_validator(mode="after")
    def _sizes(self) -> Parties:
        for name in ("tour_group_size", "party_size"):
            low, high = getattr(self, name)
            if not 1 <= low <= high:
                raise ValueError(f"{name} must be [low, high] with 1 <= low <= high")
        return self


class RouteStep(_Model):
    """A visitor area on the route, visited by ``share`` of the parties."""

    area: str
    share: float = _number(ge=0, le=1, default=1.0)
    transfer_min: Minutes | None = None  # to walk (or ride) there, and back to the gate
    wander_min: Minutes | None = None    # spent in the area besides its modelled stops

    @model_validator(mode="after")
    def _pairs(self) -> RouteStep:
        _ordered(self.transfer_min, "transfer_min")
        _ordered(self.wander_min, "wander_min")
        return self


class StopSpec(_Model):
    """A zone inside a route area that parties enter: the share that does, and for how long."""

    share: float | None = _number(ge=0, le=1, default=None)
    minutes: Minutes | None = None

    @model_validator(mode="after")
    def _pair(self) -> StopSpec:
        _ordered(self.minutes, "minutes")
        return self


class Visiting(_Model):
    """The visiting pattern the history generator follows (docs/history.md)."""

    hours: list[Hours] = Field(min_length=1)
    typical_daily_visitors: int = Field(gt=0, strict=True)
    gate: str
    parties: Parties = Field(default_factory=Parties)
    route: list[RouteStep] = Field(min_length=1)
    stops: dict[str, StopSpec] = {}

    def zone_refs(self) -> list[tuple[str, str]]:
        """(where, zone id) of every zone the pattern names."""
        return ([("visiting.gate", self.gate)]
                + [(f"visiting.route[{i}].area", r.area) for i, r in enumerate(self.route)]
                + [("visiting.stops", z) for z in self.stops])


class Climate(_Model):
    """Outdoor climate normals of a site, for the history's cave microclimate."""

    temperature_mean_c: float = _number()
    temperature_seasonal_amplitude_c: float = _number(ge=0)
    temperature_daily_range_c: float = _number(ge=0)
    relative_humidity_mean: float = _number(gt=0, le=100)
    relative_humidity_daily_range: float = _number(ge=0, le=100)
    co2_ppm: float = _number(gt=0, default=420.0)


class SiteConfig(_Model):
    id: str = Field(pattern=r"^[a-z0-9_\-]+$")
    name_en: str
    name_zh: str
    basin_id: str | None = None
    timezone: str
    center: tuple[float, float]
    daily_capacity: int | None = Field(default=None, ge=0)
    instantaneous_capacity: int | None = Field(default=None, ge=0)
    capacity_tiers: list[Tier] = Field(min_length=1)
    density_per_m2: float = Field(default=0.5, gt=0)
    reopen: Literal["operator", "auto"] = "operator"
    restricted_capacity_ratio: float = Field(default=0.5, gt=0, le=1)
    visitor_timeout_s: int = Field(default=900, gt=0)
    content_rules: list[dict[str, Any]] = []
    visiting: Visiting | None = None
    climate: Climate | None = None


class ZoneProps(_Model):
    id: str
    parent_id: str | None = None
    kind: Literal[ZONE_KINDS]  # type: ignore[valid-type]
    name_en: str
    name_zh: str
    capacity: int | None = Field(default=None, ge=0)
    state: Literal[ZONE_STATES] = "open"  # type: ignore[valid-type]
    thresholds: dict[str, Any] | None = None
    substitute_experience: str | None = None
    neighbours: list[str] = []
    volume_m3: float | None = _number(gt=0, default=None)
    air_exchange_per_h: float | None = _number(gt=0, default=None)


class SensorSpec(_Model):
    id: str
    zone_id: str
    measures: list[Literal[METRICS]] = Field(min_length=1)  # type: ignore[valid-type]


class ExperienceSpec(_Model):
    id: str
    title_en: str
    title_zh: str
    scene: str
    kind: Literal[KIOSK_KINDS] = KIOSK_KINDS[0]  # type: ignore[valid-type]
    duration_s: int = Field(gt=0)
    substitute_for: str | None = None


class KioskSpec(_Model):
    id: str
    name: str = ""
    zone_id: str | None = None
    lon: float
    lat: float
    kind: Literal[KIOSK_KINDS] = KIOSK_KINDS[0]  # type: ignore[valid-type]
    group: str | None = None


def visiting_problems(site: SiteConfig, features: list[Any]) -> list[str]:
    """What is wrong with the zones a site's visiting pattern names (unknown, not a visitor
    area, a stop outside the route, no access)."""
    if site.visiting is None:
        return []
    props = {str(p.get("id")): p for f in features
             if isinstance(f, dict) and isinstance(p := f.get("properties"), dict)}
    problems = [f"{where} names unknown zone {zid!r}" for where, zid in site.visiting.zone_refs()
                if zid not in props]
    areas = [r.area for r in site.visiting.route]
    problems += [f"visiting.route names {a!r}, which is not a visitor_area" for a in areas
                 if a in props and props[a].get("kind") != "visitor_area"]
    gate = props.get(site.visiting.gate)
    if gate is not None and gate.get("parent_id") != areas[0]:
        problems.append(f"visiting.gate {site.visiting.gate!r} must lie in the route's first "
                        f"area {areas[0]!r}")
    for zid in site.visiting.stops:
        zone = props.get(zid)
        if zone is not None and zone.get("parent_id") not in areas:
            problems.append(f"visiting.stops names {zid!r}, which lies in no area of the route")
        if zone is not None and zone.get("capacity") == 0:
            problems.append(f"visiting.stops names {zid!r}, which has no access (capacity 0)")
    return problems


@dataclass
class Problem:
    file: str
    feature: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}" + (f" [{self.feature}]" if self.feature else "")
        return f"{where}: {self.message}"


@dataclass
class SiteBundle:
    folder: Path
    site: SiteConfig | None = None
    zones: dict[str, Any] | None = None  # the FeatureCollection as read
    sensors: list[SensorSpec] = field(default_factory=list)
    experiences: list[ExperienceSpec] = field(default_factory=list)
    kiosks: list[KioskSpec] = field(default_factory=list)


def read_json(path: Path, problems: list[Problem]) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(Problem(str(path), None, "file is missing"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        problems.append(Problem(str(path), None, f"not valid JSON: {exc}"))
    return None


def parse(model: type[_Model], data: Any, file: Path, feature: str | None,
          problems: list[Problem]) -> Any:
    """Validate ``data`` as ``model``; on failure add one problem a field and return None."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"]) or "(root)"
            problems.append(Problem(str(file), feature, f"{loc}: {err['msg']}"))
    return None
