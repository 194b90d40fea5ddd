"""A command that is not delivered within LANTERN_COMMAND_TTL_S expires and is never sent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers import Kiosk, LiveServer, new_kiosk, wait_for

TTL_S = 1


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path_factory.mktemp("expiry"), LANTERN_COMMAND_TTL_S=str(TTL_S)).start()
    yield live
    live.stop()


def command_states(server: LiveServer, kiosk_id: str) -> list[tuple[int, str]]:
    body = server.api("GET", f"/kiosks/{kiosk_id}/commands").json()
    return sorted((c["seq"], c["status"]) for c in body["commands"])


def test_a_command_never_delivered_within_its_ttl_expires_and_is_not_sent_later(
        server: LiveServer) -> None:
    kiosk = Kiosk(server, *new_kiosk(server))  # registered, never connected yet
    issued = server.api("POST", f"/kiosks/{kiosk.kiosk_id}/commands", json={"action": "pause"})
    assert issued.status_code == 202, issued.text
    wait_for(lambda: command_states(server, kiosk.kiosk_id) == [(1, "expired")], timeout=10)
    kiosk.connect()
    try:
        later = server.api("POST", f"/kiosks/{kiosk.kiosk_id}/commands", json={"action": "play"})
        assert later.status_code == 202, later.text
        # the fresh command arrives, so the connection delivers: the expired one never does
        wait_for(lambda: kiosk.commands)
        server.delivery_turns(2)  # what the delivery would send, it has sent by now
        assert [(c["seq"], c["action"]) for c in kiosk.commands] == [(2, "play")]
        assert command_states(server, kiosk.kiosk_id)[0] == (1, "expired")
    finally:
        kiosk.close()
