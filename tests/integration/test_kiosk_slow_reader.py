"""A kiosk that connects and then stops reading its socket while operators keep commanding it:
the server holds a bounded number of bytes for it, never piles copies onto that connection,
and its memory stays put."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import websocket

from tests.helpers import LiveServer, rss_mb
from tests.integration.raw_socketio import RawSocketIO

INFLIGHT_BYTES = 32 * 1024
RSS_BOUND_MB = 50


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path_factory.mktemp("slow-reader"), LANTERN_COMMAND_TTL_S="10",
                      LANTERN_KIOSK_INFLIGHT_BYTES=str(INFLIGHT_BYTES)).start()
    yield live
    live.stop()


def wire_size(row: dict[str, Any]) -> int:
    return len(json.dumps({k: row[k] for k in ("id", "seq", "action", "args")}))


def commands_on_the_wire(reader: RawSocketIO) -> Counter[str]:
    """Read what the server queued for the connection: how often each command id came."""
    seen: Counter[str] = Counter()
    reader.ws.settimeout(2)
    try:
        while True:
            message = reader.ws.recv()
            if isinstance(message, str) and message.startswith("42/kiosk,"):
                payload = json.loads(message[message.index("["):])
                if payload[0] == "command":
                    seen[payload[1]["id"]] += 1
    except (websocket.WebSocketTimeoutException, websocket.WebSocketConnectionClosedException):
        return seen


def test_a_kiosk_that_stops_reading_keeps_the_servers_memory_bounded(server: LiveServer) -> None:
    made = server.api("POST", "/kiosks", json={"site_id": "testsite", "lon": 100.0, "lat": 29.999})
    kiosk_id, token = made.json()["kiosk_id"], made.json()["token"]
    assert server.proc is not None
    # a small receive buffer: what the kiosk does not read stays on the server's side
    reader = RawSocketIO(server.url, "/kiosk", {"kiosk_id": kiosk_id, "token": token},
                         receive_buffer=4096)
    assert reader.connected
    # announcements far beyond the bounds, then the largest the bounds allow, again and again
    oversized = {"action": "announce", "args": {"text": {"en": "x" * 1_000_000}}}
    largest = {"action": "announce", "args": {"text": {"en": "a" * 500, "zh": "窟" * 500},
                                              "duration_s": 10}}
    accepted: list[str] = []

    def send(body: dict[str, Any]) -> None:
        response = server.api("POST", f"/kiosks/{kiosk_id}/commands", json=body)
        if response.status_code == 202:
            accepted.append(response.json()["commands"][0]["id"])

    for _ in range(12):
        send(oversized)
    # measured from here: refusing a large body leaves garbage of a few times its size until
    # the collector runs, whatever happens to the kiosk
    base = peak = rss_mb(server.proc.pid)
    deadline = time.monotonic() + 8  # within the commands' lifetime: nothing expires yet
    while time.monotonic() < deadline and peak - base < RSS_BOUND_MB:
        send(largest)
        peak = max(peak, rss_mb(server.proc.pid))
        time.sleep(0.05)
    assert peak - base < RSS_BOUND_MB, f"server memory grew by {peak - base:.0f} MB"

    rows = server.api("GET", f"/kiosks/{kiosk_id}/commands").json()["commands"]
    # a slow reader answers nothing: its commands are waiting, or sent and not yet acknowledged
    assert len(accepted) > 50 and {r["status"] for r in rows} <= {"pending", "sent"}
    in_flight = [r for r in rows if r["status"] == "sent"]
    largest_size = max(wire_size(r) for r in rows)
    assert sum(wire_size(r) for r in in_flight) <= INFLIGHT_BYTES + largest_size
    # reading now, the kiosk finds each command on its connection at most once
    seen = commands_on_the_wire(reader)
    reader.close()
    assert seen and max(seen.values()) == 1
