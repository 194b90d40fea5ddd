"""Procedural textures for the sample scenes: murals, caisson, limestone, rammed earth, bricks.

Deterministic: every texture comes from a fixed seed, drawn with Pillow and numpy, and PNG
encoding without timestamps gives the same bytes each run.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw

OCHRE = (196, 138, 74)
OCHRE_LIGHT = (222, 180, 120)
MALACHITE = (46, 139, 105)
LAPIS = (38, 64, 150)
CINNABAR = (170, 56, 38)
UMBER = (92, 58, 36)
WHITE = (236, 226, 200)
SKIN = (226, 188, 140)


def png_bytes(img: Image.Image) -> bytes:
    """Encode as PNG without metadata, so that equal pixels give equal bytes.

    Examples
    --------
    >>> png_bytes(Image.new("RGB", (2, 2)))[:4]
    b'\\x89PNG'
    """
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False, compress_level=9)
    return buf.getvalue()


def value_noise(rng: np.random.Generator, size: tuple[int, int], cells: int) -> np.ndarray:
    """Smooth noise in [0, 1] of shape ``(h, w)`` from a ``cells x cells`` random lattice."""
    h, w = size
    lattice = Image.fromarray((rng.random((cells, cells)) * 255).astype(np.uint8), "L")
    return np.asarray(lattice.resize((w, h), Image.Resampling.BICUBIC), dtype=np.float32) / 255


def _age(img: Image.Image, rng: np.random.Generator, strength: float = 0.22) -> Image.Image:
    """Darken and fade unevenly, like centuries of soot and flaking pigment."""
    a = np.asarray(img, dtype=np.float32)
    h, w = a.shape[:2]
    n = 0.6 * value_noise(rng, (h, w), 8) + 0.4 * value_noise(rng, (h, w), 32)
    grain = rng.random((h, w)).astype(np.float32)
    shade = 1 - strength * n[..., None] - 0.06 * grain[..., None]
    faded = a * shade + np.array(OCHRE_LIGHT, np.float32) * (1 - shade) * 0.35
    return Image.fromarray(np.clip(faded, 0, 255).astype(np.uint8), "RGB")


def thousand_buddhas(seed: int = 11, size: tuple[int, int] = (512, 256)) -> Image.Image:
    """A thousand-Buddha (千佛) wall: rows of small seated Buddhas, colours shifting
    diagonally through malachite, lapis and cinnabar, on an ochre ground."""
    rng = np.random.default_rng(seed)
    w, h = size
    img = Image.new("RGB", size, OCHRE)
    d = ImageDraw.Draw(img)
    cell = 32
    palette = [MALACHITE, LAPIS, CINNABAR, UMBER]
    for row in range(h // cell):
        for col in range(w // cell):
            x, y = col * cell, row * cell
            robe = palette[(col + row) % 4]
            halo = palette[(col + row + 1) % 4]
            d.rectangle([x + 1, y + 1, x + cell - 2, y + cell - 2], outline=UMBER)
            d.ellipse([x + 6, y + 3, x + 26, y + 23], fill=halo)  # body mandorla
            d.ellipse([x + 11, y + 3, x + 21, y + 13], fill=OCHRE_LIGHT)  # head halo
            d.polygon([(x + 8, y + 27), (x + 24, y + 27), (x + 20, y + 14), (x + 12, y + 14)],
                      fill=robe)
            d.ellipse([x + 13, y + 6, x + 19, y + 12], fill=SKIN)
            d.rectangle([x + 7, y + 27, x + 25, y + 29], fill=WHITE)  # lotus seat
    return _age(img, rng)


def apsaras(seed: int = 23, size: tuple[int, int] = (512, 256)) -> Image.Image:
    """Flying apsaras (飞天) with trailing scarves among scrolling clouds on a lapis ground."""
    rng = np.random.default_rng(seed)
    w, h = size
    img = Image.new("RGB", size, LAPIS)
    d = ImageDraw.Draw(img)
    d.rectangle([0, h - 28, w, h], fill=OCHRE)
    for k in range(0, w, 24):  # hanging curtain border (垂幔)
        d.polygon([(k, h - 28), (k + 24, h - 28), (k + 12, h - 12)], fill=MALACHITE)
    for _ in range(14):  # clouds
        cx, cy = int(rng.integers(0, w)), int(rng.integers(10, h - 50))
        for j in range(3):
            r = 6 + 3 * j
            d.arc([cx - r + 8 * j, cy - r, cx + r + 8 * j, cy + r], 180, 360, fill=WHITE, width=2)
    for k in range(4):
        cx = 60 + k * 120 + int(rng.integers(-15, 15))
        cy = 70 + int(rng.integers(-25, 40))
        direction = 1 if k % 2 == 0 else -1
        for s, color in enumerate((CINNABAR, MALACHITE, WHITE)):  # scarves
            pts = [
                (cx - direction * (t * 4), cy + 12 * math.sin(t / 3.0 + s) + s * 5 + t * 0.8)
                for t in range(0, 26)
            ]
            d.line(pts, fill=color, width=4 - s)
        d.ellipse([cx - 12, cy - 6, cx + 12, cy + 8], fill=CINNABAR)  # body, horizontal
        d.ellipse([cx + direction * 12 - 6, cy - 12, cx + direction * 12 + 6, cy], fill=SKIN)
        d.ellipse([cx + direction * 12 - 9, cy - 15, cx + direction * 12 + 9, cy + 3],
                  outline=OCHRE_LIGHT, width=2)
        d.line([(cx + direction * 12, cy - 4), (cx + direction * 26, cy - 14)], fill=SKIN,
               width=3)
    return _age(img, rng, 0.18)


def caisson(seed: int = 31, size: int = 256) -> Image.Image:
    """A square caisson ceiling (藻井): nested borders around a central lotus."""
    rng = np.random.default_rng(seed)
    img = Image.new("RGB", (size, size), OCHRE)
    d = ImageDraw.Draw(img)
    for i, color in enumerate((UMBER, MALACHITE, OCHRE_LIGHT, LAPIS, CINNABAR, MALACHITE)):
        m = 10 + i * 14
        d.rectangle([m, m, size - m, size - m], outline=color, width=8)
    c = size / 2
    for k in range(8):
        a = 2 * math.pi * k / 8
        px, py = c + 34 * math.cos(a), c + 34 * math.sin(a)
        d.ellipse([px - 16, py - 16, px + 16, py + 16], fill=WHITE, outline=CINNABAR, width=2)
    d.ellipse([c - 22, c - 22, c + 22, c + 22], fill=MALACHITE)
    d.ellipse([c - 10, c - 10, c + 10, c + 10], fill=OCHRE_LIGHT)
    return _age(img, rng, 0.15)


def limestone(seed: int = 41, size: int = 256) -> Image.Image:
    """Grey-buff limestone with bedding planes and weathering streaks (Longmen cliff)."""
    rng = np.random.default_rng(seed)
    n = 0.5 * value_noise(rng, (size, size), 6) + 0.35 * value_noise(rng, (size, size), 24)
    n += 0.15 * rng.random((size, size))
    rows = np.arange(size, dtype=np.float32)[:, None]
    strata = 0.5 + 0.5 * np.sin(rows / 9.0 + 3 * value_noise(rng, (size, size), 4))
    streak = value_noise(rng, (size, 16), 8).repeat(size // 16, axis=1)
    tone = 0.55 + 0.25 * n + 0.08 * strata - 0.12 * streak
    base = np.array([178, 170, 152], np.float32)
    rgb = base * tone[..., None] + np.array([18, 10, 0], np.float32) * n[..., None]
    return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB")


def rammed_earth(seed: int = 53, size: int = 256) -> Image.Image:
    """Layered rammed earth (夯土) of the pit's partition walls."""
    rng = np.random.default_rng(seed)
    rows = np.arange(size, dtype=np.float32)[:, None]
    layers = (rows // 12) % 2
    n = 0.6 * value_noise(rng, (size, size), 12) + 0.4 * rng.random((size, size))
    tone = 0.72 + 0.1 * layers + 0.22 * n
    rgb = np.array([150, 112, 76], np.float32) * tone[..., None]
    return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB")


def bricks(
    seed: int = 61, size: int = 256, tint: tuple[int, int, int] = (120, 112, 104)
) -> Image.Image:
    """Floor bricks laid in courses, each with its own shade."""
    rng = np.random.default_rng(seed)
    img = Image.new("RGB", (size, size), (70, 62, 55))
    d = ImageDraw.Draw(img)
    bw, bh = 64, 32
    for row in range(size // bh):
        off = (row % 2) * bw // 2
        for col in range(-1, size // bw + 1):
            shade = 0.8 + 0.35 * float(rng.random())
            fill = tuple(int(min(255, c * shade)) for c in tint)
            x = col * bw + off
            d.rectangle([x + 2, row * bh + 2, x + bw - 2, row * bh + bh - 2], fill=fill)
    return _age(img, rng, 0.25)


TEXTURES: dict[str, Callable[[], Image.Image]] = {
    "textures/mogao_thousand_buddhas.png": thousand_buddhas,
    "textures/mogao_apsaras.png": apsaras,
    "textures/mogao_caisson.png": caisson,
    "textures/longmen_limestone.png": limestone,
    "textures/terracotta_rammed_earth.png": rammed_earth,
    "textures/terracotta_bricks.png": bricks,
    "textures/mogao_floor.png": lambda: bricks(67, 256, (150, 120, 90)),
}
