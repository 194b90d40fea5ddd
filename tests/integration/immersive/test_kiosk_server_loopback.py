"""The headless kiosk program against the project's own server on loopback.

These tests need the server's ``/kiosk`` Socket.IO namespace (``server.realtime``). Until it
exists they are skipped with that reason; they talk to the server only through its CLI,
REST API and the wire protocol of docs/protocol.md.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.helpers import free_port, wait_for

ROOT = Path(__file__).resolve().parents[3]
EXPERIENCE = "mogao-cave-465-virtual"  # venues/mogao/experiences.json, scene mogao_cave


pytestmark = [pytest.mark.slow]
WAIT_S = 20.0  # a kiosk process starts Panda3D before it connects


class Server:
    def __init__(self, instance: Path) -> None:
        self.env = dict(os.environ, LANTERN_INSTANCE_PATH=str(instance),
                        LANTERN_KIOSK_OFFLINE_AFTER_S="5")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def cli(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "server", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "server", "run", "--port", str(self.port)], cwd=ROOT,
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_for(self._healthy, timeout=30, what="the server to answer /api/v1/health")

    def _healthy(self) -> bool:
        try:
            return requests.get(f"{self.url}/api/v1/health", timeout=1).ok
        except requests.RequestException:
            return False

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
            self.proc = None


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("lantern") / "instance")
    srv.cli("init-db")
    srv.cli("load-venues")
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def admin(server: Server) -> dict[str, str]:
    token = json.loads(server.cli("create-token", "--role", "admin", "--json"))["token"]
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def kiosk(server: Server, tmp_path: Path) -> Iterator[dict[str, Any]]:
    made = json.loads(server.cli("create-kiosk", "--site", "mogao", "--lon", "94.809",
                                 "--lat", "40.042", "--kind", "vr", "--json"))
    state = tmp_path / "kiosk-state"
    proc = subprocess.Popen(
        [sys.executable, "-m", "immersive", "kiosk", "--server", server.url,
         "--kiosk-id", made["kiosk_id"], "--token", made["token"], "--state-dir", str(state),
         "--headless", "--size", "160x90", "--max-fps", "15", "--heartbeat", "0.5",
         "--backoff-max", "2"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    yield {"id": made["kiosk_id"], "state": state, "proc": proc}
    proc.terminate()
    proc.wait(timeout=20)


def test_the_kiosk_heartbeats_its_scene_state_and_fps(server, admin, kiosk):
    # --scene is not given: the kiosk is idle until told; its heartbeat says so
    entry = wait_for(lambda: (fleet_entry(server, admin, kiosk["id"]) or {}).get("fps")
                     and fleet_entry(server, admin, kiosk["id"]),
                     timeout=WAIT_S, what="a heartbeat with fps")
    assert entry["online"] and entry["state"] == "idle" and entry["scene"] is None


def test_a_kiosk_pairs_shows_its_code_and_connects_with_the_token_it_gets(
    server, admin, tmp_path
):
    state = tmp_path / "pairing-state"
    log = open(tmp_path / "kiosk.log", "wb")  # noqa: SIM115 - the child writes it until the end
    proc = subprocess.Popen(
        [sys.executable, "-m", "immersive", "kiosk", "--server", server.url, "--pair",
         "--name", "Hall A, left", "--kind", "vr", "--site", "mogao", "--state-dir", str(state),
         "--headless", "--size", "160x90", "--max-fps", "15", "--heartbeat", "0.5",
         "--scene", "mogao_cave", "--backoff-max", "2"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log,
    )
    try:
        def pending() -> dict | None:
            body = requests.get(f"{server.url}/api/v1/kiosks", headers=admin, timeout=5).json()
            return next((k for k in body["kiosks"] if k.get("status") == "pending"
                         and k.get("name") == "Hall A, left"), None)

        waiting = wait_for(pending, timeout=WAIT_S, what="a pending kiosk with a code")
        kiosk_id = waiting["kiosk_id"]
        assert waiting["pairing_code"] is None  # the code is on the kiosk's screen (its log) only
        shown = wait_for(lambda: re.search(rf"pairing code (\S+) for kiosk {kiosk_id}",
                                           (tmp_path / "kiosk.log").read_text()),
                         timeout=WAIT_S, what="the code on the kiosk's screen")
        r = requests.post(f"{server.url}/api/v1/kiosks/{kiosk_id}/approve", headers=admin,
                          json={"site_id": "mogao", "code": shown.group(1)}, timeout=5)
        assert r.ok, r.text
        wait_for(lambda: kiosk_state({"state": state}).get("token"),
                 timeout=WAIT_S, what="the token")
        entry = wait_for(lambda: (fleet_entry(server, admin, kiosk_id) or {}).get("fps")
                         and fleet_entry(server, admin, kiosk_id),
                         timeout=WAIT_S, what="the paired kiosk")
        assert entry["online"] and entry["scene"] == "mogao_cave"
        assert entry["state"] == "attract"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def send(server: Server, admin: dict, kiosk_id: str, action: str, **args: Any) -> None:
    r = requests.post(f"{server.url}/api/v1/kiosks/{kiosk_id}/commands", headers=admin,
                      json={"action": action, "args": args}, timeout=5)
    assert r.status_code in (200, 201, 202), r.text


def kiosk_state(kiosk: dict) -> dict:
    path = kiosk["state"] / "state.json"
    return json.loads(path.read_text()) if path.exists() else {}


def outbox_size(kiosk: dict) -> int:
    with sqlite3.connect(kiosk["state"] / "outbox.sqlite3") as db:
        return int(db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0])


def fleet_entry(server: Server, admin: dict, kiosk_id: str) -> dict | None:
    body = requests.get(f"{server.url}/api/v1/kiosks", headers=admin, timeout=5).json()
    items = body.get("kiosks", body.get("items", [])) if isinstance(body, dict) else body
    return next((k for k in items if kiosk_id in (k.get("id"), k.get("kiosk_id"))), None)


def test_the_headless_kiosk_obeys_commands_and_reports_its_scene(server, admin, kiosk):
    send(server, admin, kiosk["id"], "load_scene", scene="mogao_cave",
         experience_id=EXPERIENCE)
    wait_for(lambda: kiosk_state(kiosk).get("scene") == "mogao_cave",
             timeout=WAIT_S, what="the scene")
    wait_for(lambda: (fleet_entry(server, admin, kiosk["id"]) or {}).get("scene")
             == "mogao_cave", timeout=WAIT_S, what="a heartbeat with the scene")
    send(server, admin, kiosk["id"], "start_session", session_id="s-1", duration_s=2)
    wait_for(lambda: kiosk_state(kiosk).get("session"), timeout=WAIT_S, what="the session to start")
    wait_for(lambda: kiosk_state(kiosk).get("session") is None,
             timeout=WAIT_S, what="the timer to end it")
    wait_for(lambda: outbox_size(kiosk) == 0,
             timeout=WAIT_S, what="session events to be acknowledged")


def test_session_events_made_offline_are_delivered_when_the_server_is_back(
    server, admin, kiosk
):
    send(server, admin, kiosk["id"], "load_scene", scene="mogao_cave",
         experience_id=EXPERIENCE)
    wait_for(lambda: kiosk_state(kiosk).get("scene") == "mogao_cave",
             timeout=WAIT_S, what="the scene")
    send(server, admin, kiosk["id"], "start_session", session_id="s-2", duration_s=3)
    wait_for(lambda: kiosk_state(kiosk).get("session"), timeout=WAIT_S, what="the session to start")
    server.stop()
    wait_for(lambda: kiosk_state(kiosk).get("session") is None,
             timeout=WAIT_S, what="the timer offline")
    assert outbox_size(kiosk) >= 1  # the "ended" event waits for the server
    assert kiosk["proc"].poll() is None  # still running, still showing its scene
    assert kiosk_state(kiosk)["scene"] == "mogao_cave"
    server.start()
    wait_for(lambda: outbox_size(kiosk) == 0, timeout=60, what="the outbox to drain")


def test_a_kiosk_with_a_stale_token_on_disk_says_so_and_pairs_again_with_pair(
    server, admin, tmp_path
):
    state = tmp_path / "stale-state"
    state.mkdir()
    (state / "state.json").write_text(json.dumps(
        {"kiosk_id": "k-gone", "token": "kt_not-valid-here", "last_seq": 40}))
    log_path = tmp_path / "stale.log"
    common = ["--server", server.url, "--state-dir", str(state), "--headless", "--size",
              "160x90", "--max-fps", "15", "--heartbeat", "0.5", "--backoff-max", "2"]
    log = open(log_path, "wb")  # noqa: SIM115 - the children write it until the end
    refused = subprocess.Popen([sys.executable, "-m", "immersive", "kiosk", *common],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
    try:
        wait_for(lambda: "server refused kiosk k-gone: unauthorized" in log_path.read_text()
                 and "pair again with --pair" in log_path.read_text(),
                 timeout=WAIT_S, what="the refusal and what to do in the kiosk's log")
    finally:
        refused.terminate()
        refused.wait(timeout=20)
    proc = subprocess.Popen([sys.executable, "-m", "immersive", "kiosk", *common, "--pair",
                             "--name", "Hall B, stale"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
    try:
        shown = wait_for(lambda: re.search(r"pairing code (\S+) for kiosk (\S+)",
                                           log_path.read_text()),
                         timeout=WAIT_S, what="a new pairing code despite the stored token")
        code, kiosk_id = shown.group(1), shown.group(2).rstrip(":")
        r = requests.post(f"{server.url}/api/v1/kiosks/{kiosk_id}/approve", headers=admin,
                          json={"site_id": "mogao", "code": code}, timeout=5)
        assert r.ok, r.text
        wait_for(lambda: kiosk_state({"state": state}).get("kiosk_id") == kiosk_id,
                 timeout=WAIT_S, what="the new identity on disk")
        assert kiosk_state({"state": state})["last_seq"] == 0
        wait_for(lambda: (fleet_entry(server, admin, kiosk_id) or {}).get("online"),
                 timeout=WAIT_S, what="the paired kiosk online")
        text = wait_for(lambda: f"online: connected to {server.url} as kiosk {kiosk_id}"
                        in log_path.read_text() and log_path.read_text(),
                        timeout=WAIT_S, what="online logged")
        assert f"paired: kiosk {kiosk_id} received its token" in text
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
