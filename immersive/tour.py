"""The camera tour: where the camera is at a given time, and which hotspots are near.

Plain Python (no Panda3D), so the kiosk controller and tests can use it directly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from immersive.spec import Hotspot, Waypoint

Vec3 = tuple[float, float, float]


def ease(kind: str, f: float) -> float:
    """Map linear progress ``f`` in [0, 1] through an easing curve.

    Examples
    --------
    >>> ease("linear", 0.25), round(ease("ease_in_out", 0.5), 6), ease("hold", 0.9)
    (0.25, 0.5, 0.0)
    """
    f = min(1.0, max(0.0, f))
    if kind == "linear":
        return f
    if kind == "ease_in":
        return f * f
    if kind == "ease_out":
        return 1 - (1 - f) * (1 - f)
    if kind == "hold":
        return 0.0
    return 0.5 - 0.5 * math.cos(math.pi * f)


def tour_length(tour: Sequence[Waypoint]) -> float:
    """Total time of one pass of the tour: the sum of the waypoints' durations.

    Examples
    --------
    >>> tour_length([Waypoint((0, 0, 0), (0, 1, 0), 4), Waypoint((1, 0, 0), (0, 1, 0), 2)])
    6.0
    """
    return float(sum(w.duration_s for w in tour))


def waypoint_time(tour: Sequence[Waypoint], index: int) -> float:
    """The tour time at which the camera stands at waypoint ``index``.

    Examples
    --------
    >>> waypoint_time([Waypoint((0, 0, 0), (0, 1, 0), 4)] * 3, 2)
    8.0
    """
    if not 0 <= index < len(tour):
        raise IndexError(f"waypoint {index} out of range (tour has {len(tour)})")
    return float(sum(w.duration_s for w in tour[:index]))


def pose_at(tour: Sequence[Waypoint], t: float, loop: bool = True) -> tuple[Vec3, Vec3]:
    """Camera position and look-at point at tour time ``t``.

    Waypoint ``i`` moves the camera to waypoint ``i + 1`` over its ``duration_s`` with its
    easing; the last waypoint moves back to the first (a loop) or holds (``loop=False``).

    Examples
    --------
    >>> tour = [Waypoint((0, 0, 0), (0, 1, 0), 2, "linear"), Waypoint((2, 0, 0), (2, 1, 0), 2)]
    >>> pose_at(tour, 1.0)[0]
    (1.0, 0.0, 0.0)
    """
    total = tour_length(tour)
    if total <= 0 or len(tour) == 1:
        return _v(tour[0].pos), _v(tour[0].look_at)
    t = t % total if loop else min(max(t, 0.0), total)
    start = 0.0
    for i, wp in enumerate(tour):
        if t < start + wp.duration_s or i == len(tour) - 1:
            nxt = tour[(i + 1) % len(tour)] if (loop or i + 1 < len(tour)) else wp
            f = (t - start) / wp.duration_s if wp.duration_s > 0 else 1.0
            e = ease(wp.easing, f)
            return _lerp(wp.pos, nxt.pos, e), _lerp(wp.look_at, nxt.look_at, e)
        start += wp.duration_s
    raise AssertionError("unreachable")


def hotspots_near(hotspots: Sequence[Hotspot], pos: Sequence[float]) -> list[Hotspot]:
    """The hotspots whose sphere (``pos``, ``radius``) contains the camera, nearest first.

    Examples
    --------
    >>> spot = Hotspot("niche", (0, 5, 1), 2.0, {"en": "N", "zh": "龛"}, {"en": "", "zh": ""})
    >>> [h.id for h in hotspots_near([spot], (0, 4, 1))]
    ['niche']
    """
    inside = [h for h in hotspots if math.dist(h.pos, pos) <= h.radius]
    return sorted(inside, key=lambda h: math.dist(h.pos, pos))


def _v(p: Sequence[float]) -> Vec3:
    return (float(p[0]), float(p[1]), float(p[2]))


def _lerp(a: Sequence[float], b: Sequence[float], f: float) -> Vec3:
    return (a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f)
