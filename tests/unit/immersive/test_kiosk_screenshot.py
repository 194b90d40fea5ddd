"""The kiosk's ``screenshot`` command without Panda3D: the render loop answers frame requests,
the command runs outside the controller's lock, frames are encoded within the upload limit, and
the heartbeat tells how the kiosk renders."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from immersive.catalog import SceneCatalog
from immersive.kiosk.controller import KioskController
from immersive.kiosk.link import KioskLink
from immersive.kiosk.outbox import Outbox
from immersive.kiosk.program import render_facts
from immersive.kiosk.screenshot import FrameRequests, Screenshooter, encode, refusal
from immersive.kiosk.session import CommandError
from immersive.kiosk.store import StateStore


def noise(h: int, w: int, seed: int = 1) -> np.ndarray:
    """A frame no image format compresses well."""
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


class RenderLoop:
    """A thread that ticks the controller and answers frame requests, as the kiosk's render
    loop does, until stopped."""

    def __init__(self, ctl: KioskController, frames: FrameRequests, frame: np.ndarray) -> None:
        self.ctl, self.frames, self.frame = ctl, frames, frame
        self.ticks = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.is_set():
            self.ctl.tick()
            self.ticks += 1
            self.frames.serve(lambda: self.frame)
            time.sleep(0.01)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)


@pytest.fixture
def store(tmp_path: Path) -> StateStore:
    made = StateStore(tmp_path)
    made.update(kiosk_id="k-1", token="kt_secret")
    return made


def controller(tmp_path: Path, store: StateStore, screenshot=None) -> KioskController:
    return KioskController(SceneCatalog(), Outbox(tmp_path / "outbox.sqlite3"), store,
                           screenshot=screenshot)


def test_a_screenshot_is_taken_from_the_render_loop_while_the_loop_keeps_running(
        tmp_path, store) -> None:
    frames = FrameRequests()
    taken: list[np.ndarray] = []

    def shoot() -> None:
        ticks_before = loop.ticks
        taken.append(frames.take(timeout_s=5))
        time.sleep(0.1)  # an upload takes a while: the loop goes on meanwhile
        assert loop.ticks > ticks_before

    ctl = controller(tmp_path, store, screenshot=shoot)
    loop = RenderLoop(ctl, frames, noise(9, 16))
    try:
        ack = ctl.handle_command({"id": "c1", "seq": 1, "action": "screenshot", "args": {}})
    finally:
        loop.close()
    assert ack == {"ok": True}
    assert len(taken) == 1 and taken[0].shape == (9, 16, 3)


def test_a_repeated_screenshot_command_is_acknowledged_again_without_a_second_upload(
        tmp_path, store) -> None:
    calls: list[int] = []
    ctl = controller(tmp_path, store, screenshot=lambda: calls.append(1))
    command = {"id": "c1", "seq": 1, "action": "screenshot", "args": {}}
    assert ctl.handle_command(command) == {"ok": True}
    assert ctl.handle_command(command) == {"ok": True}
    assert calls == [1] and ctl.last_seq == 1


def test_a_failed_screenshot_is_acknowledged_with_the_reason(tmp_path, store) -> None:
    def refused() -> None:
        raise CommandError("upload refused (413): too_large: at most 524288 bytes")

    ctl = controller(tmp_path, store, screenshot=refused)
    ack = ctl.handle_command({"id": "c1", "seq": 1, "action": "screenshot", "args": {}})
    assert ack == {"ok": False, "error": "upload refused (413): too_large: at most 524288 bytes"}


def test_an_unexpected_failure_of_a_screenshot_still_gets_an_ack(tmp_path, store) -> None:
    def broken() -> None:
        raise OSError("disk full")

    ctl = controller(tmp_path, store, screenshot=broken)
    ack = ctl.handle_command({"id": "c1", "seq": 1, "action": "screenshot", "args": {}})
    assert ack == {"ok": False, "error": "screenshot failed: disk full"}


def test_a_kiosk_without_a_camera_refuses_a_screenshot(tmp_path, store) -> None:
    ack = controller(tmp_path, store).handle_command(
        {"id": "c1", "seq": 1, "action": "screenshot", "args": {}})
    assert ack == {"ok": False, "error": "this kiosk cannot take screenshots"}


def test_a_render_loop_that_gives_no_frame_fails_the_request_in_bounded_time() -> None:
    started = time.monotonic()
    with pytest.raises(CommandError, match="no frame within 0.2 s"):
        FrameRequests().take(timeout_s=0.2)
    assert time.monotonic() - started < 2


def test_a_capture_that_fails_is_reported_to_the_waiting_thread() -> None:
    frames = FrameRequests()

    def failing() -> np.ndarray:
        raise RuntimeError("the window has no frame to read")

    threading.Timer(0.05, frames.serve, [failing]).start()
    with pytest.raises(CommandError, match="the window has no frame to read"):
        frames.take(timeout_s=5)


def test_a_frame_is_a_png_while_it_fits_and_a_jpeg_when_the_png_is_over_the_limit() -> None:
    frame = noise(120, 160)
    small, kind = encode(frame)
    assert kind == "image/png" and len(small) > 50_000  # noise: about 3 bytes a pixel
    squeezed, kind = encode(frame, max_bytes=40_000)
    assert kind == "image/jpeg" and len(squeezed) <= 40_000
    with Image.open(io.BytesIO(squeezed)) as image:
        assert image.format == "JPEG" and image.size == (160, 120)


def test_a_frame_too_large_even_as_a_jpeg_is_refused_with_a_reason() -> None:
    with pytest.raises(CommandError, match="more than 1000 bytes even as a JPEG"):
        encode(noise(120, 160), max_bytes=1000)


def test_a_kiosk_without_a_token_cannot_upload(tmp_path) -> None:
    shooter = Screenshooter(FrameRequests(), StateStore(tmp_path), "http://127.0.0.1:9")
    with pytest.raises(CommandError, match="no token"):
        shooter()


def test_the_servers_refusal_is_read_from_its_error_envelope() -> None:
    assert refusal(b'{"error": {"code": "forbidden", "message": "not yours"}}') == \
        "forbidden: not yours"
    assert refusal(b"<html>Bad Gateway</html>") == "<html>Bad Gateway</html>"


def test_the_heartbeat_says_how_the_kiosk_renders(tmp_path, store) -> None:
    ctl = controller(tmp_path, store)
    link = KioskLink(ctl, store, "http://127.0.0.1:9", fps=lambda: 9.96,
                     render=render_facts((640, 360), 10, True))
    beat = link.heartbeat()
    assert beat["fps"] == 10.0
    assert beat["render"] == {"width": 640, "height": 360, "max_fps": 10.0, "stereo": True}
    assert render_facts((1280, 720), 0, False)["max_fps"] is None  # no cap
