"""Scene previews: PNGs rendered in child processes, at most N at once, cached by spec hash.

A render runs ``python -m immersive preview`` in its own process (:mod:`server.services.sandbox`) with a
wall-clock and a memory limit, so a crashing, hanging or bloating renderer costs one request an
error, never the server.
"""

from __future__ import annotations

import hashlib
import tempfile
import threading
from pathlib import Path

from server import errors
from server.services import sandbox


class PreviewFailed(errors.LanternError):
    """The renderer crashed or ran out of time."""

    code = "render_failed"


class Previews:
    def __init__(self, assets: Path, cache_dir: Path, workers: int, timeout_s: float,
                 memory_mb: int) -> None:
        self.assets, self.cache_dir, self.timeout_s = assets, cache_dir, timeout_s
        self.memory_mb = memory_mb
        self.slots = threading.BoundedSemaphore(max(1, workers))

    def spec_path(self, scene: str) -> Path:
        path = self.assets / "scenes" / f"{scene}.json"
        if not path.is_file():
            raise errors.NotFound(f"no scene spec {scene!r} in {self.assets / 'scenes'}")
        return path

    def png(self, scene: str, waypoint: int, width: int = 640, height: int = 360) -> bytes:
        """The preview of ``scene`` at ``waypoint``; rendered once per spec content and size."""
        spec = self.spec_path(scene)
        key = hashlib.sha256(spec.read_bytes() + f"|{waypoint}|{width}x{height}".encode()).hexdigest()
        cached = self.cache_dir / f"{key}.png"
        if cached.exists():
            return cached.read_bytes()
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        with self.slots, tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "preview.png"
            args = ["preview", str(spec), "--waypoint", str(waypoint), "--size",
                    f"{width}x{height}", "--out", str(out)]
            try:
                sandbox.run("immersive", args, timeout_s=self.timeout_s, memory_mb=self.memory_mb)
            except sandbox.ChildFailed as exc:
                raise PreviewFailed(f"rendering {scene} {exc}") from None
            if not out.exists():
                raise PreviewFailed(f"rendering {scene} failed: the renderer wrote no picture")
            data = out.read_bytes()
        cached.write_bytes(data)
        return data
