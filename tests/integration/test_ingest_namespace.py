"""/ingest over a real socket: gateways send batches with an API token and get per-batch acks; a
revoked token's sockets close. Refused connections and batches are in
tests/unit/test_namespaces.py."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import socketio

from tests.helpers import LiveServer, positions, wait_for


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path_factory.mktemp("ingest")).start()
    yield live
    live.stop()


def gateway(server: LiveServer, role: str = "ingest") -> socketio.Client:
    token = server.api("POST", "/tokens", json={"role": role}).json()["token"]
    client = socketio.Client(reconnection=False)
    client.connect(server.url, namespaces=["/ingest"], transports=["websocket"],
                   auth={"token": token}, wait_timeout=5)
    return client


def test_a_gateway_streams_positions_and_readings_and_gets_acks(server: LiveServer) -> None:
    client = gateway(server)
    now = datetime.now(UTC).isoformat()
    batch = positions(5)
    try:
        ack = client.call("positions", {"site_id": "testsite", "positions": batch},
                          namespace="/ingest", timeout=10)
        assert ack["ok"] and (ack["accepted"], ack["duplicates"]) == (5, 0)
        assert {r["zone_id"] for r in ack["results"]} == {"t-cave-01"}
        again = client.call("positions", {"site_id": "testsite", "positions": batch},
                            namespace="/ingest", timeout=10)
        assert (again["accepted"], again["duplicates"]) == (0, 5)
        reading = {"event_id": "r-1", "sensor_id": "t-s-01", "ts": now, "co2_ppm": 800.0,
                   "temperature_c": 14.0, "relative_humidity": 40.0}
        ack = client.call("readings", {"site_id": "testsite", "readings": [reading]},
                          namespace="/ingest", timeout=10)
        assert ack["ok"] and ack["accepted"] == 1
    finally:
        client.disconnect()
    counts = {z["zone_id"]: z["count"] for z in server.api("GET", "/sites/testsite/occupancy")
              .json()["zones"]}
    assert counts["t-cave-01"] == 5


def test_revoking_a_token_closes_its_open_sockets_at_once(server: LiveServer) -> None:
    issued = server.api("POST", "/tokens", json={"role": "ingest", "name": "gate 3"}).json()
    clients = []
    for _ in range(2):
        client = socketio.Client(reconnection=False)
        client.connect(server.url, namespaces=["/ingest"], transports=["websocket"],
                       auth={"token": issued["token"]}, wait_timeout=5)
        clients.append(client)
    other = gateway(server)  # a socket of another token stays open
    try:
        assert server.api("POST", f"/tokens/{issued['id']}/revoke").ok
        wait_for(lambda: not any(c.connected for c in clients), timeout=5)
        assert other.connected
        refused = socketio.Client(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            refused.connect(server.url, namespaces=["/ingest"], transports=["websocket"],
                            auth={"token": issued["token"]}, wait_timeout=5)
    finally:
        for client in [*clients, other]:
            client.disconnect()


def test_a_token_revoked_from_the_command_line_stops_its_socket_storing_batches(
        server: LiveServer) -> None:
    issued = server.api("POST", "/tokens", json={"role": "ingest"}).json()
    client = socketio.Client(reconnection=False)
    client.connect(server.url, namespaces=["/ingest"], transports=["websocket"],
                   auth={"token": issued["token"]}, wait_timeout=5)
    reading = {"sensor_id": "t-s-01", "ts": datetime.now(UTC).isoformat(), "co2_ppm": 700.0}
    try:
        first = client.call("readings", {"site_id": "testsite",
                                         "readings": [{**reading, "event_id": uuid.uuid4().hex}]},
                            namespace="/ingest", timeout=10)
        assert first["ok"] is True
        assert "revoked" in server.cli("revoke-token", str(issued["id"]))

        def refused() -> dict[str, Any] | None:
            ack = client.call("readings", {"site_id": "testsite",
                                           "readings": [{**reading, "event_id": uuid.uuid4().hex}]},
                              namespace="/ingest", timeout=10)
            return None if ack["ok"] else ack  # type: ignore[no-any-return]

        # the socket re-checks its token at most every 5 s: until then its batches are stored
        ack = wait_for(refused, timeout=7, interval=0.25)
        assert ack["code"] == "unauthenticated"
        wait_for(lambda: not client.connected, timeout=5)
    finally:
        client.disconnect()
