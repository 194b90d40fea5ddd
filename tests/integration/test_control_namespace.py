"""/control over a real socket: the origin check of the handshake, live occupancy to operators,
an operator's command reaching a kiosk; and a frame over the size limit on /kiosk.

Refusals and validation over /control are in tests/unit/test_namespaces.py."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
import socketio

from tests.helpers import LiveServer, Operator, positions, wait_for


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path_factory.mktemp("control"), LANTERN_SOCKET_MAX_FRAME="4096").start()
    yield live
    live.stop()


def test_only_the_servers_own_origin_may_open_a_socket(server: LiveServer) -> None:
    browser = server.login("olga")
    handshake = f"{server.url}/socket.io/?EIO=4&transport=polling"
    assert browser.get(handshake, headers={"Origin": server.url}, timeout=5).status_code == 200
    refused = browser.get(handshake, headers={"Origin": "http://evil.example"}, timeout=5)
    browser.close()
    assert refused.status_code == 400


def test_occupancy_reaches_operators_live_and_bursts_are_coalesced(server: LiveServer) -> None:
    operator = Operator(server)
    try:
        for _ in range(10):  # a burst of 10 requests in well under a second
            server.api("POST", "/sites/testsite/positions", json={"positions": positions(3)})

        def cave_count() -> int:
            updates = operator.heard("occupancy")
            zones = {z["zone_id"]: z for z in updates[-1]["zones"]} if updates else {}
            return zones["t-cave-01"]["count"] if zones else 0

        wait_for(lambda: cave_count() == 30)  # one message per request would make it the 10th
        updates = operator.heard("occupancy")
        assert len(updates) < 10, "a burst must not become one message per request"
        cave = next(z for z in updates[-1]["zones"] if z["zone_id"] == "t-cave-01")
        assert cave["level"] == "stop"
    finally:
        operator.close()


def test_an_operators_command_reaches_the_kiosk_and_its_heartbeat_reaches_operators(
        server: LiveServer) -> None:
    body = server.api("POST", "/kiosks", json={"site_id": "testsite", "lon": 100, "lat": 30,
                                               "group": "hall"}).json()
    received: list[dict] = []
    kiosk = socketio.Client(reconnection=False)
    kiosk.on("command", lambda data: (received.append(data), {"ok": True})[1], namespace="/kiosk")
    kiosk.connect(server.url, namespaces=["/kiosk"], transports=["websocket"],
                  auth={"kiosk_id": body["kiosk_id"], "token": body["token"]}, wait_timeout=5)
    operator = Operator(server)
    try:
        ack = operator.call("command", {"group": "hall", "action": "pause"})
        assert ack["ok"] and [c["kiosk_id"] for c in ack["commands"]] == [body["kiosk_id"]]
        wait_for(lambda: any(c["action"] == "pause" for c in received))
        assert kiosk.call("heartbeat", {"scene": "x", "state": "idle", "fps": 20},
                          namespace="/kiosk", timeout=5)["ok"]
        wait_for(lambda: any(s.get("kiosk_id") == body["kiosk_id"] and s.get("scene") == "x"
                             for s in operator.heard("kiosk_status")))
    finally:
        kiosk.disconnect()
        operator.close()


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_kiosk_sending_an_oversize_frame_is_cut_off_and_the_server_goes_on(server: LiveServer) -> None:
    body = server.api("POST", "/kiosks", json={"site_id": "testsite", "lon": 100, "lat": 30}).json()
    kiosk = socketio.Client(reconnection=False)
    kiosk.connect(server.url, namespaces=["/kiosk"], transports=["websocket"],
                  auth={"kiosk_id": body["kiosk_id"], "token": body["token"]}, wait_timeout=5)
    try:
        assert kiosk.call("heartbeat", {"fps": 30}, namespace="/kiosk", timeout=5) == {"ok": True}
        kiosk.emit("heartbeat", {"scene": "x" * 10_000}, namespace="/kiosk")
        wait_for(lambda: not kiosk.connected, timeout=5)  # noqa: F821 (deleted below, after use)
    finally:
        kiosk.disconnect()
        del kiosk
        gc.collect()  # python-socketio's client leaves its socket open when the server cuts it
    assert server.api("GET", "/health").ok, "the server survives"
