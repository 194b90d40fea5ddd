"""The kiosk's screenshots: the render loop captures its frame when asked, the frame is encoded
within the server's size limit and uploaded over HTTP with the kiosk's own token.

Panda3D belongs to the render loop's thread, so the thread that received the ``screenshot``
command only asks (:class:`FrameRequests`) and waits, a bounded time. The upload goes over
HTTP because a frame is larger than a Socket.IO message may be (docs/protocol.md).
"""

from __future__ import annotations

import io
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from immersive.kiosk.session import CommandError
from immersive.kiosk.store import StateStore

MAX_BYTES = 512 * 1024  # what the server takes (PUT /api/v1/kiosks/<id>/screenshot)
JPEG_QUALITIES = (85, 70, 50)  # tried in turn when the PNG is over the limit


@dataclass
class _Request:
    done: threading.Event = field(default_factory=threading.Event)
    frame: np.ndarray | None = None
    error: str | None = None


class FrameRequests:
    """Frame requests from any thread, answered by the render loop between two frames.

    Examples
    --------
    >>> requests = FrameRequests()
    >>> threading.Timer(0.05, requests.serve, [lambda: np.zeros((2, 3, 3), np.uint8)]).start()
    >>> requests.take(timeout_s=5).shape
    (2, 3, 3)
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: list[_Request] = []

    def take(self, timeout_s: float) -> np.ndarray:
        """The next frame the render loop captures; CommandError if none comes in time."""
        request = _Request()
        with self._lock:
            self._waiting.append(request)
        if not request.done.wait(timeout_s):
            with self._lock:
                if request in self._waiting:
                    self._waiting.remove(request)
            raise CommandError(f"the render loop gave no frame within {timeout_s:g} s")
        if request.frame is None:
            raise CommandError(f"could not capture the frame: {request.error}")
        return request.frame

    def serve(self, capture: Callable[[], np.ndarray]) -> None:
        """Capture one frame for every waiting request (called by the render loop)."""
        with self._lock:
            waiting, self._waiting = self._waiting, []
        if not waiting:
            return
        frame, error = None, None
        try:
            frame = capture()
        except Exception as exc:  # noqa: BLE001 - the asking thread reports it in its ack
            error = str(exc) or type(exc).__name__
        for request in waiting:
            request.frame, request.error = frame, error
            request.done.set()


def encode(frame: np.ndarray, max_bytes: int = MAX_BYTES) -> tuple[bytes, str]:
    """An RGB frame as PNG, or as JPEG where the PNG is over ``max_bytes``.

    Examples
    --------
    >>> data, kind = encode(np.zeros((36, 64, 3), np.uint8))
    >>> kind, data[:4]
    ('image/png', b'\\x89PNG')
    """
    from PIL import Image

    image = Image.fromarray(np.ascontiguousarray(frame), "RGB")
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=6)
    if buf.tell() <= max_bytes:
        return buf.getvalue(), "image/png"
    for quality in JPEG_QUALITIES:
        buf = io.BytesIO()
        image.save(buf, format="JPEG", quality=quality)
        if buf.tell() <= max_bytes:
            return buf.getvalue(), "image/jpeg"
    raise CommandError(f"the frame takes more than {max_bytes} bytes even as a JPEG")


def upload(server: str, kiosk_id: str, token: str, data: bytes, content_type: str,
           timeout_s: float = 10.0) -> dict[str, Any]:
    """PUT the image as the kiosk's screenshot; the server's answer, or CommandError with the
    server's reason."""
    request = urllib.request.Request(
        f"{server.rstrip('/')}/api/v1/kiosks/{kiosk_id}/screenshot", data=data, method="PUT",
        headers={"Authorization": f"Bearer {token}", "Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310
            return dict(json.loads(response.read()))
    except urllib.error.HTTPError as exc:
        raise CommandError(f"upload refused ({exc.code}): {refusal(exc.read())}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise CommandError(f"upload failed: {exc}") from None


def refusal(body: bytes) -> str:
    """The message of the server's error envelope, or the start of the body.

    Examples
    --------
    >>> refusal(b'{"error": {"code": "too_large", "message": "at most 524288 bytes"}}')
    'too_large: at most 524288 bytes'
    """
    try:
        error = json.loads(body)["error"]
        return f"{error['code']}: {error['message']}"
    except (ValueError, KeyError, TypeError):
        return body[:200].decode("utf-8", "replace")


class Screenshooter:
    """What the ``screenshot`` command does: ask the render loop for a frame, encode it and
    upload it with the kiosk's token (read from its state when asked: it changes on pairing)."""

    def __init__(self, frames: FrameRequests, store: StateStore, server: str,
                 frame_timeout_s: float = 5.0, upload_timeout_s: float = 10.0) -> None:
        self.frames, self.store, self.server = frames, store, server
        self.frame_timeout_s, self.upload_timeout_s = frame_timeout_s, upload_timeout_s

    def __call__(self) -> dict[str, Any]:
        kiosk_id, token = self.store.get("kiosk_id"), self.store.get("token")
        if not (kiosk_id and token):
            raise CommandError("this kiosk has no token to upload with")
        data, content_type = encode(self.frames.take(self.frame_timeout_s))
        return upload(self.server, kiosk_id, token, data, content_type, self.upload_timeout_s)
