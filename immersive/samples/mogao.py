"""The ``mogao_cave`` sample: a Mogao-style cave with a truncated-pyramid (覆斗) ceiling,
a central niche with a seated Buddha and two attendants, and procedural murals."""

from __future__ import annotations

from typing import Any

W, D, H = 8.0, 8.0, 3.2  # floor width (x), depth (y), wall height


def mogao_cave() -> dict[str, Any]:
    """The scene spec of the Mogao cave, as a JSON-ready dict."""
    return {
        "spec_version": 1,
        "id": "mogao_cave",
        "title": {"en": "Mogao Cave: the central niche", "zh": "莫高窟：中心龛"},
        "duration_s": 300,
        "background": [0.03, 0.02, 0.02],
        "materials": {
            "mural_wall": {"color": [1, 1, 1], "texture": "textures/mogao_thousand_buddhas.png",
                           "tex_scale": [1, 1]},
            "mural_ceiling": {"color": [1, 1, 1], "texture": "textures/mogao_apsaras.png"},
            "caisson": {"color": [1, 1, 1], "texture": "textures/mogao_caisson.png"},
            "floor": {"color": [0.9, 0.85, 0.8], "texture": "textures/mogao_floor.png",
                      "tex_scale": [4, 4]},
            "niche": {"color": [0.95, 0.85, 0.75], "texture": "textures/mogao_apsaras.png",
                      "tex_scale": [0.5, 1]},
            "niche_frame": {"color": [0.62, 0.2, 0.12]},
        },
        "models": [
            {"id": "floor", "shape": "quad", "params": {"size": [W, D]}, "material": "floor",
             "hpr": [0, -90, 0]},
            {"id": "back_wall", "shape": "wall_with_opening", "material": "mural_wall",
             "params": {"size": [W, H], "opening": [-1.4, 1.4, 0.6, 3.0]}, "pos": [0, D / 2, 0]},
            {"id": "left_wall", "shape": "quad", "params": {"size": [D, H]},
             "material": "mural_wall", "pos": [-W / 2, 0, H / 2], "hpr": [90, 0, 0]},
            {"id": "right_wall", "shape": "quad", "params": {"size": [D, H]},
             "material": "mural_wall", "pos": [W / 2, 0, H / 2], "hpr": [-90, 0, 0]},
            {"id": "front_wall", "shape": "wall_with_opening", "material": "mural_wall",
             "params": {"size": [W, H], "opening": [-0.8, 0.8, 0.0, 2.2]},
             "pos": [0, -D / 2, 0], "hpr": [180, 0, 0]},
            {"id": "ceiling", "shape": "truncated_pyramid", "material": "mural_ceiling",
             "params": {"bottom": [W, D], "top": [2.4, 2.4], "height": 2.6, "inward": True},
             "pos": [0, 0, H]},
            {"id": "caisson", "shape": "quad", "params": {"size": [2.4, 2.4]},
             "material": "caisson", "pos": [0, 0, H + 2.6], "hpr": [0, 90, 0]},
            {"id": "niche", "shape": "group", "pos": [0, D / 2, 0]},
            {"id": "niche_shell", "parent": "niche", "shape": "box", "material": "niche",
             "params": {"size": [2.8, 1.8, 2.4], "inward": True}, "pos": [0, 0.9, 1.8]},
            {"id": "niche_pillars", "parent": "niche", "shape": "cylinder",
             "material": "niche_frame",
             "params": {"radius": 0.12, "height": 2.4, "segments": 8},
             "instances": [{"pos": [-1.5, -0.1, 0.6]}, {"pos": [1.5, -0.1, 0.6]}]},
            {"id": "niche_lintel", "parent": "niche", "shape": "box", "material": "niche_frame",
             "params": {"size": [3.4, 0.25, 0.3]}, "pos": [0, -0.1, 3.1]},
            {"id": "buddha", "parent": "niche", "shape": "seated_figure",
             "params": {"height": 2.2, "robe": [0.62, 0.2, 0.12], "skin": [0.86, 0.7, 0.45]},
             "pos": [0, 0.85, 0.6]},
            {"id": "attendants", "parent": "niche", "shape": "standing_figure",
             "params": {"height": 1.5, "robe": [0.2, 0.5, 0.42]},
             "instances": [{"pos": [-1.05, 0.6, 0.6], "hpr": [-20, 0, 0]},
                           {"pos": [1.05, 0.6, 0.6], "hpr": [20, 0, 0]}]},
        ],
        "lights": [
            {"id": "ambient", "type": "ambient", "color": [0.42, 0.37, 0.32]},
            {"id": "doorway", "type": "directional", "color": [0.55, 0.48, 0.38],
             "pos": [0, -D / 2, 2.5], "look_at": [0, D / 2, 1.0]},
            {"id": "lamp", "type": "point", "color": [0.5, 0.38, 0.22], "pos": [0, 1.5, 2.2],
             "attenuation": [1, 0, 0.05]},
        ],
        "camera": {
            "fov": 70, "near": 0.05, "far": 60,
            "tour": [
                {"pos": [0, -3.5, 1.6], "look_at": [0, 4.8, 1.8], "duration_s": 6},
                {"pos": [0, 0.5, 1.5], "look_at": [0, 4.8, 1.9], "duration_s": 6},
                {"pos": [-1.5, 1.5, 1.5], "look_at": [-4, 0.6, 2.0], "duration_s": 6},
                {"pos": [0, -0.5, 1.4], "look_at": [0, 0.3, 6.0], "duration_s": 6},
                {"pos": [1.5, 1.5, 1.5], "look_at": [4, 0.6, 2.0], "duration_s": 6},
            ],
        },
        "hotspots": [
            {"id": "central_niche", "pos": [0, 2.0, 1.6], "radius": 2.0,
             "title": {"en": "The central niche", "zh": "中心龛"},
             "narration": {
                 "en": "A seated Buddha with two attendants sits in the niche of the west wall.",
                 "zh": "西壁龛内塑一佛二弟子，佛结跏趺坐于莲花座上。"}},
            {"id": "thousand_buddhas", "pos": [-2.5, 1.0, 1.6], "radius": 1.5,
             "title": {"en": "The thousand Buddhas", "zh": "千佛"},
             "narration": {
                 "en": "Rows of small Buddhas cover the walls, their colours shifting in steps.",
                 "zh": "四壁满绘千佛，色彩依次递变。"}},
            {"id": "caisson", "pos": [0, -0.5, 1.4], "radius": 1.0,
             "title": {"en": "Caisson ceiling", "zh": "覆斗顶藻井"},
             "narration": {
                 "en": "The truncated-pyramid ceiling rises to a lotus caisson; apsaras fly "
                       "on its slopes.",
                 "zh": "覆斗形窟顶中央为莲花藻井，四披绘飞天。"}},
        ],
        "ambient_audio": {"file": "audio/mogao_cave.wav", "volume": 0.4, "loop": True},
    }
