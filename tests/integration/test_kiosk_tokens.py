"""Rotating a connected kiosk's token on a real server: the connection closes, the old token is
refused, the new one connects, and a command the kiosk had not acknowledged is delivered once
on the new connection, not lost."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import socketio

from tests.helpers import Kiosk, LiveServer, new_kiosk, wait_for


class BusyKiosk(Kiosk):
    """A kiosk that takes ``busy_s`` over each command before it answers (loading a scene) and
    reconnects with the ``last_seq`` it had before, as a kiosk does whose answer may not have
    arrived: the server sends again what it did not hear acknowledged."""

    busy_s = 0.0

    def _on_command(self, data: dict[str, Any]) -> dict[str, Any]:
        self.commands.append(data)
        time.sleep(self.busy_s)
        return {"ok": self.ok}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path).start()
    yield live
    live.stop()


def command_status(server: LiveServer, kiosk_id: str, command_id: str) -> str:
    rows = server.api("GET", f"/kiosks/{kiosk_id}/commands").json()["commands"]
    return next(c["status"] for c in rows if c["id"] == command_id)


def test_rotating_a_connected_kiosks_token_closes_it_and_keeps_its_unanswered_command(
        server: LiveServer) -> None:
    kiosk_id, old = new_kiosk(server)
    kiosk = BusyKiosk(server, kiosk_id, old).connect()
    kiosk.busy_s = 3.0  # the command is on the kiosk when the token changes, not yet answered
    issued = server.api("POST", f"/kiosks/{kiosk_id}/commands", json={"action": "pause"})
    assert issued.status_code == 202, issued.text
    command_id = issued.json()["commands"][0]["id"]
    wait_for(lambda: kiosk.commands, timeout=5, what="the command on the kiosk")

    rotated = server.api("POST", f"/kiosks/{kiosk_id}/token")
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["token"]
    wait_for(lambda: not kiosk.client.connected, timeout=10, what="the old connection to close")
    assert command_status(server, kiosk_id, command_id) in ("pending", "sent")

    with pytest.raises(socketio.exceptions.ConnectionError):
        Kiosk(server, kiosk_id, old).connect()

    kiosk.busy_s = 0.0
    kiosk.token = new
    seen_before = len(kiosk.commands)
    kiosk.reconnect()
    try:
        wait_for(lambda: command_status(server, kiosk_id, command_id) == "acked", timeout=10,
                 what="the command acknowledged on the new connection")
        server.delivery_turns(2)  # whatever would be sent again has been by now
        after = [c["id"] for c in kiosk.commands[seen_before:]]
        assert after == [command_id], "delivered once on the new connection"
    finally:
        kiosk.close()
