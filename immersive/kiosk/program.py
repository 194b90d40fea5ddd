"""``python -m immersive kiosk``: wire the controller, the outbox, the link and the app."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any

from immersive.catalog import SceneCatalog
from immersive.kiosk.controller import KioskController
from immersive.kiosk.link import KioskLink
from immersive.kiosk.outbox import Outbox
from immersive.kiosk.screenshot import FrameRequests, Screenshooter
from immersive.kiosk.store import StateStore


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--server", required=True, help="server URL, e.g. http://127.0.0.1:5000")
    p.add_argument("--kiosk-id", help="this kiosk's id (with --token)")
    p.add_argument("--token", help="this kiosk's token (with --kiosk-id); default "
                                    "$LANTERN_KIOSK_TOKEN, which other users cannot read in "
                                    "the process list")
    p.add_argument("--pair", action="store_true",
                   help="pair anew: forget any stored token and show a code to approve "
                        "(later starts without --pair reuse the token it gets)")
    p.add_argument("--name", help="name shown to operators while pairing")
    p.add_argument("--kind", choices=("vr", "exhibition"), help="kind sent while pairing")
    p.add_argument("--site", help="site sent while pairing")
    p.add_argument("--state-dir", default=str(Path.home() / ".lantern-kiosk"),
                   help="where credentials, last seq and the outbox live")
    p.add_argument("--assets", help="assets folder (default: the sample assets)")
    p.add_argument("--scene", help="scene to show until the server sends one")
    p.add_argument("--headless", action="store_true", help="render offscreen (no display)")
    p.add_argument("--software", action="store_true", help="software renderer in a window")
    p.add_argument("--size", default="1280x720", help="window size WxH")
    p.add_argument("--stereo", action="store_true", help="side-by-side stereo for VR")
    p.add_argument("--iod", type=float, default=0.064, help="interocular distance (m)")
    p.add_argument("--font", help="a TTF/TTC font with Chinese glyphs")
    p.add_argument("--max-fps", type=float, default=60.0, help="frame-rate cap")
    p.add_argument("--heartbeat", type=float, default=5.0, help="seconds between heartbeats")
    p.add_argument("--backoff-max", type=float, default=30.0,
                   help="longest wait between reconnection attempts (s)")
    p.add_argument("--run-for", type=float, help="stop after this many seconds")
    p.add_argument("--screenshot", help="save the last frame to this PNG when stopping")


def parse_size(text: str) -> tuple[int, int]:
    """``"1280x720"`` -> ``(1280, 720)``.

    Examples
    --------
    >>> parse_size("640x360")
    (640, 360)
    """
    w, _, h = text.lower().partition("x")
    size = (int(w), int(h))
    if min(size) < 16:
        raise ValueError(f"size too small: {text}")
    return size


def render_facts(size: tuple[int, int], max_fps: float, stereo: bool) -> dict[str, Any]:
    """What the heartbeat tells of how the kiosk renders (a cap of 0 or less: none).

    Examples
    --------
    >>> render_facts((640, 360), 10, True)
    {'width': 640, 'height': 360, 'max_fps': 10.0, 'stereo': True}
    """
    return {"width": size[0], "height": size[1],
            "max_fps": float(max_fps) if max_fps > 0 else None, "stereo": stereo}


def take_identity(args: argparse.Namespace, store: StateStore) -> str | None:
    """Store the identity the arguments give; return what is wrong with them, if anything.

    ``--pair`` forgets a stored token: a kiosk whose token the server no longer accepts must
    be able to pair again with the command that paired it."""
    if args.kiosk_id and args.pair:
        return "give --kiosk-id and --token, or --pair, not both"
    if args.kiosk_id:
        store.update(kiosk_id=args.kiosk_id, token=args.token)
    elif args.pair:
        store.update(kiosk_id=None, token=None)
    elif not store.get("token"):
        return "give --kiosk-id and --token, or --pair"
    return None


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if args.kiosk_id and not args.token:
        args.token = os.environ.get("LANTERN_KIOSK_TOKEN") or None
    if bool(args.kiosk_id) != bool(args.token):
        print("error: give --kiosk-id and --token together", file=sys.stderr)
        return 2
    store = StateStore(args.state_dir)
    problem = take_identity(args, store)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    headless = args.headless
    if not headless and sys.platform.startswith("linux") and not os.environ.get("DISPLAY"):
        print("no display: running headless", file=sys.stderr)
        headless = True
    outbox = Outbox(Path(args.state_dir) / "outbox.sqlite3")
    links: list[KioskLink] = []

    def flush_soon() -> None:
        for link in links:
            link.request_flush()

    frames = FrameRequests()
    controller = KioskController(SceneCatalog(args.assets), outbox, store, on_event=flush_soon,
                                 screenshot=Screenshooter(frames, store, args.server))
    if args.scene and controller.spec is None:
        controller.show(args.scene)
    from immersive.kiosk.app import KioskApp  # Panda3D only once arguments are sane

    size = parse_size(args.size)
    app = KioskApp(controller, headless=headless, size=size,
                   iod=args.iod if args.stereo else None, font=args.font,
                   software=args.software, frames=frames)
    pair_info = {k: v for k, v in (("name", args.name), ("kind", args.kind),
                                   ("site", args.site)) if v}
    link = KioskLink(controller, store, args.server, pair_info=pair_info, fps=lambda: app.fps,
                     heartbeat_s=args.heartbeat, backoff_s=(1.0, max(1.0, args.backoff_max)),
                     render=render_facts(size, args.max_fps, args.stereo))
    links.append(link)
    stop = {"now": False}

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop["now"] = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    link.start()
    end = time.monotonic() + args.run_for if args.run_for else float("inf")
    frame_s = 1.0 / args.max_fps if args.max_fps > 0 else 0.0
    try:
        while not stop["now"] and time.monotonic() < end:
            started = time.monotonic()
            app.task_mgr.step()
            spare = frame_s - (time.monotonic() - started)
            if spare > 0:
                time.sleep(spare)
    finally:
        link.stop()
        if args.screenshot:
            app.save_frame(args.screenshot)
        outbox.close()
        app.destroy()
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m immersive kiosk")
    add_arguments(p)
    return run(p.parse_args(argv))
