"""Figures built from primitives: seated and standing Buddhist figures, warriors and horses.

Each builder returns one flattened ``NodePath`` (a few Geoms, colours baked into vertices) so
that a prototype can be instanced cheaply. Heights are in metres; the origin is at the feet.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from panda3d.core import GeomNode, LODNode, NodePath

from immersive import meshes

Color = Sequence[float]
GOLD = (0.78, 0.6, 0.25)
MALACHITE = (0.2, 0.55, 0.45)
LAPIS = (0.15, 0.25, 0.6)


def _part(
    parent: NodePath,
    node: GeomNode,
    color: Color,
    pos: Sequence[float] = (0, 0, 0),
    hpr: Sequence[float] = (0, 0, 0),
    scale: Sequence[float] = (1, 1, 1),
) -> NodePath:
    np_ = parent.attach_new_node(node)
    np_.set_pos(*pos)
    np_.set_hpr(*hpr)
    np_.set_scale(*scale)
    np_.set_color(color[0], color[1], color[2], 1.0)
    return np_


def _halo_colors(given: Color | None, painted: tuple[Color, ...]) -> tuple[Color, ...]:
    """Painted halos by default; a carved (stone) halo in shades of ``given``."""
    if given is None:
        return painted
    return tuple(tuple(c * (0.92 + 0.06 * k) for c in given) for k in range(len(painted)))


def _finish(root: NodePath) -> NodePath:
    root.flatten_strong()
    return root


def seated_figure(
    height: float = 3.0,
    robe: Color = (0.62, 0.2, 0.12),
    skin: Color = (0.85, 0.7, 0.45),
    halo: bool = True,
    halo_color: Color | None = None,
) -> NodePath:
    """A seated Buddha on a lotus throne, with head halo and body mandorla.

    Examples
    --------
    >>> fig = seated_figure(2.0)
    >>> round(fig.get_tight_bounds()[1].z, 1) <= 2.0
    True
    """
    h = height
    root = NodePath("seated_figure")
    seat, petal = (GOLD, (0.85, 0.55, 0.5)) if halo_color is None else (halo_color, robe)
    throne = _part(root, meshes.cylinder(0.34 * h, 0.3 * h, 0.12 * h, 10), seat)
    for k in range(10):
        a = 2 * math.pi * k / 10
        _part(throne, meshes.sphere(0.07 * h, 6, 4), petal,
              (0.33 * h * math.cos(a), 0.33 * h * math.sin(a), 0.1 * h), scale=(1, 1, 0.6))
    _part(root, meshes.sphere(1.0, 10, 6), robe, (0, 0, 0.19 * h),
          scale=(0.3 * h, 0.2 * h, 0.08 * h))  # crossed legs
    _part(root, meshes.cylinder(0.15 * h, 0.12 * h, 0.32 * h, 10), robe, (0, 0, 0.18 * h))
    _part(root, meshes.sphere(1.0, 10, 6), robe, (0, 0, 0.49 * h),
          scale=(0.17 * h, 0.1 * h, 0.06 * h))  # shoulders
    for side in (-1, 1):
        _part(root, meshes.cylinder(0.04 * h, 0.035 * h, 0.26 * h, 6), robe,
              (side * 0.15 * h, 0, 0.5 * h), hpr=(0, 0, side * 160))
    _part(root, meshes.sphere(0.05 * h, 8, 5), skin, (0, -0.12 * h, 0.27 * h),
          scale=(1.4, 0.8, 0.6))  # hands in the lap
    _part(root, meshes.cylinder(0.035 * h, 0.035 * h, 0.06 * h, 6, caps=False), skin,
          (0, 0, 0.53 * h))
    _part(root, meshes.sphere(0.075 * h, 10, 7), skin, (0, 0, 0.64 * h), scale=(0.9, 1, 1.1))
    _part(root, meshes.sphere(0.04 * h, 8, 5), (0.15, 0.15, 0.25), (0, 0.01 * h, 0.73 * h))
    if halo:
        outer, inner, body = _halo_colors(halo_color, (MALACHITE, GOLD, LAPIS))
        _part(root, meshes.disc(0.14 * h, 16), outer, (0, 0.09 * h, 0.66 * h))
        _part(root, meshes.disc(0.11 * h, 16), inner, (0, 0.085 * h, 0.66 * h))
        _part(root, meshes.disc(0.3 * h, 18), body, (0, 0.2 * h, 0.42 * h),
              scale=(1, 1, 1.25))  # mandorla
    return _finish(root)


def standing_figure(
    height: float = 2.0,
    robe: Color = (0.25, 0.45, 0.4),
    skin: Color = (0.85, 0.72, 0.5),
    halo: bool = True,
    halo_color: Color | None = None,
) -> NodePath:
    """A standing attendant (disciple or bodhisattva) on a small pedestal.

    Examples
    --------
    >>> standing_figure(1.8).get_num_children() >= 1
    True
    """
    h = height
    root = NodePath("standing_figure")
    _part(root, meshes.cylinder(0.15 * h, 0.14 * h, 0.05 * h, 10), halo_color or GOLD)
    _part(root, meshes.cylinder(0.14 * h, 0.1 * h, 0.55 * h, 10), robe, (0, 0, 0.05 * h))
    _part(root, meshes.cylinder(0.1 * h, 0.09 * h, 0.22 * h, 10), robe, (0, 0, 0.58 * h))
    _part(root, meshes.sphere(1.0, 10, 6), robe, (0, 0, 0.79 * h),
          scale=(0.12 * h, 0.07 * h, 0.04 * h))
    for side in (-1, 1):
        _part(root, meshes.cylinder(0.03 * h, 0.025 * h, 0.3 * h, 6), robe,
              (side * 0.11 * h, 0, 0.8 * h), hpr=(0, 0, side * 172))
    _part(root, meshes.sphere(0.06 * h, 10, 7), skin, (0, 0, 0.88 * h), scale=(0.9, 1, 1.15))
    _part(root, meshes.cylinder(0.03 * h, 0.01 * h, 0.07 * h, 6), (0.2, 0.2, 0.25),
          (0, 0, 0.93 * h))
    if halo:
        _part(root, meshes.disc(0.11 * h, 14), _halo_colors(halo_color, (GOLD,))[0],
              (0, 0.07 * h, 0.89 * h))
    return _finish(root)


def warrior(
    height: float = 1.85,
    armour: Color = (0.5, 0.46, 0.41),
    robe: Color = (0.62, 0.56, 0.49),
    skin: Color = (0.66, 0.6, 0.53),
) -> NodePath:
    """A terracotta warrior: plinth, legs, robe, armour, arms, head with a top-knot.

    Examples
    --------
    >>> w = warrior()
    >>> 1.7 < w.get_tight_bounds()[1].z < 2.0
    True
    """
    h = height / 1.85
    root = NodePath("warrior")
    _part(root, meshes.box((0.4 * h, 0.4 * h, 0.06 * h)), robe, (0, 0, 0.03 * h))
    for side in (-1, 1):
        _part(root, meshes.cylinder(0.07 * h, 0.06 * h, 0.62 * h, 6, caps=False), robe,
              (side * 0.09 * h, 0, 0.06 * h))
    _part(root, meshes.cylinder(0.21 * h, 0.18 * h, 0.36 * h, 8), robe, (0, 0, 0.66 * h))
    _part(root, meshes.cylinder(0.19 * h, 0.2 * h, 0.42 * h, 8), armour, (0, 0, 1.0 * h))
    _part(root, meshes.sphere(1.0, 8, 5), armour, (0, 0, 1.42 * h),
          scale=(0.24 * h, 0.13 * h, 0.07 * h))
    for side in (-1, 1):
        _part(root, meshes.cylinder(0.055 * h, 0.045 * h, 0.55 * h, 6), robe,
              (side * 0.22 * h, 0, 1.43 * h), hpr=(0, 0, side * 172))
    _part(root, meshes.cylinder(0.05 * h, 0.05 * h, 0.08 * h, 6, caps=False), skin,
          (0, 0, 1.46 * h))
    _part(root, meshes.sphere(0.11 * h, 8, 6), skin, (0, 0, 1.63 * h), scale=(0.9, 1, 1.1))
    _part(root, meshes.sphere(0.055 * h, 6, 4), (0.3, 0.27, 0.24), (0.03 * h, 0.02 * h, 1.77 * h))
    return _finish(root)


def warrior_lod(height: float = 1.85, near: float = 14.0, **colors: Color) -> NodePath:
    """A warrior with two levels of detail: full within ``near`` metres, a simple one beyond.

    Rows of distant warriors are most of a pit's triangles; the far model keeps the frame
    rate of a software renderer up without changing the view close by.

    Examples
    --------
    >>> warrior_lod().node().get_num_switches()
    2
    """
    lod = NodePath(LODNode("warrior-lod"))
    lod.node().add_switch(near, 0.0)
    lod.node().add_switch(1e6, near)
    warrior(height, **colors).reparent_to(lod)
    h = height / 1.85
    armour = colors.get("armour", (0.5, 0.46, 0.41))
    robe = colors.get("robe", (0.62, 0.56, 0.49))
    far = NodePath("warrior-far")
    _part(far, meshes.cylinder(0.17 * h, 0.2 * h, 1.0 * h, 5, caps=False), robe)
    _part(far, meshes.cylinder(0.2 * h, 0.22 * h, 0.5 * h, 5), armour, (0, 0, 1.0 * h))
    _part(far, meshes.sphere(0.11 * h, 5, 3), colors.get("skin", (0.66, 0.6, 0.53)),
          (0, 0, 1.63 * h))
    _finish(far).reparent_to(lod)
    return lod


def horse(height: float = 1.5, coat: Color = (0.45, 0.36, 0.28)) -> NodePath:
    """A terracotta chariot horse standing along +Y.

    Examples
    --------
    >>> horse().get_num_children() >= 1
    True
    """
    h = height / 1.5
    root = NodePath("horse")
    _part(root, meshes.cylinder(0.28 * h, 0.26 * h, 1.5 * h, 8), coat, (0, -0.75 * h, 1.05 * h),
          hpr=(0, -90, 0))
    for x in (-0.15, 0.15):
        for y in (-0.6, 0.6):
            _part(root, meshes.cylinder(0.06 * h, 0.05 * h, 0.85 * h, 6, caps=False), coat,
                  (x * h, y * h, 0))
    _part(root, meshes.cylinder(0.14 * h, 0.1 * h, 0.6 * h, 6), coat, (0, 0.7 * h, 1.15 * h),
          hpr=(0, -40, 0))
    _part(root, meshes.box((0.16 * h, 0.45 * h, 0.18 * h)), coat, (0, 1.15 * h, 1.5 * h),
          hpr=(0, -25, 0))
    return _finish(root)


FIGURES: dict[str, Callable[..., NodePath]] = {
    "seated_figure": seated_figure,
    "standing_figure": standing_figure,
    "warrior": warrior_lod,
    "horse": horse,
}
