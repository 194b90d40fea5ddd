"""Pairing over a real Socket.IO connection: attempts limited per address, unknown sites refused,
pending kiosks expiring or rejected, operators told."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import socketio

from tests.integration.live import LiveServer, wait_for
from tests.integration.raw_socketio import RawSocketIO

TTL_S = 3


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path_factory.mktemp("pairing"), LANTERN_PAIRING_RATE="1000 per minute",
                      LANTERN_PAIRING_TTL_S=str(TTL_S)).start()
    yield live
    live.stop()


class Pairing:
    """A kiosk asking to pair: records what the server sends it, or why it was refused."""

    def __init__(self, server: LiveServer, **auth: Any) -> None:
        self.events: dict[str, Any] = {}
        self.refusal: str | None = None
        self.client = socketio.Client(reconnection=False)
        for name in ("pairing", "paired"):
            self.client.on(name, self._recorder(name), namespace="/kiosk")
        self.client.on("connect_error", self._refused, namespace="/kiosk")
        try:
            self.client.connect(server.url, namespaces=["/kiosk"], transports=["websocket"],
                                auth={"pair": True, **auth}, wait_timeout=5)
        except socketio.exceptions.ConnectionError:
            assert self.refusal is not None

    def _recorder(self, name: str):  # type: ignore[no-untyped-def]
        return lambda data: self.events.update({name: data})

    def _refused(self, data: Any) -> None:
        self.refusal = data.get("message") if isinstance(data, dict) else str(data)

    def code(self) -> dict[str, Any]:
        return wait_for(lambda: self.events.get("pairing"))  # type: ignore[no-any-return]

    def close(self) -> None:
        self.client.disconnect()


class Operator:
    """A logged-in operator's /control connection, recording kiosk_status."""

    def __init__(self, server: LiveServer) -> None:
        browser = server.login("olga")
        self.statuses: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.client = socketio.Client(reconnection=False)
        self.client.on("kiosk_status", self._record, namespace="/control")
        cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
        browser.close()
        self.client.connect(server.url, namespaces=["/control"], transports=["websocket"],
                            headers={"Cookie": cookie}, wait_timeout=5)

    def _record(self, data: dict[str, Any]) -> None:
        with self.lock:
            self.statuses.append(data)

    def saw(self, kiosk_id: str, status: str) -> bool:
        with self.lock:
            return any(s["kiosk_id"] == kiosk_id and s["status"] == status for s in self.statuses)


def listed(server: LiveServer) -> dict[str, dict[str, Any]]:
    return {k["kiosk_id"]: k for k in server.api("GET", "/kiosks").json()["kiosks"]}


def test_pairing_with_an_unknown_site_is_refused_naming_the_site(server: LiveServer) -> None:
    before = listed(server)
    lost = RawSocketIO(server.url, "/kiosk", {"pair": True, "name": "Lost kiosk", "site": "atlantis"})
    lost.close()
    assert not lost.connected and lost.reply["message"] == "cannot pair: no site 'atlantis'"
    assert listed(server) == before
    known = Pairing(server, name="Found kiosk", site="testsite")
    try:
        assert known.code()["expires_in"] == TTL_S
    finally:
        known.close()


def test_a_pending_kiosk_expires_after_the_pairing_time_and_operators_are_told(
        server: LiveServer) -> None:
    operator = Operator(server)
    kiosk = Pairing(server, name="Slow hall", site="testsite")
    try:
        pairing = kiosk.code()
        kiosk_id = pairing["kiosk_id"]
        assert listed(server)[kiosk_id]["status"] == "pending"
        # the pairing connection closes at expiry: a kiosk then asks again with a new code
        wait_for(lambda: not kiosk.client.connected, timeout=TTL_S + 5)
        assert kiosk_id not in listed(server)
        wait_for(lambda: operator.saw(kiosk_id, "expired"))
        response = server.api("POST", f"/kiosks/{kiosk_id}/approve", json={"code": pairing["code"]})
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "pairing_expired"
    finally:
        kiosk.close()
        operator.client.disconnect()


def test_rejecting_a_pending_kiosk_removes_it_and_closes_its_pairing_connection(
        server: LiveServer) -> None:
    operator = Operator(server)
    kiosk = Pairing(server, name="Unknown screen", site="testsite")
    try:
        kiosk_id = kiosk.code()["kiosk_id"]
        assert server.api("POST", f"/kiosks/{kiosk_id}/reject").status_code == 200
        wait_for(lambda: not kiosk.client.connected)
        assert "paired" not in kiosk.events and kiosk_id not in listed(server)
        wait_for(lambda: operator.saw(kiosk_id, "rejected"))
        assert server.api("POST", f"/kiosks/{kiosk_id}/reject").status_code == 404
    finally:
        kiosk.close()
        operator.client.disconnect()


def test_one_address_may_ask_to_pair_five_times_a_minute(tmp_path: Path) -> None:
    live = LiveServer(tmp_path).start()  # the default LANTERN_PAIRING_RATE
    attempts: list[RawSocketIO] = []
    try:
        started = time.monotonic()
        for i in range(20):
            attempts.append(RawSocketIO(live.url, "/kiosk", {"pair": True, "name": f"flood {i}"}))
        regained = int((time.monotonic() - started) / 12)  # an attempt comes back every 12 s
        refusals = [a.reply["message"] for a in attempts if not a.connected]
        assert 15 - regained <= len(refusals) <= 15
        assert all(r.startswith("too many pairing attempts from 127.0.0.1; try again in")
                   for r in refusals)
        assert sum(1 for k in listed(live).values() if k["status"] == "pending") == 20 - len(refusals)
    finally:
        for attempt in attempts:
            attempt.close()
        live.stop()
