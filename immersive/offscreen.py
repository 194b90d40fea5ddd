"""Offscreen rendering of scenes to pixels and PNG, in software where there is no GPU.

One :class:`OffscreenRenderer` holds a graphics engine and its buffers and can render many
frames; :func:`render_scene_png` keeps one per process so that a worker pool reuses it.
"""

from __future__ import annotations

import io
import math
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from panda3d.core import (
    Camera,
    FrameBufferProperties,
    GraphicsEngine,
    GraphicsOutput,
    GraphicsPipe,
    GraphicsPipeSelection,
    LPoint2f,
    LPoint3f,
    NodePath,
    PerspectiveLens,
    Texture,
    WindowProperties,
    load_prc_file_data,
)
from PIL import Image

from immersive.errors import RenderError
from immersive.scene import BuiltScene, build_scene
from immersive.spec import SceneSpec, load_spec
from immersive.tour import pose_at, waypoint_time

PIPES = ("p3tinydisplay", "p3headlessgl")
load_prc_file_data("immersive-offscreen", "notify-level-display error\n")


@dataclass
class View:
    """Where the camera is and what it sees."""

    pos: tuple[float, float, float]
    look_at: tuple[float, float, float]
    fov: float = 60.0
    near: float = 0.1
    far: float = 500.0


class _Target:
    """One offscreen buffer of a size, with one (mono) or two (side-by-side) cameras."""

    def __init__(self, engine: GraphicsEngine, pipe: GraphicsPipe, w: int, h: int, stereo: bool):
        fb = FrameBufferProperties()
        fb.set_rgb_color(True)
        fb.set_color_bits(24)
        fb.set_depth_bits(24)
        flags = GraphicsPipe.BF_refuse_window
        self.buffer = engine.make_output(
            pipe, f"offscreen-{w}x{h}", 0, fb, WindowProperties.size(w, h), flags, None, None
        )
        if self.buffer is None:
            raise RenderError(f"no {w}x{h} offscreen buffer on pipe {pipe.get_interface_name()}")
        self.texture = Texture("frame")
        self.buffer.add_render_texture(self.texture, GraphicsOutput.RTM_copy_ram)
        self.rig = NodePath("camera-rig")
        self.lenses: list[PerspectiveLens] = []
        self.cameras: list[NodePath] = []
        halves = ((0.0, 0.5), (0.5, 1.0)) if stereo else ((0.0, 1.0),)
        for k, (left, right) in enumerate(halves):
            lens = PerspectiveLens()
            lens.set_aspect_ratio((right - left) * w / h)
            cam = self.rig.attach_new_node(Camera(f"eye{k}", lens))
            region = self.buffer.make_display_region(left, right, 0.0, 1.0)
            region.set_camera(cam)
            self.lenses.append(lens)
            self.cameras.append(cam)
        self.size = (w, h)


class OffscreenRenderer:
    """Renders scene graphs into offscreen buffers and hands back RGB arrays or PNG bytes.

    Parameters
    ----------
    pipe : str
        ``"p3tinydisplay"`` (software, always here), ``"p3headlessgl"`` (EGL) or ``"auto"``
        (EGL where a buffer can be made, else software).

    Examples
    --------
    >>> renderer = OffscreenRenderer("p3tinydisplay")
    >>> frame = renderer.render(NodePath("empty"), View((0, -5, 1), (0, 0, 1)), 64, 36)
    >>> frame.shape
    (36, 64, 3)
    """

    def __init__(self, pipe: str = "p3tinydisplay") -> None:
        names = PIPES[::-1] if pipe == "auto" else (pipe,)
        self.engine: GraphicsEngine | None = None
        problems = []
        for name in names:
            made = GraphicsPipeSelection.get_global_ptr().make_module_pipe(name)
            if made is None:
                problems.append(f"{name}: not available")
                continue
            engine = GraphicsEngine(made)
            try:
                self.pipe, self.engine = made, engine
                self._targets: dict[tuple[int, int, bool], _Target] = {}
                self._target(16, 16, False)
                break
            except RenderError as exc:
                problems.append(f"{name}: {exc}")
                engine.remove_all_windows()
                self.engine = None
        if self.engine is None:
            raise RenderError("no offscreen graphics pipe: " + "; ".join(problems))
        self.pipe_name = self.pipe.get_interface_name()

    def _target(self, w: int, h: int, stereo: bool) -> _Target:
        key = (w, h, stereo)
        if key not in self._targets:
            assert self.engine is not None
            self._targets[key] = _Target(self.engine, self.pipe, w, h, stereo)
        return self._targets[key]

    def render(
        self,
        root: NodePath,
        view: View,
        width: int = 640,
        height: int = 360,
        background: tuple[float, ...] = (0.0, 0.0, 0.0),
        iod: float | None = None,
    ) -> np.ndarray:
        """Render ``root`` seen from ``view``; ``iod`` (metres) renders side-by-side stereo."""
        if width < 1 or height < 1:
            raise ValueError(f"width and height should be positive, got {width}x{height}")
        assert self.engine is not None
        target = self._target(width, height, iod is not None)
        target.rig.reparent_to(root)
        target.rig.set_pos(*view.pos)
        target.rig.look_at(*view.look_at)
        for k, (lens, cam) in enumerate(zip(target.lenses, target.cameras, strict=True)):
            lens.set_fov(*lens_fov(view.fov, lens.get_aspect_ratio()))
            lens.set_near_far(view.near, view.far)
            cam.set_x(0.0 if iod is None else (k - 0.5) * iod)
        target.buffer.set_clear_color((*background[:3], 1.0))
        try:
            self.engine.render_frame()
            self.engine.sync_frame()
            data = target.texture.get_ram_image_as("RGB")
        finally:
            target.rig.detach_node()
        frame = np.frombuffer(bytes(data), np.uint8).reshape(height, width, 3)
        return frame[::-1].copy()

    def close(self) -> None:
        """Release every buffer."""
        if self.engine is not None:
            self.engine.remove_all_windows()
            self._targets.clear()


def lens_fov(fov: float, aspect: float) -> tuple[float, float]:
    """Horizontal and vertical field of view for an aspect ratio.

    A spec's ``fov`` is the horizontal field of a 16:9 view; other aspects (a stereo half,
    a portrait kiosk) keep the same vertical field.

    Examples
    --------
    >>> [round(v, 1) for v in lens_fov(60.0, 16 / 9)]
    [60.0, 36.0]
    """
    vertical = 2 * math.atan(math.tan(math.radians(fov) / 2) / (16 / 9))
    horizontal = 2 * math.atan(math.tan(vertical / 2) * aspect)
    return math.degrees(horizontal), math.degrees(vertical)


def project(view: View, point: tuple[float, float, float], width: int, height: int
            ) -> tuple[int, int] | None:
    """Pixel (x right, y down) where a world point appears in a mono frame, or None.

    Examples
    --------
    >>> project(View((0, -5, 0), (0, 0, 0)), (0, 0, 0), 640, 360)
    (320, 180)
    """
    lens = PerspectiveLens()
    lens.set_aspect_ratio(width / height)
    lens.set_fov(*lens_fov(view.fov, width / height))
    lens.set_near_far(view.near, view.far)
    rig = NodePath("eye")
    rig.set_pos(*view.pos)
    rig.look_at(*view.look_at)
    local = rig.get_relative_point(NodePath(), LPoint3f(*point))
    film = LPoint2f()
    if not lens.project(local, film):
        return None
    return (round((film.x + 1) / 2 * width), round((1 - film.y) / 2 * height))


def encode_png(frame: np.ndarray) -> bytes:
    """PNG bytes of an RGB frame (fast compression: previews are made often)."""
    buf = io.BytesIO()
    Image.fromarray(frame, "RGB").save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def view_at(spec: SceneSpec, waypoint: int = 0) -> View:
    """The camera view at a waypoint of a scene's tour.

    Examples
    --------
    >>> from immersive.catalog import SceneCatalog
    >>> view_at(SceneCatalog().spec("mogao_cave"), 0).fov
    70.0
    """
    t = waypoint_time(spec.camera.tour, waypoint)
    pos, look = pose_at(spec.camera.tour, t)
    cam = spec.camera
    return View(pos, look, cam.fov, cam.near, cam.far)


@lru_cache(maxsize=1)
def shared_renderer() -> OffscreenRenderer:
    """The process's renderer, made on first use (a worker process keeps it warm)."""
    return OffscreenRenderer("p3tinydisplay")


_SCENES: OrderedDict[tuple[str, int], BuiltScene] = OrderedDict()


def cached_scene(spec_path: str | Path, keep: int = 8) -> BuiltScene:
    """Build a spec's scene once per file version (path and modification time)."""
    path = Path(spec_path).resolve()
    key = (str(path), path.stat().st_mtime_ns)
    if key not in _SCENES:
        _SCENES[key] = build_scene(load_spec(path))
        while len(_SCENES) > keep:
            _SCENES.popitem(last=False)
    _SCENES.move_to_end(key)
    return _SCENES[key]


def render_scene_png(
    spec_path: str, waypoint: int = 0, width: int = 640, height: int = 360,
    iod: float | None = None,
) -> bytes:
    """Render a scene spec at a waypoint of its camera tour to PNG bytes, in software.

    Safe to call many times in one process: the engine, buffers and built scenes are reused.

    Parameters
    ----------
    spec_path : str
        Path of ``<assets>/scenes/<scene_id>.json``.
    waypoint : int
        Index into the spec's ``camera.tour``.
    width, height : int
        Size of the image in pixels.
    iod : float, optional
        Interocular distance in metres; renders side-by-side stereo when given.

    Raises
    ------
    SpecError
        If the spec is invalid. ``IndexError`` if the waypoint is out of range.

    Examples
    --------
    >>> from immersive.catalog import SceneCatalog
    >>> png = render_scene_png(str(SceneCatalog().path("mogao_cave")), waypoint=1)
    >>> png[:4]
    b'\\x89PNG'
    """
    scene = cached_scene(spec_path)
    view = view_at(scene.spec, waypoint)
    frame = shared_renderer().render(
        scene.root, view, width, height, scene.spec.background, iod=iod
    )
    return encode_png(frame)
