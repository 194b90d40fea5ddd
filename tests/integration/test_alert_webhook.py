"""Every alert raised or cleared is posted to LANTERN_ALERT_WEBHOOK_URL: from a background
task, retried with exponential back-off against an endpoint that fails at first, given up
(and logged) after the last attempt, and never holding up the request that raised it. The
endpoint is a real HTTP server on loopback."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from server.services.webhook import AlertWebhook
from tests.helpers import LiveServer, wait_for


class Endpoint:
    """A webhook receiver that answers 503 to its first ``failures`` posts, each after
    ``slow_s``, then 204; it records when each post came and what it said."""

    def __init__(self, failures: int = 0, slow_s: float = 0.0) -> None:
        self.failures, self.slow_s = failures, slow_s
        self.posts: list[tuple[float, dict[str, Any]]] = []
        self.lock = threading.Lock()
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the standard library's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with endpoint.lock:
                    endpoint.posts.append((time.monotonic(), body))
                    failing = len(endpoint.posts) <= endpoint.failures
                if failing:
                    time.sleep(endpoint.slow_s)
                self.send_response(503 if failing else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/lantern"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def bodies(self) -> list[dict[str, Any]]:
        with self.lock:
            return [body for _, body in self.posts]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    receiver = Endpoint(failures=2, slow_s=1.5)
    yield receiver
    receiver.close()


def co2(start: datetime, value: float, prefix: str) -> dict[str, Any]:
    return {"readings": [{"event_id": f"{prefix}{i}", "sensor_id": "t-s-01", "co2_ppm": value,
                          "ts": (start + timedelta(seconds=30 * i)).isoformat()}
                         for i in range(3)]}


def test_raised_and_cleared_alerts_are_posted_with_back_off_without_holding_up_the_request(
        tmp_path: Path, endpoint: Endpoint) -> None:
    server = LiveServer(tmp_path, LANTERN_ALERT_WEBHOOK_URL=endpoint.url,
                        LANTERN_ALERT_WEBHOOK_ATTEMPTS="5",
                        LANTERN_ALERT_WEBHOOK_FIRST_DELAY_S="0.3").start()
    try:
        start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
        asked = time.monotonic()
        answer = server.api("POST", "/sites/testsite/sensor-readings", json=co2(start, 1700, "h"))
        took = time.monotonic() - asked
        assert answer.status_code == 200 and answer.json()["alerts"][0]["change"] == "raised"
        assert took < 1.0, f"the request waited {took:.2f} s for the webhook"
        wait_for(lambda: len(endpoint.posts) >= 3, timeout=15, what="the third attempt")
        raised = endpoint.bodies()
        assert raised[0] == raised[1] == raised[2]  # the same alert, tried again
        alert = raised[0]
        assert (alert["event"], alert["change"], alert["site"], alert["site_id"]) == (
            "raised", "raised", "Test Site", "testsite")
        assert (alert["kind"], alert["zone_id"], alert["metric"]) == (
            "microclimate", "t-cave-01", "co2_ppm")
        with endpoint.lock:
            at = [t for t, _ in endpoint.posts]
        # 1.5 s for each failing answer, then 0.3 s, then 0.6 s of back-off
        assert at[1] - at[0] >= 1.5 + 0.3 - 0.05 and at[2] - at[1] >= 1.5 + 0.6 - 0.05

        low = server.api("POST", "/sites/testsite/sensor-readings",
                         json=co2(start + timedelta(minutes=2), 500, "l"))
        assert [a["change"] for a in low.json()["alerts"]] == ["cleared"]
        wait_for(lambda: len(endpoint.posts) >= 4, timeout=10, what="the clear")
        cleared = endpoint.bodies()[3]
        assert (cleared["event"], cleared["id"], cleared["state"]) == (
            "cleared", alert["id"], "cleared")
        alert_id = alert["id"]
        assert server.api("POST", f"/alerts/{alert_id}/ack").status_code == 200
        time.sleep(0.5)
        assert len(endpoint.posts) == 4  # an acknowledgement is not posted
    finally:
        server.stop()


def test_an_alert_is_given_up_and_logged_after_the_last_attempt(
        caplog: pytest.LogCaptureFixture) -> None:
    receiver = Endpoint(failures=10)
    try:
        hook = AlertWebhook(receiver.url, attempts=3, first_delay_s=0.05)
        with caplog.at_level(logging.WARNING, logger="server.services.webhook"):
            assert hook.deliver({"id": 9, "site_id": "testsite", "change": "raised"}) is False
        assert len(receiver.posts) == 3 and hook.given_up == 1
        assert "gave up on alert 9 (raised) after 3 attempts: HTTP 503" in caplog.text
    finally:
        receiver.close()


def test_nothing_is_posted_when_no_webhook_is_set(tmp_path: Path) -> None:
    from tests.conftest import make_app

    app = make_app(tmp_path)
    try:
        assert app.extensions["lantern"].live.webhook is None
    finally:
        app.extensions["lantern"].db.dispose()
