"""Kiosk frame rate per sample scene at 1280x720 in the software renderer (p3tinydisplay).

Runs the kiosk program's own Panda3D app (offscreen, the same frame task as on a kiosk:
controller tick, camera tour, overlay texts) with no frame cap. Baseline from the same run:
the app with an empty scene. Goal (docs/DESIGN): >= 30 fps.

    .venv/bin/python -m bench.bench_kiosk_fps [--frames 120] [--size 1280x720] [--stereo]
"""

from __future__ import annotations

import argparse
import tempfile

from immersive.catalog import SceneCatalog
from immersive.kiosk.app import KioskApp
from immersive.kiosk.controller import KioskController
from immersive.kiosk.outbox import Outbox
from immersive.kiosk.program import parse_size

GOAL_FPS = 30.0


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--frames", type=int, default=120)
    p.add_argument("--size", default="1280x720")
    p.add_argument("--stereo", action="store_true")
    args = p.parse_args()
    catalog = SceneCatalog()
    with tempfile.TemporaryDirectory() as tmp:
        controller = KioskController(catalog, Outbox(f"{tmp}/outbox.sqlite3"))
        app = KioskApp(controller, headless=True, size=parse_size(args.size),
                       iod=0.064 if args.stereo else None)
        app.run_frames(10)
        base = app.run_frames(args.frames)
        mode = "stereo" if args.stereo else "mono"
        print(f"kiosk frame rate, {args.size} {mode}, software renderer, {args.frames} frames")
        print(f"{'scene':<16} {'fps':>7} {'x empty':>8} {'goal':>6}")
        print(f"{'(empty scene)':<16} {base:>7.1f} {1.0:>8.2f}")
        for scene_id in catalog.scene_ids():
            controller.show(scene_id)
            app.run_frames(10)  # build the scene and load its textures
            fps = app.run_frames(args.frames)
            ok = "ok" if fps >= GOAL_FPS else "MISS"
            print(f"{scene_id:<16} {fps:>7.1f} {fps / base:>8.2f} {ok:>6}")
        app.destroy()


if __name__ == "__main__":
    main()
