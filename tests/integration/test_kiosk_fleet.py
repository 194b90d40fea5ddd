"""Kiosks over a real Socket.IO connection: auth, commands with ack, replay, sessions, pairing."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import socketio

from tests.helpers import Kiosk, LiveServer, new_kiosk, wait_for


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path_factory.mktemp("fleet")).start()
    yield live
    live.stop()


def test_a_command_is_delivered_acknowledged_and_audited(server: LiveServer) -> None:
    kiosk = Kiosk(server, *new_kiosk(server)).connect()
    try:
        response = server.api("POST", f"/kiosks/{kiosk.kiosk_id}/commands",
                              json={"action": "announce", "args": {"text": {"en": "Closing soon"}}})
        assert response.status_code == 202
        wait_for(lambda: kiosk.commands)
        assert kiosk.commands[0]["action"] == "announce" and kiosk.commands[0]["seq"] == 1
        states = wait_for(lambda: [c for c in server.api("GET", f"/kiosks/{kiosk.kiosk_id}/commands")
                                   .json()["commands"] if c["status"] == "acked"])
        assert states[0]["issued_by"].startswith("token:")
    finally:
        kiosk.close()


def test_an_unacknowledged_command_is_sent_again_on_the_next_connection_only(
        server: LiveServer) -> None:
    kiosk = Kiosk(server, *new_kiosk(server))
    gate = threading.Event()

    def held(data: dict[str, Any]) -> dict[str, Any]:
        kiosk.commands.append(data)
        gate.wait(10)  # the kiosk sits on the command: no ack on this connection
        return {"ok": True}

    kiosk.client.on("command", held, namespace="/kiosk")
    kiosk.connect()
    try:
        server.api("POST", f"/kiosks/{kiosk.kiosk_id}/commands", json={"action": "pause"})
        wait_for(lambda: kiosk.commands)
        server.delivery_turns(2)  # several turns of the server's once-a-second delivery
        assert len(kiosk.commands) == 1  # the connection delivered it; no copies behind it
    finally:
        kiosk.close()
        gate.set()
    kiosk.last_seq = 0  # it never finished the command
    kiosk.reconnect()
    try:
        wait_for(lambda: len(kiosk.commands) >= 2)
        assert kiosk.commands[0]["id"] == kiosk.commands[1]["id"]
        assert kiosk.commands[0]["seq"] == kiosk.commands[1]["seq"]
        wait_for(lambda: server.api("GET", f"/kiosks/{kiosk.kiosk_id}/commands")
                 .json()["commands"][0]["status"] == "acked")
    finally:
        kiosk.close()


def test_a_reconnecting_kiosk_gets_each_missed_command_once(server: LiveServer) -> None:
    kiosk = Kiosk(server, *new_kiosk(server)).connect()
    server.api("POST", f"/kiosks/{kiosk.kiosk_id}/commands", json={"action": "play"})
    wait_for(lambda: kiosk.commands)
    kiosk.close()
    for lang in ("zh", "en"):
        server.api("POST", f"/kiosks/{kiosk.kiosk_id}/commands",
                   json={"action": "set_language", "args": {"lang": lang}})
    kiosk.reconnect()
    try:
        wait_for(lambda: len(kiosk.commands) >= 3)
        server.delivery_turns(2)  # a retry would arrive by now
        assert [c["seq"] for c in kiosk.commands] == [1, 2, 3]
    finally:
        kiosk.close()


def test_heartbeats_make_a_kiosk_online_with_its_scene_and_fps(server: LiveServer) -> None:
    kiosk = Kiosk(server, *new_kiosk(server)).connect()
    try:
        assert kiosk.call("heartbeat", {"scene": "mogao_cave", "state": "playing", "fps": 31.5}) == {
            "ok": True}

        def status() -> dict[str, Any] | None:
            rows = server.api("GET", "/kiosks").json()["kiosks"]
            row = next(k for k in rows if k["kiosk_id"] == kiosk.kiosk_id)
            return row if row["fps"] == 31.5 else None

        row = wait_for(status)
        assert row["online"] and row["scene"] == "mogao_cave" and row["state"] == "playing"
    finally:
        kiosk.close()


def test_a_timed_session_starts_extends_and_ends_on_the_kiosk(server: LiveServer) -> None:
    kiosk = Kiosk(server, *new_kiosk(server)).connect()
    try:
        started = server.api("POST", f"/kiosks/{kiosk.kiosk_id}/sessions",
                             json={"duration_s": 2, "experience_id": "t-intro"})
        assert started.status_code == 201 and started.json()["status"] == "running"
        queued = server.api("POST", f"/kiosks/{kiosk.kiosk_id}/sessions", json={"duration_s": 60})
        assert queued.json()["status"] == "queued"
        wait_for(lambda: any(c["action"] == "start_session" for c in kiosk.commands))
        # the 2-second session auto-ends, and the queued one starts
        wait_for(lambda: [c["action"] for c in kiosk.commands].count("start_session") == 2, timeout=8)
        actions = [c["action"] for c in kiosk.commands]
        assert actions.index("end_session") > actions.index("load_scene")
        extended = server.api("POST", f"/kiosks/{kiosk.kiosk_id}/sessions/current/extend",
                              json={"seconds": 30})
        assert extended.json()["duration_s"] == 90
        ended = server.api("POST", f"/kiosks/{kiosk.kiosk_id}/sessions/current/end")
        assert ended.json()["status"] == "ended"
        again = server.api("POST", f"/kiosks/{kiosk.kiosk_id}/sessions/current/end")
        assert again.status_code == 409
    finally:
        kiosk.close()


def test_pairing_gives_a_code_then_a_token_on_approval(server: LiveServer) -> None:
    client = socketio.Client(reconnection=False)
    got: dict[str, Any] = {}
    client.on("pairing", lambda data: got.update(pairing=data), namespace="/kiosk")
    client.on("paired", lambda data: got.update(paired=data), namespace="/kiosk")
    client.connect(server.url, namespaces=["/kiosk"], transports=["websocket"],
                   auth={"pair": True, "name": "Hall kiosk", "kind": "vr"}, wait_timeout=5)
    try:
        wait_for(lambda: "pairing" in got)
        kiosk_id, code = got["pairing"]["kiosk_id"], got["pairing"]["code"]
        listed = next(k for k in server.api("GET", "/kiosks").json()["kiosks"] if k["kiosk_id"] == kiosk_id)
        # the code is on the kiosk's screen only, never in the fleet's listing
        assert listed["status"] == "pending" and listed["pairing_code"] is None
        assert got["pairing"]["expires_in"] == 600
        assert server.api("POST", f"/kiosks/{kiosk_id}/approve",
                          json={"site_id": "testsite", "code": code}).ok
        wait_for(lambda: "paired" in got)
        wait_for(lambda: not client.connected)
    finally:
        client.disconnect()
    kiosk = Kiosk(server, kiosk_id, got["paired"]["token"]).connect()
    kiosk.close()
    assert server.api("POST", f"/kiosks/{kiosk_id}/approve", json={"code": code}).status_code == 409


def test_revocation_disconnects_at_once_and_refuses_later(server: LiveServer) -> None:
    kiosk = Kiosk(server, *new_kiosk(server)).connect()
    assert server.api("POST", f"/kiosks/{kiosk.kiosk_id}/revoke").ok
    wait_for(lambda: not kiosk.client.connected)
    wait_for(kiosk.revoked.is_set)  # told why, just before the disconnect
    with pytest.raises(socketio.exceptions.ConnectionError):
        kiosk.reconnect()


def test_a_silent_kiosk_goes_offline_with_an_alert_and_history(server: LiveServer) -> None:
    kiosk = Kiosk(server, *new_kiosk(server)).connect()
    assert kiosk.call("heartbeat", {"state": "idle", "fps": 30}) == {"ok": True}

    def row() -> dict[str, Any]:
        return next(k for k in server.api("GET", "/kiosks").json()["kiosks"]
                    if k["kiosk_id"] == kiosk.kiosk_id)

    wait_for(lambda: row()["online"])
    wait_for(lambda: not row()["online"], timeout=10)  # offline after 3 s of silence
    kiosk.close()
    with sqlite3.connect(server.tmp / "instance" / "lantern.db") as db:
        alerts = db.execute("SELECT kind, state FROM alerts WHERE subject = ?",
                            (kiosk.kiosk_id,)).fetchall()
        history = db.execute("SELECT online FROM kiosk_presence WHERE kiosk_id = ? ORDER BY id",
                             (kiosk.kiosk_id,)).fetchall()
    assert alerts == [("kiosk_offline", "raised")]
    assert [h[0] for h in history] == [1, 0]
    changes = server.api("GET", f"/kiosks/{kiosk.kiosk_id}/presence").json()["changes"]
    assert [c["online"] for c in changes] == [False, True]


def test_no_more_than_32_commands_are_in_flight_to_one_kiosk(server: LiveServer) -> None:
    kiosk = Kiosk(server, *new_kiosk(server))
    gate = threading.Event()

    def held(data: dict[str, Any]) -> dict[str, Any]:
        kiosk.commands.append(data)
        gate.wait(10)  # the kiosk sits on its first command: nothing is acknowledged
        return {"ok": True}

    kiosk.client.on("command", held, namespace="/kiosk")
    kiosk.connect()
    try:
        for _ in range(40):
            server.api("POST", f"/kiosks/{kiosk.kiosk_id}/commands", json={"action": "play"})

        def sent() -> int:
            rows = server.api("GET", f"/kiosks/{kiosk.kiosk_id}/commands").json()["commands"]
            return sum(1 for r in rows if r["attempts"] > 0)

        wait_for(lambda: sent() == 32)
        server.delivery_turns(2)  # the delivery sends no more while nothing is acknowledged
        assert sent() == 32
        gate.set()
        wait_for(lambda: len(kiosk.commands) >= 40, timeout=20)
    finally:
        gate.set()
        kiosk.close()
