"""Preview render time per sample scene, warm, 640x360, software renderer.

Baseline from the same run: an empty scene through the same renderer and PNG encoder.
Goal (docs/DESIGN): < 150 ms a preview, warm.

    .venv/bin/python -m bench.bench_render [--repeat 20]
"""

from __future__ import annotations

import argparse
import statistics
import time

from panda3d.core import NodePath

from immersive.catalog import SceneCatalog
from immersive.offscreen import (
    OffscreenRenderer,
    View,
    cached_scene,
    encode_png,
    shared_renderer,
    view_at,
)

GOAL_MS = 150.0


def timed(fn, repeat: int) -> tuple[float, float]:
    """Median and worst wall time of ``fn`` in milliseconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), max(samples)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--repeat", type=int, default=20)
    p.add_argument("--size", default="640x360")
    p.add_argument("--pipe", default="p3tinydisplay",
                   help="p3tinydisplay (what render_scene_png uses), p3headlessgl or auto")
    args = p.parse_args()
    w, h = (int(v) for v in args.size.split("x"))
    catalog = SceneCatalog()
    renderer = (shared_renderer() if args.pipe == "p3tinydisplay"
                else OffscreenRenderer(args.pipe))

    def render_scene_png(path: str, waypoint: int, w: int, h: int) -> bytes:
        scene = cached_scene(path)  # as immersive.offscreen.render_scene_png, any pipe
        frame = renderer.render(scene.root, view_at(scene.spec, waypoint), w, h,
                                scene.spec.background)
        return encode_png(frame)
    empty = NodePath("empty")
    view = View((0, -5, 1), (0, 0, 1))

    def empty_frame() -> None:
        encode_png(renderer.render(empty, view, w, h))

    empty_frame()
    base_med, base_max = timed(empty_frame, args.repeat)
    print(f"preview render, {w}x{h}, pipe {renderer.pipe_name}, median of {args.repeat} warm")
    print(f"{'scene':<16} {'waypoints':>9} {'cold ms':>8} {'median ms':>10} {'max ms':>7}"
          f" {'x empty':>8} {'goal':>6}")
    print(f"{'(empty scene)':<16} {'-':>9} {'-':>8} {base_med:>10.1f} {base_max:>7.1f}"
          f" {1.0:>8.2f} {'':>6}")
    for scene_id in catalog.scene_ids():
        path = str(catalog.path(scene_id))
        n = len(catalog.spec(scene_id).camera.tour)
        start = time.perf_counter()
        render_scene_png(path, 0, w, h)
        cold = (time.perf_counter() - start) * 1000
        counter = iter(range(10**9))

        def one(path: str = path, n: int = n, counter=counter) -> None:  # noqa: ANN001
            render_scene_png(path, next(counter) % n, w, h)

        med, worst = timed(one, args.repeat)
        ok = "ok" if med < GOAL_MS else "MISS"
        print(f"{scene_id:<16} {n:>9} {cold:>8.1f} {med:>10.1f} {worst:>7.1f}"
              f" {med / base_med:>8.2f} {ok:>6}")


if __name__ == "__main__":
    main()
