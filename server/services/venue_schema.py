"""The venue folder format (venues/<site>/...) as pydantic models; every problem is collected."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from geo.schema import KINDS as ZONE_KINDS
from geo.schema import STATES as ZONE_STATES
from server.domain.alerts import METRICS
from server.domain.fleet import KIOSK_KINDS


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow")


class Tier(_Model):
    level: str
    ratio: float = Field(ge=0)


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
