"""/ingest: gateways send batches over Socket.IO with an API token and get per-batch acks."""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import socketio

from tests.integration.live import LiveServer

M_LON = 1 / (111320 * math.cos(math.radians(30)))
M_LAT = 1 / 111320


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
    positions = [{"event_id": uuid.uuid4().hex, "visitor_id": f"v{i}", "ts": now,
                  "lon": 100 - 80 * M_LON, "lat": 30 + 70 * M_LAT} for i in range(5)]
    try:
        ack = client.call("positions", {"site_id": "testsite", "positions": positions},
                          namespace="/ingest", timeout=10)
        assert ack["ok"] and (ack["accepted"], ack["duplicates"]) == (5, 0)
        assert {r["zone_id"] for r in ack["results"]} == {"t-cave-01"}
        again = client.call("positions", {"site_id": "testsite", "positions": positions},
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


def test_bad_batches_are_refused_in_the_ack_with_a_message_and_the_rest_code(server: LiveServer) -> None:
    client = gateway(server)
    try:
        for data, code in [({"positions": []}, "bad_request"),
                           ({"site_id": "atlantis", "positions": []}, "not_found"),
                           ({"site_id": "testsite", "positions": [{"event_id": "x"}]}, "invalid")]:
            ack = client.call("positions", data, namespace="/ingest", timeout=10)
            assert ack["ok"] is False and ack["code"] == code, ack
    finally:
        client.disconnect()


def test_only_ingest_capable_tokens_may_connect(server: LiveServer) -> None:
    with pytest.raises(socketio.exceptions.ConnectionError):
        gateway(server, role="viewer")
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(server.url, namespaces=["/ingest"], transports=["websocket"],
                       auth={"token": "lt_wrong"}, wait_timeout=5)
    client.disconnect()


def test_revoking_a_token_closes_its_open_sockets_at_once(server: LiveServer) -> None:
    from tests.integration.live import wait_for

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
        import time

        time.sleep(5.2)  # the socket re-checks its token at most every 5 s
        ack = client.call("readings", {"site_id": "testsite",
                                       "readings": [{**reading, "event_id": uuid.uuid4().hex}]},
                          namespace="/ingest", timeout=10)
        assert ack["ok"] is False and ack["code"] == "unauthenticated"
    finally:
        client.disconnect()
