"""The loop no peer closes: CO2 over the limit closes a cave and its neighbours' kiosks switch to
the cave's virtual substitute; clearing waits for an operator, who reopens it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import socketio

from tests.helpers import LiveServer, Operator, wait_for

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)  # alerts act on the present


def readings(start: int, stop: int, co2: float, prefix: str) -> list[dict[str, Any]]:
    return [{"event_id": f"{prefix}-{s}", "sensor_id": "t-s-01", "ts": (T0 + timedelta(seconds=s))
             .isoformat(), "temperature_c": 14.0, "relative_humidity": 40.0, "co2_ppm": co2}
            for s in range(start, stop, 10)]


def test_co2_closes_the_cave_switches_kiosks_and_an_operator_reopens_it(tmp_path: Path) -> None:
    server = LiveServer(tmp_path).start()
    commands: list[dict[str, Any]] = []
    lock = threading.Lock()

    def on_command(data: dict[str, Any]) -> dict[str, Any]:
        with lock:
            commands.append(data)
        return {"ok": True}

    body = server.api("POST", "/kiosks", json={"site_id": "testsite", "lon": 100 - 50 / 96406,
                                               "lat": 30 - 100 / 111320, "kind": "vr"}).json()
    kiosk = socketio.Client(reconnection=False)
    kiosk.on("command", on_command, namespace="/kiosk")
    operator = Operator(server)
    try:
        kiosk.connect(server.url, namespaces=["/kiosk"], transports=["websocket"],
                      auth={"kiosk_id": body["kiosk_id"], "token": body["token"]}, wait_timeout=5)

        # CO2 above 1500 ppm for longer than the 60 s hold time
        raised = server.api("POST", "/sites/testsite/sensor-readings",
                            json={"readings": readings(0, 80, 1900.0, "high")}).json()
        assert [a["change"] for a in raised["alerts"]] == ["raised"]
        zones = {f["id"]: f["properties"] for f in
                 server.api("GET", "/sites/testsite/zones").json()["features"]}
        assert (zones["t-cave-01"]["state"], zones["t-cave-01"]["capacity"]) == ("closed", 0)

        def substitute_loaded() -> bool:
            with lock:
                return any(c["action"] == "load_scene"
                           and c["args"]["experience_id"] == "t-cave-01-virtual" for c in commands)
        wait_for(substitute_loaded)
        wait_for(lambda: any(e["zone_id"] == "t-cave-01" and e["state"] == "closed"
                             for e in operator.heard("zone_state")))
        wait_for(lambda: any(a.get("state") == "raised" for a in operator.heard("alert")))

        # back under 1500 - 150 for the hold time: cleared, but the cave waits for an operator
        cleared = server.api("POST", "/sites/testsite/sensor-readings",
                             json={"readings": readings(90, 170, 900.0, "low")}).json()
        assert [a["change"] for a in cleared["alerts"]] == ["cleared"]
        zones = {f["id"]: f["properties"] for f in
                 server.api("GET", "/sites/testsite/zones").json()["features"]}
        assert zones["t-cave-01"]["state"] == "closed"

        assert server.api("POST", "/sites/testsite/zones/t-cave-01/state",
                          json={"state": "open", "reason": "checked on site"}).ok

        def default_back() -> bool:
            with lock:
                loads = [c for c in commands if c["action"] == "load_scene"]
            return bool(loads) and loads[-1]["args"]["experience_id"] == "t-intro"
        wait_for(default_back)
    finally:
        kiosk.disconnect()
        operator.close()
        server.stop()
