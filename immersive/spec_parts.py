"""Readers for the sections of a scene spec (materials, models, lights, camera, hotspots)."""

from __future__ import annotations

from typing import Any

from immersive.spec_checks import MISSING, Checker
from immersive.spec_model import (
    EASINGS,
    ID_PATTERN,
    LIGHT_TYPES,
    SHAPE_PARAMS,
    CameraSpec,
    Hotspot,
    Light,
    Material,
    Model,
    Placement,
    Waypoint,
)


def read_materials(c: Checker, data: dict) -> dict[str, Material]:
    raw = c.obj(data, "materials", "$", required=False) or {}
    out: dict[str, Material] = {}
    for name, mat in raw.items():
        path = f"$.materials.{name}"
        if not isinstance(mat, dict):
            c.add(path, "should be an object")
            continue
        c.unknown_keys(mat, {"color", "texture", "tex_scale", "two_sided", "unlit"}, path)
        color = mat.get("color", [1, 1, 1, 1])
        size = len(color) if isinstance(color, list) and len(color) in (3, 4) else 4
        rgba = c.check_vector(color, f"{path}.color", size, 0, 1)
        out[name] = Material(
            name=name,
            color=(rgba + (1.0,) if rgba and len(rgba) == 3 else rgba) or (1, 1, 1, 1),
            texture=c.file(mat, "texture", path, required=False),
            tex_scale=c.vector(mat, "tex_scale", path, 2, default=(1.0, 1.0), lo=0.001)
            or (1.0, 1.0),
            two_sided=c.boolean(mat, "two_sided", path, False),
            unlit=c.boolean(mat, "unlit", path, False),
        )
    return out


def read_placement(c: Checker, raw: dict, path: str) -> Placement:
    pos = c.vector(raw, "pos", path, 3, default=(0.0, 0.0, 0.0))
    hpr = c.vector(raw, "hpr", path, 3, default=(0.0, 0.0, 0.0))
    scale_raw = raw.get("scale", 1.0)
    if isinstance(scale_raw, list):
        scale = c.check_vector(scale_raw, f"{path}.scale", 3, lo=1e-6)
    else:
        s = c.check_number(scale_raw, f"{path}.scale", lo=1e-6)
        scale = (float(s),) * 3 if s is not None else None
    return Placement(pos or (0, 0, 0), hpr or (0, 0, 0), scale or (1, 1, 1))


def read_params(c: Checker, shape: str, raw: Any, path: str) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        c.add(path, "should be an object")
        return {}
    kinds = SHAPE_PARAMS[shape]
    out: dict[str, Any] = {}
    for key, value in raw.items():
        where = f"{path}.{key}"
        kind = kinds.get(key)
        if kind is None:
            c.add(where, f"unknown parameter of shape {shape!r} (known: {sorted(kinds)})")
        elif kind == "bool":
            out[key] = c.boolean(raw, key, path, False)
        elif kind == "num":
            out[key] = c.check_number(value, where, lo=0)
        elif kind == "int":
            out[key] = c.check_number(value, where, lo=0, integer=True)
        elif kind == "color":
            out[key] = c.check_vector(value, where, 3, 0, 1)
        else:
            out[key] = c.check_vector(value, where, int(kind[3:]))
    return {k: v for k, v in out.items() if v is not None}


def read_models(c: Checker, data: dict, materials: dict[str, Material]) -> list[Model]:
    out: list[Model] = []
    seen: set[str] = set()
    raw_models = c.array(data, "models", "$")
    known_ids = {m.get("id") for m in raw_models if isinstance(m, dict)}
    for i, raw in enumerate(raw_models):
        path = f"$.models[{i}]"
        if not isinstance(raw, dict):
            c.add(path, "should be an object")
            continue
        c.unknown_keys(raw, {"id", "shape", "params", "material", "pos", "hpr", "scale",
                             "parent", "file", "instances"}, path)
        model_id = c.string(raw, "id", path)
        if model_id is not None:
            if model_id in seen:
                c.add(f"{path}.id", f"duplicate model id {model_id!r}")
            seen.add(model_id)
        shape = c.string(raw, "shape", path, choices=SHAPE_PARAMS)
        params = read_params(c, shape, raw.get("params"), f"{path}.params") if shape else {}
        material = c.string(raw, "material", path, default=None)
        if material is not None and material not in materials:
            c.add(f"{path}.material", f"unknown material {material!r}")
        parent = c.string(raw, "parent", path, default=None)
        if parent is not None and (parent not in known_ids or parent == model_id):
            c.add(f"{path}.parent", f"unknown model id {parent!r}")
        file = c.file(raw, "file", path, required=shape == "file")
        instances = tuple(
            read_placement(c, inst, f"{path}.instances[{j}]")
            if isinstance(inst, dict) else Placement()
            for j, inst in enumerate(c.array(raw, "instances", path, required=False))
        )
        out.append(Model(
            id=model_id or f"model{i}", shape=shape or "box", params=params,
            placement=read_placement(c, raw, path), material=material, parent=parent,
            file=file, instances=instances,
        ))
    return out


def read_lights(c: Checker, data: dict) -> list[Light]:
    out: list[Light] = []
    for i, raw in enumerate(c.array(data, "lights", "$")):
        path = f"$.lights[{i}]"
        if not isinstance(raw, dict):
            c.add(path, "should be an object")
            continue
        c.unknown_keys(raw, {"id", "type", "color", "pos", "look_at", "attenuation", "fov"}, path)
        kind = c.string(raw, "type", path, choices=LIGHT_TYPES)
        needs_pos = kind in ("point", "spot")
        out.append(Light(
            id=c.string(raw, "id", path) or f"light{i}",
            type=kind or "ambient",
            color=c.vector(raw, "color", path, 3, lo=0) or (1, 1, 1),
            pos=c.vector(raw, "pos", path, 3, default=MISSING if needs_pos else None),
            look_at=c.vector(raw, "look_at", path, 3,
                             default=MISSING if kind in ("directional", "spot") else None),
            attenuation=c.vector(raw, "attenuation", path, 3, default=(1, 0, 0), lo=0)
            or (1, 0, 0),
            fov=float(c.number(raw, "fov", path, default=45.0, lo=1, hi=179) or 45.0),
        ))
    return out


def read_camera(c: Checker, data: dict) -> CameraSpec | None:
    cam = c.obj(data, "camera", "$")
    if cam is None:
        return None
    c.unknown_keys(cam, {"fov", "near", "far", "tour"}, "$.camera")
    fov = c.number(cam, "fov", "$.camera", default=60.0, lo=10, hi=150)
    near = c.number(cam, "near", "$.camera", default=0.1, lo=0.001)
    far = c.number(cam, "far", "$.camera", default=500.0, lo=0.01)
    if near is not None and far is not None and far <= near:
        c.add("$.camera.far", f"should be greater than near ({near})")
    tour = c.array(cam, "tour", "$.camera")
    if not tour and isinstance(cam.get("tour"), list):
        c.add("$.camera.tour", "needs at least one waypoint")
    waypoints: list[Waypoint] = []
    for i, raw in enumerate(tour):
        path = f"$.camera.tour[{i}]"
        if not isinstance(raw, dict):
            c.add(path, "should be an object")
            continue
        c.unknown_keys(raw, {"pos", "look_at", "duration_s", "easing"}, path)
        pos = c.vector(raw, "pos", path, 3)
        look = c.vector(raw, "look_at", path, 3)
        if pos is not None and pos == look:
            c.add(f"{path}.look_at", "should differ from pos")
        waypoints.append(Waypoint(
            pos=pos or (0, 0, 0), look_at=look or (0, 1, 0),
            duration_s=float(c.number(raw, "duration_s", path, lo=0) or 0.0),
            easing=c.string(raw, "easing", path, default="ease_in_out", choices=EASINGS)
            or "ease_in_out",
        ))
    if waypoints and sum(w.duration_s for w in waypoints) <= 0:
        c.add("$.camera.tour", "total duration_s should be > 0")
    return CameraSpec(tour=tuple(waypoints), fov=float(fov or 60.0), near=float(near or 0.1),
                      far=float(far or 500.0))


def read_hotspots(c: Checker, data: dict) -> list[Hotspot]:
    out: list[Hotspot] = []
    seen: set[str] = set()
    for i, raw in enumerate(c.array(data, "hotspots", "$", required=False)):
        path = f"$.hotspots[{i}]"
        if not isinstance(raw, dict):
            c.add(path, "should be an object")
            continue
        c.unknown_keys(raw, {"id", "pos", "radius", "title", "narration"}, path)
        hid = c.string(raw, "id", path)
        if hid is not None:
            if not ID_PATTERN.match(hid):
                c.add(f"{path}.id", "should be lower-case letters, digits, '_' or '-'")
            if hid in seen:
                c.add(f"{path}.id", f"duplicate hotspot id {hid!r}")
            seen.add(hid)
        out.append(Hotspot(
            id=hid or f"hotspot{i}", pos=c.vector(raw, "pos", path, 3) or (0, 0, 0),
            radius=float(c.number(raw, "radius", path, lo=0.01) or 1.0),
            title=c.i18n(raw, "title", path) or {}, narration=c.i18n(raw, "narration", path) or {},
        ))
    return out


def read_audio(c: Checker, data: dict) -> dict[str, Any] | None:
    raw = c.obj(data, "ambient_audio", "$", required=False)
    if raw is None:
        return None
    c.unknown_keys(raw, {"file", "volume", "loop"}, "$.ambient_audio")
    return {
        "file": c.file(raw, "file", "$.ambient_audio"),
        "volume": c.number(raw, "volume", "$.ambient_audio", default=0.5, lo=0, hi=1),
        "loop": c.boolean(raw, "loop", "$.ambient_audio", True),
    }
