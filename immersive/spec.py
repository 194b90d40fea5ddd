"""Scene specs: a versioned JSON format for an experience's scene, and its validation.

A spec lives at ``assets_sample/scenes/<scene_id>.json``; files it names (textures, audio,
models) are relative to the assets folder, the parent of ``scenes/``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from immersive.errors import SpecError, SpecProblem
from immersive.spec_checks import Checker
from immersive.spec_model import (
    ID_PATTERN,
    SPEC_VERSION,
    CameraSpec,
    Hotspot,
    Light,
    Material,
    Model,
    Placement,
    SceneSpec,
    Waypoint,
)
from immersive.spec_parts import (
    read_audio,
    read_camera,
    read_hotspots,
    read_lights,
    read_materials,
    read_models,
)

__all__ = [
    "SPEC_VERSION", "CameraSpec", "Hotspot", "Light", "Material", "Model", "Placement",
    "SceneSpec", "Waypoint", "load_spec", "validate_spec",
]

def load_spec(path: str | Path) -> SceneSpec:
    """Read and validate a scene spec file.

    Parameters
    ----------
    path : str or Path
        ``.../scenes/<scene_id>.json``; the assets folder is the parent of ``scenes/``.

    Returns
    -------
    SceneSpec

    Raises
    ------
    SpecError
        Naming the file and every problem (JSON path and message) at once.

    Examples
    --------
    >>> from immersive.catalog import DEFAULT_ASSETS
    >>> load_spec(DEFAULT_ASSETS / "scenes" / "mogao_cave.json").id
    'mogao_cave'
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(str(path), [SpecProblem("$", "file not found")]) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SpecError(str(path), [SpecProblem("$", f"not readable JSON: {exc}")]) from None
    base_dir = path.resolve().parent.parent
    return validate_spec(data, base_dir=base_dir, source=str(path), expected_id=path.stem)


def validate_spec(
    data: Any, base_dir: Path | None = None, source: str = "<memory>",
    expected_id: str | None = None,
) -> SceneSpec:
    """Validate a decoded spec; collect every problem, then raise or return the spec.

    Examples
    --------
    >>> try:
    ...     validate_spec({"spec_version": 1})
    ... except SpecError as exc:
    ...     print(exc.problems[0])
    $.id: is required
    """
    c = Checker(base_dir)
    if not isinstance(data, dict):
        raise SpecError(source, [SpecProblem("$", "should be an object")])
    c.unknown_keys(data, {
        "spec_version", "id", "title", "duration_s", "background", "materials", "models",
        "lights", "camera", "hotspots", "ambient_audio",
    }, "$")
    version = data.get("spec_version")
    if version != SPEC_VERSION:
        c.add("$.spec_version", f"should be {SPEC_VERSION}, got {version!r}")
    scene_id = c.string(data, "id", "$")
    if scene_id is not None and not ID_PATTERN.match(scene_id):
        c.add("$.id", "should be lower-case letters, digits, '_' or '-'")
    if scene_id is not None and expected_id is not None and scene_id != expected_id:
        c.add("$.id", f"should match the file name {expected_id!r}, got {scene_id!r}")
    title = c.i18n(data, "title", "$")
    duration = c.number(data, "duration_s", "$", lo=1)
    background = c.vector(data, "background", "$", 3, default=(0.0, 0.0, 0.0), lo=0, hi=1)
    materials = read_materials(c, data)
    models = read_models(c, data, materials)
    lights = read_lights(c, data)
    camera = read_camera(c, data)
    hotspots = read_hotspots(c, data)
    audio = read_audio(c, data)
    if c.problems:
        raise SpecError(source, c.problems)
    assert camera is not None and title is not None
    return SceneSpec(
        id=scene_id, title=title, duration_s=float(duration), camera=camera,
        base_dir=base_dir or Path("."), background=background or (0.0, 0.0, 0.0),
        materials=materials, models=tuple(models), lights=tuple(lights),
        hotspots=tuple(hotspots), ambient_audio=audio, source=source,
    )
