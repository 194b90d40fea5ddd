"""The ``terracotta_pit`` sample: a section of Pit 1 of the Terracotta Army, with rammed-earth
partition walls, corridors of instanced warrior figures and a chariot team of horses."""

from __future__ import annotations

from typing import Any

import numpy as np

CORRIDORS = (-9.0, -3.0, 3.0, 9.0)  # x of each corridor's centre
ROWS = 9  # warriors per file along each corridor
FILES = (-0.8, 0.8)  # two files per corridor
VANGUARD = 14  # one rank across the east end


def warrior_instances(seed: int = 7) -> list[dict[str, Any]]:
    """Placements of every warrior: the vanguard rank, then the files of each corridor."""
    rng = np.random.default_rng(seed)
    spots = [(-10.4 + 1.6 * i, -17.0) for i in range(VANGUARD)]
    spots += [(cx + fx, -13.0 + 3.0 * r) for cx in CORRIDORS for r in range(ROWS) for fx in FILES]
    out = []
    for x, y in spots:
        heading = 180 + float(np.round(rng.uniform(-6, 6), 1))
        scale = float(np.round(rng.uniform(0.96, 1.04), 3))
        out.append({"pos": [round(x, 2), round(y, 2), 0], "hpr": [heading, 0, 0],
                    "scale": scale})
    return out


def terracotta_pit() -> dict[str, Any]:
    """The scene spec of the terracotta pit, as a JSON-ready dict."""
    walls = [{"pos": [x, 0, 1.6]} for x in (-6.0, 0.0, 6.0)]
    return {
        "spec_version": 1,
        "id": "terracotta_pit",
        "title": {"en": "Terracotta Army: Pit 1", "zh": "秦始皇兵马俑：一号坑"},
        "duration_s": 300,
        "background": [0.55, 0.56, 0.58],
        "materials": {
            "earth": {"color": [1, 1, 1], "texture": "textures/terracotta_rammed_earth.png",
                      "tex_scale": [10, 10]},
            "bricks": {"color": [1, 1, 1], "texture": "textures/terracotta_bricks.png",
                       "tex_scale": [8, 16]},
            "ground": {"color": [0.72, 0.6, 0.46], "texture": "textures/terracotta_rammed_earth.png",
                       "tex_scale": [10, 4]},
        },
        "models": [
            {"id": "pit_floor", "shape": "quad", "params": {"size": [24, 44]},
             "material": "bricks", "hpr": [0, -90, 0]},
            {"id": "ground_front", "shape": "box", "params": {"size": [60, 20, 4]},
             "material": "ground", "pos": [0, -32, 2]},
            {"id": "ground_back", "shape": "box", "params": {"size": [60, 20, 4]},
             "material": "ground", "pos": [0, 32, 2]},
            {"id": "ground_left", "shape": "box", "params": {"size": [18, 44, 4]},
             "material": "ground", "pos": [-21, 0, 2]},
            {"id": "ground_right", "shape": "box", "params": {"size": [18, 44, 4]},
             "material": "ground", "pos": [21, 0, 2]},
            {"id": "partition_walls", "shape": "box", "material": "earth",
             "params": {"size": [2.4, 30, 3.2]}, "instances": walls, "pos": [0, 3, 0]},
            {"id": "warriors", "shape": "warrior", "instances": warrior_instances(),
             "params": {"height": 1.85}},
            {"id": "horses", "shape": "horse", "params": {"height": 1.5},
             "instances": [{"pos": [x, 13.5, 0], "hpr": [180, 0, 0]}
                           for x in (-4.2, -3.4, -2.6, -1.8)]},
        ],
        "lights": [
            {"id": "hall", "type": "ambient", "color": [0.5, 0.48, 0.46]},
            {"id": "skylight", "type": "directional", "color": [0.6, 0.55, 0.48],
             "pos": [10, -20, 30], "look_at": [0, 0, 0]},
        ],
        "camera": {
            "fov": 60, "near": 0.1, "far": 200,
            "tour": [
                {"pos": [0, -27, 7], "look_at": [0, -5, 0], "duration_s": 8},
                {"pos": [-13, -21, 5.5], "look_at": [-3, -8, 0.5], "duration_s": 8},
                {"pos": [-4.5, -19.5, 1.9], "look_at": [-4.5, -14, 1.4], "duration_s": 7},
                {"pos": [13, -6, 5.5], "look_at": [0, 4, 0.5], "duration_s": 7},
                {"pos": [0, -12, 6], "look_at": [-3, 13.5, 0.8], "duration_s": 7},
            ],
        },
        "hotspots": [
            {"id": "vanguard", "pos": [-4.5, -19.5, 1.9], "radius": 2.5,
             "title": {"en": "The vanguard", "zh": "前锋"},
             "narration": {
                 "en": "Three ranks of archers once faced east at the head of the army.",
                 "zh": "军阵最前为三排面向东方的弓弩手。"}},
            {"id": "partition_walls", "pos": [13, -6, 5.5], "radius": 3.0,
             "title": {"en": "Rammed-earth walls", "zh": "夯土隔墙"},
             "narration": {
                 "en": "Earthen walls divide the pit into corridors once roofed with timber.",
                 "zh": "夯土隔墙将坑分为过洞，其上原覆以棚木。"}},
            {"id": "chariot", "pos": [0, -12, 6], "radius": 3.0,
             "title": {"en": "Chariot team", "zh": "战车与陶马"},
             "narration": {
                 "en": "Four terracotta horses drew each wooden chariot; the wood has decayed.",
                 "zh": "每乘木质战车驾四匹陶马，木车已朽。"}},
        ],
        "ambient_audio": {"file": "audio/terracotta_pit.wav", "volume": 0.3, "loop": True},
    }
