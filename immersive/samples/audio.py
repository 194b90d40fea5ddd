"""Tiny deterministic ambient loops (8 kHz, 8-bit mono WAV, two seconds)."""

from __future__ import annotations

import io
import wave
from collections.abc import Callable

import numpy as np

RATE = 8000


def ambient_wav(tones: tuple[float, ...], noise: float, seed: int, seconds: float = 2.0) -> bytes:
    """A soft drone of ``tones`` (Hz) with a little filtered noise, as WAV bytes.

    Examples
    --------
    >>> ambient_wav((110.0,), 0.1, seed=1)[:4]
    b'RIFF'
    """
    n = int(RATE * seconds)
    t = np.arange(n) / RATE
    signal = sum(np.sin(2 * np.pi * f * t) / (k + 1) for k, f in enumerate(tones))
    rng = np.random.default_rng(seed)
    hiss = np.convolve(rng.standard_normal(n), np.ones(32) / 32, mode="same")
    signal = 0.25 * np.asarray(signal) / max(1, len(tones)) + noise * hiss
    fade = np.minimum(1.0, np.minimum(t, seconds - t) / 0.1)  # loops without a click
    pcm = np.clip(128 + 127 * signal * fade, 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())
    return buf.getvalue()


AUDIO: dict[str, Callable[[], bytes]] = {
    "audio/mogao_cave.wav": lambda: ambient_wav((110.0, 164.8), 0.05, seed=1),
    "audio/longmen_niche.wav": lambda: ambient_wav((220.0,), 0.3, seed=2),
    "audio/terracotta_pit.wav": lambda: ambient_wav((82.4, 123.5), 0.1, seed=3),
}
