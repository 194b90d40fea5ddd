"""/control: operators with a login session watch the venue live and command kiosks."""

from __future__ import annotations

import gc
import math
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
import socketio

from tests.integration.live import LiveServer, wait_for

M_LON = 1 / (111320 * math.cos(math.radians(30)))
M_LAT = 1 / 111320


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path_factory.mktemp("control"), LANTERN_SOCKET_RATE="20",
                      LANTERN_SOCKET_MAX_FRAME="4096").start()
    yield live
    live.stop()


class Operator:
    def __init__(self, server: LiveServer, browser: requests.Session):
        self.events: dict[str, list[Any]] = {}
        self.client = socketio.Client(reconnection=False)
        for name in ("occupancy", "kiosk_status", "zone_state", "alert", "session_event"):
            self.client.on(name, self._recorder(name), namespace="/control")
        cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
        headers = {"Cookie": cookie}  # the client sends the server's own Origin itself
        browser.close()
        self.client.connect(server.url, namespaces=["/control"], transports=["websocket"],
                            headers=headers, wait_timeout=5)

    def _recorder(self, name: str):  # type: ignore[no-untyped-def]
        lock = threading.Lock()

        def record(data: Any) -> None:
            with lock:
                self.events.setdefault(name, []).append(data)
        return record


def positions(n: int, x: float, y: float) -> list[dict[str, Any]]:
    now = datetime.now(UTC).isoformat()
    return [{"event_id": uuid.uuid4().hex, "visitor_id": uuid.uuid4().hex, "ts": now,
             "lon": 100 + x * M_LON, "lat": 30 + y * M_LAT} for _ in range(n)]


def test_a_connection_without_a_login_session_is_refused(server: LiveServer) -> None:
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(server.url, namespaces=["/control"], transports=["websocket"],
                       wait_timeout=5)
    client.disconnect()


def test_only_the_servers_own_origin_may_open_a_socket(server: LiveServer) -> None:
    browser = server.login("olga")
    handshake = f"{server.url}/socket.io/?EIO=4&transport=polling"
    assert browser.get(handshake, headers={"Origin": server.url}, timeout=5).status_code == 200
    refused = browser.get(handshake, headers={"Origin": "http://evil.example"}, timeout=5)
    browser.close()
    assert refused.status_code == 400


def test_occupancy_reaches_operators_live_and_bursts_are_coalesced(server: LiveServer) -> None:
    operator = Operator(server, server.login("olga"))
    try:
        for _ in range(10):  # a burst of 10 requests in well under a second
            server.api("POST", "/sites/testsite/positions", json={"positions": positions(3, -80, 70)})
        updates = wait_for(lambda: operator.events.get("occupancy"))
        operator.client.sleep(1.0)
        updates = operator.events["occupancy"]
        assert len(updates) < 10, "a burst must not become one message per request"
        cave = next(z for z in updates[-1]["zones"] if z["zone_id"] == "t-cave-01")
        assert cave["count"] == 30 and cave["level"] == "stop"
    finally:
        operator.client.disconnect()


def test_operators_command_kiosks_over_control_and_viewers_may_not(server: LiveServer) -> None:
    body = server.api("POST", "/kiosks", json={"site_id": "testsite", "lon": 100, "lat": 30,
                                               "group": "hall"}).json()
    received: list[dict] = []
    kiosk = socketio.Client(reconnection=False)
    kiosk.on("command", lambda data: (received.append(data), {"ok": True})[1], namespace="/kiosk")
    kiosk.connect(server.url, namespaces=["/kiosk"], transports=["websocket"],
                  auth={"kiosk_id": body["kiosk_id"], "token": body["token"]}, wait_timeout=5)
    operator = Operator(server, server.login("olga"))
    viewer = Operator(server, server.login("vera", role="viewer"))
    try:
        ack = operator.client.call("command", {"group": "hall", "action": "pause"},
                                   namespace="/control", timeout=5)
        assert ack["ok"] and [c["kiosk_id"] for c in ack["commands"]] == [body["kiosk_id"]]
        wait_for(lambda: any(c["action"] == "pause" for c in received))
        refused = viewer.client.call("command", {"kiosk_id": body["kiosk_id"], "action": "play"},
                                     namespace="/control", timeout=5)
        assert refused["ok"] is False and refused["code"] == "forbidden"
        bad = operator.client.call("command", {"kiosk_id": body["kiosk_id"], "action": "fly"},
                                   namespace="/control", timeout=5)
        assert bad["ok"] is False and "unknown action" in bad["error"] and bad["code"] == "invalid"
        assert kiosk.call("heartbeat", {"scene": "x", "state": "idle", "fps": 20},
                          namespace="/kiosk", timeout=5)["ok"]
        wait_for(lambda: any(s.get("kiosk_id") == body["kiosk_id"]
                             for s in operator.events.get("kiosk_status", [])))
    finally:
        for c in (kiosk, operator.client, viewer.client):
            c.disconnect()


BAD_COMMANDS = [
    {"action": "announce", "args": {"text": "hi", "duration_s": -5}},
    {"action": "announce", "args": {"text": {"fr": "Bonjour"}}},
    {"action": "announce", "args": {"text": "x" * 501}},
    {"action": "set_language", "args": {"lang": "fr"}},
    {"action": "start_session", "args": {"duration_s": True}},
    {"action": "extend_session", "args": {"seconds": 14401}},
    {"action": "play", "args": {"speed": 2}},
    {"action": "fly", "args": {}},
    {"action": "pause", "args": []},
    {"action": "load_scene", "args": {}},
    {"action": "load_scene", "args": {"experience_id": "atlantis"}},
]


def test_a_bad_command_gets_the_same_refusal_over_rest_and_over_control(server: LiveServer) -> None:
    body = server.api("POST", "/kiosks", json={"site_id": "testsite", "lon": 100, "lat": 30,
                                               "group": "same"}).json()
    operator = Operator(server, server.login("olga"))
    try:
        for command in BAD_COMMANDS:
            rest = server.api("POST", f"/kiosks/{body['kiosk_id']}/commands", json=command)
            group = server.api("POST", "/commands", json={"group": "same", **command})
            over_socket = operator.client.call("command", {"kiosk_id": body["kiosk_id"], **command},
                                               namespace="/control", timeout=5)
            for answer in (rest, group):
                assert answer.status_code == 422, (command, answer.text)
                assert answer.json()["error"]["code"] == over_socket["code"], command
                assert answer.json()["error"]["message"] == over_socket["error"], command
            assert over_socket["ok"] is False and set(over_socket) == {"ok", "error", "code"}
        commands = server.api("GET", f"/kiosks/{body['kiosk_id']}/commands").json()["commands"]
        assert commands == [], "a refused command is stored nowhere"
    finally:
        operator.client.disconnect()


def test_load_scene_with_only_an_experience_carries_that_experiences_scene_on_every_path(
        server: LiveServer) -> None:
    body = server.api("POST", "/kiosks", json={"site_id": "testsite", "lon": 100, "lat": 30,
                                               "group": "scenes"}).json()
    load = {"action": "load_scene", "args": {"experience_id": "t-intro"}}
    operator = Operator(server, server.login("olga"))
    try:
        sent = [server.api("POST", f"/kiosks/{body['kiosk_id']}/commands", json=load).json(),
                server.api("POST", "/commands", json={"group": "scenes", **load}).json(),
                operator.client.call("command", {"kiosk_id": body["kiosk_id"], **load},
                                     namespace="/control", timeout=5)]
    finally:
        operator.client.disconnect()
    for answer in sent:
        assert [c["args"] for c in answer["commands"]] == [
            {"experience_id": "t-intro", "scene": "mogao_cave"}], answer
    stored = server.api("GET", f"/kiosks/{body['kiosk_id']}/commands").json()["commands"]
    assert [c["args"]["scene"] for c in stored] == ["mogao_cave"] * 3


def test_load_scene_of_an_experience_that_does_not_exist_is_refused_on_every_path(
        server: LiveServer) -> None:
    body = server.api("POST", "/kiosks", json={"site_id": "testsite", "lon": 100, "lat": 30,
                                               "group": "nowhere"}).json()
    load = {"action": "load_scene", "args": {"experience_id": "atlantis", "scene": "mogao_cave"}}
    operator = Operator(server, server.login("olga"))
    try:
        ack = operator.client.call("command", {"kiosk_id": body["kiosk_id"], **load},
                                   namespace="/control", timeout=5)
    finally:
        operator.client.disconnect()
    assert ack == {"ok": False, "error": "no experience 'atlantis'", "code": "unknown_experience"}
    for answer in (server.api("POST", f"/kiosks/{body['kiosk_id']}/commands", json=load),
                   server.api("POST", "/commands", json={"group": "nowhere", **load})):
        assert answer.status_code == 422
        assert answer.json()["error"] == {"code": "unknown_experience",
                                          "message": "no experience 'atlantis'"}
    assert server.api("GET", f"/kiosks/{body['kiosk_id']}/commands").json()["commands"] == []


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_kiosk_sending_too_fast_is_limited_and_an_oversize_frame_is_cut_off(server: LiveServer) -> None:
    body = server.api("POST", "/kiosks", json={"site_id": "testsite", "lon": 100, "lat": 30}).json()
    kiosk = socketio.Client(reconnection=False)
    kiosk.connect(server.url, namespaces=["/kiosk"], transports=["websocket"],
                  auth={"kiosk_id": body["kiosk_id"], "token": body["token"]}, wait_timeout=5)
    try:
        answers = [kiosk.call("heartbeat", {"fps": 30}, namespace="/kiosk", timeout=5)
                   for _ in range(60)]
        assert {"ok": False, "error": "rate limited", "code": "rate_limited"} in answers
        assert answers[0] == {"ok": True}
        kiosk.sleep(2.5)  # the bucket refills
        assert kiosk.call("heartbeat", {"fps": 30}, namespace="/kiosk", timeout=5) == {"ok": True}
        kiosk.emit("heartbeat", {"scene": "x" * 10_000}, namespace="/kiosk")
        wait_for(lambda: not kiosk.connected, timeout=5)  # noqa: F821 (deleted below, after use)
    finally:
        kiosk.disconnect()
        del kiosk
        gc.collect()  # python-socketio's client leaves its socket open when the server cuts it
    assert server.api("GET", "/health").ok, "the server survives"
