"""The kiosk's Panda3D program: shows the controller's scene, camera, texts and fps.

The only module of the package that uses ShowBase. All decisions live in
:class:`~immersive.kiosk.controller.KioskController`; this class draws them.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from direct.gui.OnscreenText import OnscreenText
from direct.showbase.ShowBase import ShowBase
from panda3d.core import (
    Camera,
    Filename,
    NodePath,
    PerspectiveLens,
    TextNode,
    load_prc_file_data,
)

from immersive.kiosk.controller import KioskController
from immersive.kiosk.screenshot import FrameRequests
from immersive.offscreen import lens_fov
from immersive.scene import BuiltScene, build_scene

CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "C:/Windows/Fonts/msyh.ttc",
    "/System/Library/Fonts/PingFang.ttc",
)


def configure(headless: bool, size: tuple[int, int], software: bool) -> None:
    """Panda3D settings; must run before the ShowBase is made."""
    lines = [f"win-size {size[0]} {size[1]}", "window-title Lantern kiosk", "sync-video false",
             "notify-level-display error", "notify-level-device fatal"]
    if headless:
        lines += ["window-type offscreen", "audio-library-name null"]
    if headless or software:
        lines.append("load-display p3tinydisplay")
    load_prc_file_data("immersive-kiosk", "\n".join(lines) + "\n")


class KioskApp(ShowBase):
    """One window (or offscreen buffer) showing what the controller says."""

    def __init__(
        self,
        controller: KioskController,
        headless: bool = False,
        size: tuple[int, int] = (1280, 720),
        iod: float | None = None,
        font: str | None = None,
        software: bool = False,
        frames: FrameRequests | None = None,
    ) -> None:
        configure(headless, size, software)
        super().__init__(windowType="offscreen" if headless else None)
        self.controller = controller
        self.frames = frames
        self.size = size
        self.scene: BuiltScene | None = None
        self.audio = None
        self.fps = 0.0
        self._frames: list[float] = []
        self.disable_mouse()
        self._eyes = self._stereo(iod) if iod is not None else []
        self._font = self._load_font(font)
        self.texts = {
            name: OnscreenText(text="", pos=pos, scale=scale, fg=(1, 1, 1, 1),
                               shadow=(0, 0, 0, 0.8), bg=bg, align=TextNode.A_center,
                               mayChange=True, font=self._font, parent=self.aspect2d)
            for name, pos, scale, bg in (
                ("banner", (0, 0.85), 0.07, (0.45, 0.1, 0.05, 0.8)),
                ("title", (0, 0.7), 0.06, (0, 0, 0, 0)),
                ("narration", (0, -0.72), 0.05, (0, 0, 0, 0.55)),
                ("status", (0, -0.93), 0.04, (0, 0, 0, 0)),
            )
        }
        self.task_mgr.add(self._frame, "kiosk-frame")
        # after the frame is drawn (ShowBase draws at sort 50): a request gets that frame
        self.task_mgr.add(self._serve_frames, "kiosk-screenshots", sort=60)

    def _load_font(self, path: str | None):  # noqa: ANN202 - panda3d TextFont or None
        for candidate in ([path] if path else []) + list(CJK_FONTS):
            if candidate and Path(candidate).is_file():
                font = self.loader.load_font(candidate)
                if font is not None and font.is_valid():
                    return font
        return None

    def _stereo(self, iod: float) -> list[NodePath]:
        """Side-by-side stereo: two cameras ``iod`` metres apart, one on each half."""
        self.cam.node().set_active(False)
        eyes = []
        aspect = self.size[0] / 2 / self.size[1]
        for k, (left, right) in enumerate(((0.0, 0.5), (0.5, 1.0))):
            lens = PerspectiveLens()
            lens.set_aspect_ratio(aspect)
            eye = self.camera.attach_new_node(Camera(f"eye{k}", lens))
            eye.set_x((k - 0.5) * iod)
            region = self.win.make_display_region(left, right, 0.0, 1.0)
            region.set_camera(eye)
            region.set_sort(-1)
            eyes.append(eye)
        return eyes

    def _apply_scene(self) -> None:
        spec = self.controller.spec
        if spec is None or (self.scene is not None and self.scene.spec is spec):
            return
        if self.scene is not None:
            self.scene.root.remove_node()
        if self.audio is not None:
            self.audio.stop()
            self.audio = None
        self.scene = build_scene(spec)
        self.scene.root.reparent_to(self.render)
        self.set_background_color(*spec.background, 1.0)
        lenses = [e.node().get_lens() for e in self._eyes] or [self.cam.node().get_lens()]
        for lens in lenses:
            lens.set_fov(*lens_fov(spec.camera.fov, lens.get_aspect_ratio()))
            lens.set_near_far(spec.camera.near, spec.camera.far)
        audio = spec.ambient_audio
        if audio and audio.get("file") and self.sfxManagerList:
            sound = self.loader.load_sfx(str(spec.resolve(audio["file"])))
            if sound is not None:
                sound.set_loop(bool(audio.get("loop", True)))
                sound.set_volume(float(audio.get("volume", 0.5)))
                sound.play()
                self.audio = sound

    def _frame(self, task):  # noqa: ANN001, ANN202 - the task manager's signature
        now = time.perf_counter()
        self._frames = [t for t in self._frames if now - t < 2.0] + [now]
        if len(self._frames) > 1:
            self.fps = (len(self._frames) - 1) / (self._frames[-1] - self._frames[0])
        ctl = self.controller
        ctl.tick()
        self._apply_scene()
        pose = ctl.camera_pose()
        if pose is not None:
            self.camera.set_pos(*pose[0])
            self.camera.look_at(*pose[1])
        self._draw_texts()
        return task.cont

    def _draw_texts(self) -> None:
        ctl = self.controller
        spec = ctl.spec
        banner = ctl.banner_text() or ""
        title = ""
        if ctl.pairing:
            title = f"Pairing code 配对码: {ctl.pairing.get('code', '')}"
        elif spec is not None and ctl.state == "attract":
            title = spec.title[ctl.language]
        narration = ctl.narration()
        text = f"{narration['title']}\n{narration['text']}" if narration else ""
        left = ctl.session_left_s()
        status = [] if ctl.online else [f"offline: {ctl.refused}" if ctl.refused else "offline"]
        if left is not None:
            status.append(f"{int(left) // 60}:{int(left) % 60:02d}")
        for name, value in (("banner", banner), ("title", title), ("narration", text),
                            ("status", "  ".join(status))):
            if self.texts[name].text != value:
                self.texts[name].text = value

    def _serve_frames(self, task):  # noqa: ANN001, ANN202 - the task manager's signature
        if self.frames is not None:
            self.frames.serve(self.capture)
        return task.cont

    def capture(self) -> np.ndarray:
        """The last drawn frame as RGB rows, top row first (both eyes side by side in stereo)."""
        texture = self.win.get_screenshot()
        if texture is None:
            raise RuntimeError("the window has no frame to read")
        w, h = texture.get_x_size(), texture.get_y_size()
        pixels = np.frombuffer(bytes(texture.get_ram_image_as("RGB")), np.uint8)
        return pixels.reshape(h, w, 3)[::-1]

    def save_frame(self, path: str) -> bool:
        """Write the last rendered frame to an image file."""
        return bool(self.win.save_screenshot(Filename.from_os_specific(path)))

    def run_frames(self, frames: int) -> float:
        """Render ``frames`` frames now; return the measured frames per second."""
        start = time.perf_counter()
        for _ in range(frames):
            self.task_mgr.step()
        return frames / (time.perf_counter() - start)
