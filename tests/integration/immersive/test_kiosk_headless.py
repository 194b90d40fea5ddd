"""The kiosk program run headless with no server reachable: it keeps working offline."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[3]


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens once the socket is closed


def kiosk(*args: str) -> list[str]:
    return [sys.executable, "-m", "immersive", "kiosk", "--server", closed_port_url(),
            "--headless", "--size", "320x180", "--max-fps", "20", *args]


def test_the_kiosk_runs_offline_shows_its_scene_and_keeps_it_for_the_next_start(tmp_path):
    state = tmp_path / "state"
    shot = tmp_path / "frame.png"
    done = subprocess.run(
        kiosk("--kiosk-id", "k-1", "--token", "t", "--state-dir", str(state),
              "--scene", "mogao_cave", "--run-for", "3", "--screenshot", str(shot)),
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "server not reachable" in done.stderr  # it tried, backed off, and kept going
    saved = json.loads((state / "state.json").read_text())
    assert saved["scene"] == "mogao_cave" and saved["kiosk_id"] == "k-1"
    assert (state / "outbox.sqlite3").exists()
    with Image.open(shot) as img:
        frame = np.asarray(img.convert("RGB")).astype(int)
    assert frame.shape == (180, 320, 3) and frame.std() > 20
    again = subprocess.run(
        kiosk("--state-dir", str(state), "--run-for", "1"),  # stored credentials and scene
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert again.returncode == 0, again.stderr


def test_the_kiosk_renders_side_by_side_stereo(tmp_path):
    shot = tmp_path / "stereo.png"
    done = subprocess.run(
        kiosk("--kiosk-id", "k-1", "--token", "t", "--state-dir", str(tmp_path / "s"),
              "--scene", "longmen_niche", "--stereo", "--iod", "0.064", "--run-for", "2",
              "--screenshot", str(shot)),
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    with Image.open(shot) as img:
        frame = np.asarray(img.convert("RGB")).astype(int)
    left, right = frame[:, :160], frame[:, 160:]
    assert np.abs(left - right).mean() < 40 and (left != right).any()


def test_the_kiosk_stops_cleanly_on_sigterm(tmp_path):
    proc = subprocess.Popen(
        kiosk("--pair", "--name", "Hall A", "--state-dir", str(tmp_path / "s")),
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(4)
        assert proc.poll() is None
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_the_kiosk_needs_credentials_or_pairing(tmp_path):
    done = subprocess.run(kiosk("--state-dir", str(tmp_path / "s"), "--run-for", "1"),
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "give --kiosk-id and --token, or --pair" in done.stderr
