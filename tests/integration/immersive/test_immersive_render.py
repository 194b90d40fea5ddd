from __future__ import annotations

import io
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from immersive.catalog import SceneCatalog
from immersive.errors import SpecError
from immersive.offscreen import (
    OffscreenRenderer,
    View,
    project,
    render_scene_png,
    shared_renderer,
    view_at,
)
from immersive.scene import build_scene

CATALOG = SceneCatalog()
SCENES = ("mogao_cave", "longmen_niche", "terracotta_pit")


def pixels(png: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(png)) as img:
        return np.asarray(img.convert("RGB")).astype(int)


def colour_at(scene_id: str, waypoint: int, model_id: str, dz: float) -> np.ndarray:
    """Mean colour of a 5x5 patch where a model's origin (raised by dz) appears."""
    spec = CATALOG.spec(scene_id)
    img = pixels(render_scene_png(str(CATALOG.path(scene_id)), waypoint))
    scene = build_scene(spec)
    x, y, z = scene.models[model_id].get_pos(scene.root)
    where = project(view_at(spec, waypoint), (x, y, z + dz), 640, 360)
    assert where is not None, f"{model_id} is not in view"
    px, py = where
    return img[py - 2:py + 3, px - 2:px + 3].reshape(-1, 3).mean(axis=0)


@pytest.mark.parametrize("scene_id", SCENES)
@pytest.mark.parametrize("waypoint", [0, 2])
def test_every_sample_scene_renders_a_detailed_frame(scene_id, waypoint):
    img = pixels(render_scene_png(str(CATALOG.path(scene_id)), waypoint))
    assert img.shape == (360, 640, 3)
    assert img.std() > 20  # not blank, not one flat colour
    assert len(np.unique(img.reshape(-1, 3) // 16, axis=0)) > 15


def test_the_seated_buddha_wears_a_red_robe_in_the_cave_niche():
    r, g, b = colour_at("mogao_cave", 1, "buddha", 0.8)  # chest height
    assert r > g + 40 and r > b + 40


def test_the_vairocana_is_grey_limestone_under_a_blue_sky():
    r, g, b = colour_at("longmen_niche", 0, "vairocana", 8.0)
    assert abs(r - g) < 25 and abs(g - b) < 40 and r > 70
    sky = pixels(render_scene_png(str(CATALOG.path("longmen_niche")), 0))[3, 320]
    assert sky[2] > sky[0] + 20


def test_the_warriors_stand_in_terracotta_grey_brown_on_a_brick_floor():
    spec = CATALOG.spec("terracotta_pit")
    view = view_at(spec, 2)
    img = pixels(render_scene_png(str(CATALOG.path("terracotta_pit")), 2))
    scene = build_scene(spec)
    front = min(scene.instances("warriors"), key=lambda n: (n.get_pos(scene.root) -
                                                              view.pos).length())
    x, y, _ = front.get_pos(scene.root)
    px, py = project(view, (x, y, 1.25), 640, 360)
    r, g, b = img[py - 2:py + 3, px - 2:px + 3].reshape(-1, 3).mean(axis=0)
    assert r >= g >= b and 40 < r < 200  # warm earthen grey, neither black nor white


def test_rendering_the_same_view_twice_gives_the_same_pixels():
    path = str(CATALOG.path("mogao_cave"))
    first = render_scene_png(path, 3)
    render_scene_png(str(CATALOG.path("terracotta_pit")), 0)
    assert pixels(render_scene_png(path, 3)).tolist() == pixels(first).tolist()


def test_one_renderer_serves_many_sizes_and_keeps_its_engine():
    renderer = shared_renderer()
    path = str(CATALOG.path("longmen_niche"))
    small = pixels(render_scene_png(path, 1, 160, 90))
    large = pixels(render_scene_png(path, 1, 320, 180))
    assert small.shape == (90, 160, 3) and large.shape == (180, 320, 3)
    assert shared_renderer() is renderer


def test_stereo_renders_two_slightly_different_eyes_side_by_side():
    img = pixels(render_scene_png(str(CATALOG.path("mogao_cave")), 1, 640, 360, iod=0.064))
    left, right = img[:, :320], img[:, 320:]
    assert np.abs(left - right).mean() < 40  # the same scene
    assert (left != right).any()  # seen from two eyes
    wide = pixels(render_scene_png(str(CATALOG.path("mogao_cave")), 1, 640, 360, iod=0.5))
    assert np.abs(wide[:, :320] - wide[:, 320:]).mean() > np.abs(left - right).mean()


def test_an_empty_scene_renders_the_background_colour():
    renderer = OffscreenRenderer("p3tinydisplay")
    from panda3d.core import NodePath

    frame = renderer.render(NodePath("empty"), View((0, -5, 1), (0, 0, 1)), 64, 36,
                            background=(0.2, 0.4, 0.6))
    assert frame[18, 32].tolist() == pytest.approx([51, 102, 153], abs=2)
    renderer.close()


def test_the_auto_pipe_falls_back_cleanly_to_a_working_renderer():
    renderer = OffscreenRenderer("auto")
    assert renderer.pipe_name in ("TinyPanda", "OpenGL") or renderer.pipe_name
    from panda3d.core import NodePath

    assert renderer.render(NodePath("empty"), View((0, -5, 1), (0, 0, 1)), 32, 18).shape == (
        18, 32, 3)
    renderer.close()


def test_a_waypoint_out_of_range_and_a_bad_spec_are_errors(tmp_path):
    with pytest.raises(IndexError):
        render_scene_png(str(CATALOG.path("mogao_cave")), 99)
    bad = tmp_path / "scenes" / "bad.json"
    bad.parent.mkdir()
    bad.write_text('{"spec_version": 1, "id": "bad"}')
    with pytest.raises(SpecError):
        render_scene_png(str(bad))


def test_the_preview_command_writes_a_png(tmp_path):
    out = tmp_path / "cave.png"
    done = subprocess.run(
        [sys.executable, "-m", "immersive", "preview", "mogao_cave", "--waypoint", "1",
         "--out", str(out)], capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    with Image.open(out) as png:
        assert png.size == (640, 360)


def test_the_preview_command_names_a_bad_scene(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "immersive", "preview", "atlantis", "--out", str(tmp_path / "x")],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1 and "unknown scene 'atlantis'" in done.stderr
