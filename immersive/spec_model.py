"""The data classes of a validated scene spec, and the tables validation checks against."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SPEC_VERSION = 1
EASINGS = ("linear", "ease_in", "ease_out", "ease_in_out", "hold")
LIGHT_TYPES = ("ambient", "directional", "point", "spot")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")

# Parameters of each model shape: name -> kind ("num", "int", "bool", "color", "vecN").
SHAPE_PARAMS: dict[str, dict[str, str]] = {
    "box": {"size": "vec3", "inward": "bool"},
    "quad": {"size": "vec2"},
    "wall_with_opening": {"size": "vec2", "opening": "vec4"},
    "truncated_pyramid": {"bottom": "vec2", "top": "vec2", "height": "num", "inward": "bool"},
    "cylinder": {
        "radius": "num", "radius_top": "num", "height": "num", "segments": "int", "caps": "bool",
    },
    "sphere": {"radius": "num", "segments": "int", "rings": "int"},
    "disc": {"radius": "num", "segments": "int"},
    "cliff": {"size": "vec2", "relief": "num", "cells": "vec2", "seed": "int"},
    "seated_figure": {
        "height": "num", "robe": "color", "skin": "color", "halo": "bool", "halo_color": "color",
    },
    "standing_figure": {
        "height": "num", "robe": "color", "skin": "color", "halo": "bool", "halo_color": "color",
    },
    "warrior": {
        "height": "num", "near": "num", "armour": "color", "robe": "color", "skin": "color",
    },
    "horse": {"height": "num", "coat": "color"},
    "group": {},
    "file": {},
}


@dataclass(frozen=True)
class Placement:
    """Where a model (or one instance of it) sits relative to its parent."""

    pos: tuple[float, ...] = (0.0, 0.0, 0.0)
    hpr: tuple[float, ...] = (0.0, 0.0, 0.0)
    scale: tuple[float, ...] = (1.0, 1.0, 1.0)


@dataclass(frozen=True)
class Material:
    name: str
    color: tuple[float, ...] = (1.0, 1.0, 1.0, 1.0)
    texture: str | None = None
    tex_scale: tuple[float, ...] = (1.0, 1.0)
    two_sided: bool = False
    unlit: bool = False


@dataclass(frozen=True)
class Model:
    id: str
    shape: str
    params: dict[str, Any]
    placement: Placement
    material: str | None = None
    parent: str | None = None
    file: str | None = None
    instances: tuple[Placement, ...] = ()


@dataclass(frozen=True)
class Light:
    id: str
    type: str
    color: tuple[float, ...]
    pos: tuple[float, ...] | None = None
    look_at: tuple[float, ...] | None = None
    attenuation: tuple[float, ...] = (1.0, 0.0, 0.0)
    fov: float = 45.0


@dataclass(frozen=True)
class Waypoint:
    pos: tuple[float, ...]
    look_at: tuple[float, ...]
    duration_s: float
    easing: str = "ease_in_out"


@dataclass(frozen=True)
class Hotspot:
    id: str
    pos: tuple[float, ...]
    radius: float
    title: dict[str, str]
    narration: dict[str, str]


@dataclass(frozen=True)
class CameraSpec:
    tour: tuple[Waypoint, ...]
    fov: float = 60.0
    near: float = 0.1
    far: float = 500.0


@dataclass(frozen=True)
class SceneSpec:
    """A validated scene spec. ``base_dir`` is where its relative file names resolve."""

    id: str
    title: dict[str, str]
    duration_s: float
    camera: CameraSpec
    base_dir: Path
    background: tuple[float, ...] = (0.0, 0.0, 0.0)
    materials: dict[str, Material] = field(default_factory=dict)
    models: tuple[Model, ...] = ()
    lights: tuple[Light, ...] = ()
    hotspots: tuple[Hotspot, ...] = ()
    ambient_audio: dict[str, Any] | None = None
    source: str = "<memory>"

    def resolve(self, rel: str) -> Path:
        """Absolute path of a file the spec names."""
        return self.base_dir / rel
