"""The project's sample assets, made by its own generator (``python -m immersive build-assets``).

Deterministic: the same bytes every run. Scenes are built from spec primitives at load time,
so the assets are only the specs, textures and tiny ambient loops.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from immersive.samples.audio import AUDIO
from immersive.samples.longmen import longmen_niche
from immersive.samples.mogao import mogao_cave
from immersive.samples.terracotta import terracotta_pit
from immersive.samples.textures import TEXTURES, png_bytes

SCENES: dict[str, Callable[[], dict[str, Any]]] = {
    "mogao_cave": mogao_cave,
    "longmen_niche": longmen_niche,
    "terracotta_pit": terracotta_pit,
}


def spec_json(spec: dict[str, Any]) -> bytes:
    """Serialise a spec the same way every time (UTF-8, Chinese kept readable)."""
    return (json.dumps(spec, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def build_assets(out_dir: str | Path) -> list[Path]:
    """Write every sample asset under ``out_dir``; return the files written, sorted.

    Examples
    --------
    >>> import tempfile
    >>> files = build_assets(tempfile.mkdtemp())
    >>> sorted(p.name for p in files if p.suffix == ".json")
    ['longmen_niche.json', 'mogao_cave.json', 'terracotta_pit.json']
    """
    out = Path(out_dir)
    blobs: dict[str, bytes] = {}
    for rel, make_texture in TEXTURES.items():
        blobs[rel] = png_bytes(make_texture())
    for rel, make_audio in AUDIO.items():
        blobs[rel] = make_audio()
    for scene_id, make_spec in SCENES.items():
        blobs[f"scenes/{scene_id}.json"] = spec_json(make_spec())
    written = []
    for rel, data in sorted(blobs.items()):
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
        written.append(path)
    return written
