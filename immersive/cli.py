"""Command line: ``python -m immersive build-assets | validate | preview | kiosk``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from immersive.catalog import DEFAULT_ASSETS, resolve_spec_path
from immersive.errors import ImmersiveError, SpecError


def _build_assets(args: argparse.Namespace) -> int:
    from immersive.samples import build_assets

    files = build_assets(args.out)
    total = sum(f.stat().st_size for f in files)
    print(f"{len(files)} files, {total / 1e6:.2f} MB in {args.out}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from immersive.spec import load_spec

    status = 0
    for name in args.specs:
        try:
            spec = load_spec(resolve_spec_path(name, args.assets))
            print(f"{spec.source}: ok ({len(spec.models)} models, "
                  f"{len(spec.camera.tour)} waypoints, {len(spec.hotspots)} hotspots)")
        except SpecError as exc:
            print(exc, file=sys.stderr)
            status = 1
    return status


def _preview(args: argparse.Namespace) -> int:
    from immersive.kiosk.program import parse_size
    from immersive.offscreen import render_scene_png

    w, h = parse_size(args.size)
    png = render_scene_png(str(resolve_spec_path(args.scene, args.assets)), args.waypoint, w, h,
                           iod=args.iod if args.stereo else None)
    Path(args.out).write_bytes(png)
    print(f"wrote {args.out} ({len(png)} bytes)")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m immersive")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build-assets", help="generate the sample assets")
    b.add_argument("--out", default=str(DEFAULT_ASSETS))
    b.set_defaults(func=_build_assets)
    v = sub.add_parser("validate", help="validate scene specs and list every problem")
    v.add_argument("specs", nargs="+", help="spec files or scene ids")
    v.add_argument("--assets")
    v.set_defaults(func=_validate)
    r = sub.add_parser("preview", help="render a PNG of a scene at a waypoint")
    r.add_argument("scene", help="scene id of the assets folder, or a spec file")
    r.add_argument("--waypoint", type=int, default=0)
    r.add_argument("--out", required=True)
    r.add_argument("--size", default="640x360")
    r.add_argument("--stereo", action="store_true")
    r.add_argument("--iod", type=float, default=0.064)
    r.add_argument("--assets")
    r.set_defaults(func=_preview)
    k = sub.add_parser("kiosk", help="run the kiosk program")
    from immersive.kiosk.program import add_arguments, run

    add_arguments(k)
    k.set_defaults(func=run)
    args = p.parse_args(argv)
    try:
        return int(args.func(args))
    except (ImmersiveError, IndexError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
