"""Pairing over a real Socket.IO connection: pending kiosks expiring or rejected, their pairing
connections closed, operators told. Refused pairing attempts (an unknown site, too many from one
address) are in tests/unit/test_namespaces.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import socketio

from tests.helpers import LiveServer, Operator, wait_for

TTL_S = 3


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path_factory.mktemp("pairing"), LANTERN_PAIRING_RATE="1000 per minute",
                      LANTERN_PAIRING_TTL_S=str(TTL_S)).start()
    yield live
    live.stop()


class Pairing:
    """A kiosk asking to pair: records what the server sends it."""

    def __init__(self, server: LiveServer, **auth: Any) -> None:
        self.events: dict[str, Any] = {}
        self.client = socketio.Client(reconnection=False)
        for name in ("pairing", "paired"):
            self.client.on(name, self._recorder(name), namespace="/kiosk")
        self.client.connect(server.url, namespaces=["/kiosk"], transports=["websocket"],
                            auth={"pair": True, **auth}, wait_timeout=5)

    def _recorder(self, name: str):  # type: ignore[no-untyped-def]
        return lambda data: self.events.update({name: data})

    def code(self) -> dict[str, Any]:
        return wait_for(lambda: self.events.get("pairing"))  # type: ignore[no-any-return]

    def close(self) -> None:
        self.client.disconnect()


def listed(server: LiveServer) -> dict[str, dict[str, Any]]:
    return {k["kiosk_id"]: k for k in server.api("GET", "/kiosks").json()["kiosks"]}


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
        operator.close()


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
        operator.close()
