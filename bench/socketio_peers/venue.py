"""A real Lantern server on the real venues, for the live-venue benchmarks.

Wraps ``tests/helpers.py``'s ``LiveServer`` (a ``python -m server run`` process on a
free loopback port, set up through the project's own CLI) and adds what the benchmarks need:
the site's bounding box, kiosks made over REST, and the server's CPU time.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.helpers import LiveServer  # noqa: E402

from .runner import cpu_seconds  # noqa: E402

VENUES = ROOT / "venues"
SITE = "mogao"


# LiveServer shortens these for the test suite; a benchmark runs what a venue runs
PRODUCTION = ("LANTERN_KIOSK_OFFLINE_AFTER_S", "LANTERN_OCCUPANCY_EMIT_S")


@contextmanager
def live_server(**env: str) -> Iterator[LiveServer]:
    """Start a server on the real venues in a fresh instance folder, with the default settings
    but for ``env``; stop it afterwards."""
    from server.config import SETTINGS

    defaults = {name: str(SETTINGS[name][0]) for name in PRODUCTION}
    with tempfile.TemporaryDirectory(prefix="lantern-bench-") as tmp:
        server = LiveServer(Path(tmp), venues=VENUES, **{**defaults, **env})
        try:
            yield server.start()
        finally:
            server.stop()


def site_bbox(server: LiveServer, site: str = SITE) -> tuple[float, float, float, float]:
    """``(min_lon, min_lat, max_lon, max_lat)`` over every zone of ``site``."""
    resp = server.api("GET", f"/sites/{site}/zones")
    resp.raise_for_status()
    xs: list[float] = []
    ys: list[float] = []

    def walk(coords: Any) -> None:
        if coords and isinstance(coords[0], (int, float)):
            xs.append(float(coords[0]))
            ys.append(float(coords[1]))
        else:
            for c in coords:
                walk(c)

    for feature in resp.json()["features"]:
        walk(feature["geometry"]["coordinates"])
    return min(xs), min(ys), max(xs), max(ys)


def create_kiosks(server: LiveServer, n: int, group: str, site: str = SITE) -> list[dict[str, str]]:
    """Register ``n`` approved kiosks in ``group`` over REST; each ``{"kiosk_id", "token"}``."""
    import requests

    x0, y0, x1, y1 = site_bbox(server, site)
    out = []
    with requests.Session() as http:
        http.headers["Authorization"] = f"Bearer {server.admin}"
        for i in range(n):
            body: dict[str, Any] = {"site_id": site, "lon": x0 + (x1 - x0) * (i + 0.5) / n,
                    "lat": (y0 + y1) / 2, "group": group, "name": f"bench {i}"}
            resp = http.post(f"{server.url}/api/v1/kiosks", json=body, timeout=30)
            resp.raise_for_status()
            data = resp.json()
            out.append({"kiosk_id": data["kiosk_id"], "token": data["token"]})
    return out


def server_cpu(server: LiveServer) -> float:
    """CPU seconds the server process has used so far (NaN without /proc)."""
    assert server.proc is not None
    return cpu_seconds(server.proc.pid)
