"""Impact checks run in child processes: a heavy one ends at its limit, the server keeps serving."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import requests

from tests.conftest import bearer, make_app
from tests.helpers import LiveServer, square, zigzag

HEAVY = {"geometry": zigzag(999), "buffer_m": 5000}  # just under the 1,000-vertex bound
NORMAL = {"geometry": square(-10, -10, 20), "buffer_m": 5}  # on the site's centre


def test_a_heavy_check_ends_at_the_time_limit_while_the_server_keeps_answering(
        tmp_path: Path) -> None:
    server = LiveServer(tmp_path, LANTERN_IMPACT_TIMEOUT_S="3").start()
    try:
        heavy: dict[str, Any] = {}

        def run_heavy() -> None:
            started = time.monotonic()
            heavy["response"] = server.api("POST", "/sites/testsite/impact", json=HEAVY)
            heavy["seconds"] = time.monotonic() - started

        worker = threading.Thread(target=run_heavy)
        worker.start()
        time.sleep(0.3)  # the heavy check is under way in its child
        health: list[float] = []
        normal_during = None
        while worker.is_alive():
            started = time.monotonic()
            assert requests.get(f"{server.url}/api/v1/health", timeout=5).ok
            health.append(time.monotonic() - started)
            if normal_during is None:  # the second worker slot serves other checks meanwhile
                normal_during = server.api("POST", "/sites/testsite/impact", json=NORMAL)
            time.sleep(0.05)
        worker.join()

        assert len(health) >= 10 and max(health) < 1.0, health
        response = heavy["response"]
        assert response.status_code == 503, response.text[:300]
        error = response.json()["error"]
        assert error["code"] == "check_failed"
        assert error["message"].startswith("the impact check took longer than the limit of 3 s")
        assert 2.5 < heavy["seconds"] < 8, heavy["seconds"]
        assert normal_during is not None and normal_during.status_code == 200, normal_during
        after = server.api("POST", "/sites/testsite/impact", json=NORMAL)
        assert after.status_code == 200, after.text[:300]
        assert "t-pr" in {t["zone_id"] for t in after.json()["touched"]}
    finally:
        server.stop()


def test_a_check_over_the_memory_limit_fails_alone_with_a_clear_error(tmp_path: Path,
                                                                       mini_venues: Path) -> None:
    app = make_app(tmp_path, LANTERN_IMPACT_MEMORY_MB=350, LANTERN_IMPACT_TIMEOUT_S=60)
    from server.services.tokens import create_token
    from server.services.venues import import_venues

    with app.extensions["lantern"].db.transaction() as session:
        import_venues(session, mini_venues)
        token = create_token(session, "planner")
    client = app.test_client()
    started = time.monotonic()
    response = client.post("/api/v1/sites/testsite/impact", json=HEAVY, headers=bearer(token))
    assert time.monotonic() - started < 20  # stopped by memory, far before the time limit
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["code"] == "check_failed"
    assert error["message"].startswith("the impact check needed more memory than the limit of "
                                       "350 MB")
    for path in ("/api/v1/sites/testsite/impact", "/api/v1/sites/testsite/impact/map.png"):
        assert client.post(path, json=NORMAL, headers=bearer(token)).status_code == 200
    app.extensions["lantern"].impact.close()
