"""The official JavaScript client (socket.io-client from npm) can act as a kiosk."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import unavailable
from tests.helpers import ROOT, LiveServer, wait_for

SCRIPT = Path(__file__).parent / "js" / "kiosk.mjs"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path_factory.mktemp("js")).start()
    yield live
    live.stop()


def run_kiosk(server: LiveServer, kiosk_id: str, token: str) -> subprocess.Popen:
    if shutil.which("node") is None or not (ROOT / "node_modules" / "socket.io-client").exists():
        unavailable("node and node_modules/socket.io-client (npm ci) are needed")
    return subprocess.Popen(["node", str(SCRIPT), server.url, kiosk_id, token], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_the_js_client_connects_heartbeats_and_acknowledges_a_command(server: LiveServer) -> None:
    body = server.api("POST", "/kiosks", json={"site_id": "testsite", "lon": 100, "lat": 30}).json()
    proc = run_kiosk(server, body["kiosk_id"], body["token"])
    assert proc.stdout is not None
    first = json.loads(proc.stdout.readline())
    assert first == {"step": "connected"}
    assert json.loads(proc.stdout.readline()) == {"step": "heartbeat", "ack": {"ok": True}}
    sent = server.api("POST", f"/kiosks/{body['kiosk_id']}/commands",
                      json={"action": "load_scene",
                            "args": {"experience_id": "t-intro", "scene": "mogao_cave"}}).json()
    line = json.loads(proc.stdout.readline())
    assert line["step"] == "command" and line["command"]["id"] == sent["commands"][0]["id"]
    proc.communicate(timeout=20)  # closes the pipes
    assert proc.returncode == 0
    wait_for(lambda: server.api("GET", f"/kiosks/{body['kiosk_id']}/commands")
             .json()["commands"][0]["status"] == "acked")


def test_the_js_client_with_a_wrong_token_is_refused(server: LiveServer) -> None:
    body = server.api("POST", "/kiosks", json={"site_id": "testsite", "lon": 100, "lat": 30}).json()
    proc = run_kiosk(server, body["kiosk_id"], "kt_not-the-token")
    out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 1
    assert json.loads(out.splitlines()[0])["step"] == "refused"
