"""The ``longmen_niche`` sample: a Longmen-style open cliff niche like Fengxian Temple (奉先寺),
with a colossal seated Vairocana and attendant figures cut from the limestone cliff."""

from __future__ import annotations

from typing import Any

STONE = [0.68, 0.65, 0.58]
STONE_LIGHT = [0.74, 0.71, 0.64]


def _cliff(model_id: str, width: float, height: float, seed: int, **place: Any) -> dict:
    return {"id": model_id, "shape": "cliff", "material": "limestone",
            "params": {"size": [width, height], "relief": 2.0,
                       "cells": [max(4, int(width / 2.5)), max(4, int(height / 2.5))],
                       "seed": seed}, **place}


def _figure(model_id: str, shape: str, height: float, pos: list, heading: float) -> dict:
    return {"id": model_id, "shape": shape, "pos": pos, "hpr": [heading, 0, 0],
            "params": {"height": height, "robe": STONE, "skin": STONE_LIGHT,
                       "halo_color": [0.64, 0.61, 0.55]}}


def longmen_niche() -> dict[str, Any]:
    """The scene spec of the Longmen cliff niche, as a JSON-ready dict."""
    return {
        "spec_version": 1,
        "id": "longmen_niche",
        "title": {"en": "Longmen: the Fengxian Temple niche", "zh": "龙门石窟：奉先寺"},
        "duration_s": 300,
        "background": [0.62, 0.74, 0.86],
        "materials": {
            "limestone": {"color": [1, 1, 1], "texture": "textures/longmen_limestone.png",
                          "tex_scale": [3, 2]},
            "terrace": {"color": [0.8, 0.78, 0.72], "texture": "textures/longmen_limestone.png",
                        "tex_scale": [6, 2]},
            "plaza": {"color": [0.55, 0.6, 0.45], "texture": "textures/longmen_limestone.png",
                      "tex_scale": [8, 8]},
        },
        "models": [
            {"id": "plaza", "shape": "quad", "params": {"size": [120, 60]}, "material": "plaza",
             "pos": [0, -30, 0], "hpr": [0, -90, 0]},
            {"id": "terrace", "shape": "quad", "params": {"size": [36, 14]},
             "material": "terrace", "pos": [0, 6, 0.02], "hpr": [0, -90, 0]},
            _cliff("back_cliff", 38, 24, 3, pos=[0, 13, 0]),
            _cliff("left_cliff", 13, 24, 5, pos=[-18, 6.5, 0], hpr=[90, 0, 0]),
            _cliff("right_cliff", 13, 24, 7, pos=[18, 6.5, 0], hpr=[-90, 0, 0]),
            _cliff("outer_cliff_left", 40, 28, 9, pos=[-38, 0, 0]),
            _cliff("outer_cliff_right", 40, 28, 11, pos=[38, 0, 0]),
            {"id": "pedestal", "shape": "box", "material": "limestone",
             "params": {"size": [9, 7, 1.2]}, "pos": [0, 8.5, 0.6]},
            _figure("vairocana", "seated_figure", 17.0, [0, 9.2, 1.2], 0),
            _figure("disciple_kasyapa", "standing_figure", 10.0, [-7, 9.5, 0], 8),
            _figure("disciple_ananda", "standing_figure", 10.0, [7, 9.5, 0], -8),
            _figure("bodhisattva_left", "standing_figure", 13.0, [-11.5, 9.0, 0], 15),
            _figure("bodhisattva_right", "standing_figure", 13.0, [11.5, 9.0, 0], -15),
            _figure("heavenly_king_left", "standing_figure", 10.5, [-15.5, 4.5, 0], 55),
            _figure("heavenly_king_right", "standing_figure", 10.5, [15.5, 4.5, 0], -55),
            _figure("guardian_left", "standing_figure", 9.5, [-16, 0.8, 0], 70),
            _figure("guardian_right", "standing_figure", 9.5, [16, 0.8, 0], -70),
        ],
        "lights": [
            {"id": "sky", "type": "ambient", "color": [0.45, 0.46, 0.5]},
            {"id": "sun", "type": "directional", "color": [0.75, 0.7, 0.6],
             "pos": [-30, -40, 40], "look_at": [0, 10, 0]},
        ],
        "camera": {
            "fov": 60, "near": 0.2, "far": 400,
            "tour": [
                {"pos": [0, -42, 5], "look_at": [0, 8, 9], "duration_s": 8},
                {"pos": [0, -16, 3], "look_at": [0, 8, 11], "duration_s": 8},
                {"pos": [-2, -5, 6], "look_at": [0, 8, 13], "duration_s": 7},
                {"pos": [5, -3, 4], "look_at": [-12, 6, 7], "duration_s": 7},
                {"pos": [-5, -3, 4], "look_at": [12, 6, 7], "duration_s": 7},
            ],
        },
        "hotspots": [
            {"id": "vairocana", "pos": [-1, -5, 5], "radius": 5.0,
             "title": {"en": "Vairocana Buddha", "zh": "卢舍那大佛"},
             "narration": {
                 "en": "The Vairocana Buddha, over seventeen metres high, was completed in 675 "
                       "under Emperor Gaozong of Tang.",
                 "zh": "卢舍那大佛通高十七米余，唐高宗上元二年（675年）完工。"}},
            {"id": "disciples", "pos": [5, -3, 4], "radius": 3.0,
             "title": {"en": "Disciples and bodhisattvas", "zh": "弟子与菩萨"},
             "narration": {
                 "en": "Kasyapa and Ananda stand beside the Buddha, then two bodhisattvas.",
                 "zh": "大佛两侧依次为迦叶、阿难二弟子和二菩萨。"}},
            {"id": "guardians", "pos": [-5, -3, 4], "radius": 3.0,
             "title": {"en": "Heavenly kings and guardians", "zh": "天王与力士"},
             "narration": {
                 "en": "On the side walls a heavenly king and a guardian protect the niche.",
                 "zh": "南北两壁各雕一天王、一力士，护卫佛法。"}},
        ],
        "ambient_audio": {"file": "audio/longmen_niche.wav", "volume": 0.3, "loop": True},
    }
