"""Scene previews: PNGs rendered in child processes, at most N at once, cached by spec hash.

A render runs ``python -m immersive preview`` in its own process with a wall-clock timeout, so a
crashing or hanging renderer costs one request an error, never the server.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from server import errors


class PreviewFailed(errors.LanternError):
    """The renderer crashed or ran out of time."""

    code = "render_failed"


class Previews:
    def __init__(self, assets: Path, cache_dir: Path, workers: int, timeout_s: float) -> None:
        self.assets, self.cache_dir, self.timeout_s = assets, cache_dir, timeout_s
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
            cmd = [sys.executable, "-m", "immersive", "preview", str(spec), "--waypoint",
                   str(waypoint), "--size", f"{width}x{height}", "--out", str(out)]
            try:
                done = subprocess.run(cmd, capture_output=True, text=True, timeout=self.timeout_s)
            except subprocess.TimeoutExpired:
                raise PreviewFailed(f"rendering {scene} took longer than {self.timeout_s} s") from None
            if done.returncode != 0 or not out.exists():
                last = (done.stderr.strip().splitlines() or ["no output"])[-1]
                raise PreviewFailed(f"rendering {scene} failed: {last[:300]}")
            data = out.read_bytes()
        cached.write_bytes(data)
        return data
