"""Helpers shared by the test suites: places and shapes at the test site, a real server process
on loopback, and scripted kiosks and operators on its sockets. Fixtures live in conftest.py."""

from __future__ import annotations

import json
import math
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import requests
import socketio

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"

# -- the test site (tests/fixtures/venues_min): its centre is lon 100, lat 30 ---------------------
M_LON = 1 / (111320 * math.cos(math.radians(30)))  # degrees of longitude in a metre there
M_LAT = 1 / 111320
CAVE = (-80.0, 70.0)  # metres from the centre: inside t-cave-01
# an hour ago: inside the window of event times the server accepts around its clock
T0 = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=1)


def at(x: float, y: float) -> tuple[float, float]:
    """lon/lat of a point ``x, y`` metres from the test site's centre."""
    return 100 + x * M_LON, 30 + y * M_LAT


def pos(event_id: str, visitor: str, x: float, y: float, seconds: float = 0) -> dict[str, Any]:
    """One position ``x, y`` metres from the centre, dated ``seconds`` after ``T0``."""
    lon, lat = at(x, y)
    return {"event_id": event_id, "visitor_id": visitor, "lon": lon, "lat": lat,
            "ts": (T0 + timedelta(seconds=seconds)).isoformat()}


def occupancy(app: Any, tokens: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The test site's occupancy by zone id, as a viewer reads it over REST."""
    body = app.test_client().get("/api/v1/sites/testsite/occupancy",
                                 headers={"Authorization": f"Bearer {tokens['viewer']}"}).get_json()
    return {z["zone_id"]: z for z in body["zones"]}


def positions(n: int, x: float = CAVE[0], y: float = CAVE[1], *, visitor: str | None = None,
              later_s: float = 0) -> list[dict[str, Any]]:
    """``n`` positions at ``x, y`` metres from the centre, dated now (or ``later_s`` from now),
    each a new event; new visitors each call, or ``f"{visitor}{i}"`` to move the same ones."""
    when = (datetime.now(UTC) + timedelta(seconds=later_s)).isoformat()
    lon, lat = at(x, y)
    return [{"event_id": uuid.uuid4().hex,
             "visitor_id": f"{visitor}{i}" if visitor is not None else uuid.uuid4().hex,
             "ts": when, "lon": lon, "lat": lat} for i in range(n)]


def square(x0: float, y0: float, side_m: float) -> dict[str, Any]:
    """A GeoJSON square ``side_m`` metres wide, its corner ``x0, y0`` metres from the centre."""
    pts = [(x0, y0), (x0 + side_m, y0), (x0 + side_m, y0 + side_m), (x0, y0 + side_m), (x0, y0)]
    return {"type": "Polygon", "coordinates": [[list(at(x, y)) for x, y in pts]]}


def zigzag(n: int, amplitude_m: float = 2000, step_m: float = 20) -> dict[str, Any]:
    """A line of ``n`` vertices swinging ``amplitude_m`` either side of the centre: buffered by
    kilometres, each swing overlaps hundreds of others, which GEOS pays for."""
    return {"type": "LineString", "coordinates": [
        list(at((i - n / 2) * step_m, amplitude_m if i % 2 else -amplitude_m)) for i in range(n)]}


# -- waiting ------------------------------------------------------------------------------------
T = TypeVar("T")


def wait_for(predicate: Callable[[], T], timeout: float = 10.0, interval: float = 0.05,
             what: str = "condition") -> T:
    """Poll until ``predicate()`` is truthy; return its value or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    """The resident memory of a process, in MB (from /proc)."""
    with open(f"/proc/{pid}/status") as status:
        line = next(row for row in status if row.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


# -- a real server ------------------------------------------------------------------------------
class LiveServer:
    """A Lantern server process on loopback, set up through its own CLI: start, stop, kill -9
    and restart it on its own instance folder."""

    def __init__(self, tmp: Path, venues: Path = FIXTURES / "venues_min", **env: str) -> None:
        self.tmp = tmp
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "LANTERN_LOG_LEVEL": "WARNING",
                    "LANTERN_INSTANCE_PATH": str(tmp / "instance"),
                    "LANTERN_VENUES_PATH": str(venues),
                    "LANTERN_KIOSK_OFFLINE_AFTER_S": "3", "LANTERN_OCCUPANCY_EMIT_S": "0.2", **env}
        self.proc: subprocess.Popen | None = None
        self.cli("load-venues")
        self.admin = self.cli_json("create-token", "--role", "admin", "--json")["token"]

    def cli(self, *args: str, stdin: str = "") -> str:
        done = subprocess.run([sys.executable, "-m", "server", *args], env=self.env, cwd=ROOT,
                              input=stdin, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def cli_json(self, *args: str) -> Any:
        return json.loads(self.cli(*args))

    def login(self, username: str, role: str = "operator") -> requests.Session:
        """A browser-like session logged in through the form (user created on first use)."""
        password = f"{username}-secret-pw"
        try:
            self.cli("create-user", username, "--role", role, stdin=password + "\n")
        except AssertionError:
            pass  # exists already
        browser = requests.Session()
        page = browser.get(f"{self.url}/login", timeout=10).text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        assert token
        done = browser.post(f"{self.url}/login", data={"username": username, "password": password,
                                                       "csrf_token": token.group(1)}, timeout=10)
        assert done.ok and "/login" not in done.url, done.text[:300]
        return browser

    def start(self) -> LiveServer:
        with open(self.tmp / f"server-{self.port}.log", "a") as log:  # the child keeps its own fd
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "server", "run", "--port", str(self.port)],
                env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/api/v1/health", timeout=1).ok:
                    return self
            except requests.ConnectionError:
                pass
            assert self.proc.poll() is None, (self.tmp / f"server-{self.port}.log").read_text()
            time.sleep(0.1)
        raise TimeoutError("server did not start")

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def api(self, method: str, path: str, token: str | None = None, **kw: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {token or self.admin}"}
        return requests.request(method, f"{self.url}/api/v1{path}", headers=headers, timeout=10, **kw)

    def delivery_turns(self, turns: int = 2) -> None:
        """Wait until the once-a-second command delivery has run ``turns`` more times: what it
        would send again, it has sent by then."""
        for _ in range(turns):
            wait_for(partial(self._delivery_ran_since, time.monotonic()), timeout=10,
                     what="a turn of the command delivery")

    def _delivery_ran_since(self, since: float) -> bool:
        asked = time.monotonic()  # the server answers later: its last run is no earlier than this
        ago = self.api("GET", "/health").json()["loops"]["command_delivery"]["last_ok_s_ago"]
        return ago is not None and asked - ago > since


def new_kiosk(server: LiveServer, group: str | None = None) -> tuple[str, str]:
    """A VR kiosk registered at the test site: its id and token."""
    response = server.api("POST", "/kiosks", json={"site_id": "testsite", "lon": 100.0,
                                                   "lat": 29.999, "kind": "vr", "group": group})
    assert response.status_code == 201, response.text
    body = response.json()
    return body["kiosk_id"], body["token"]


class Kiosk:
    """A scripted kiosk on a real /kiosk connection: records the commands it gets, acknowledges
    them ``{"ok": ok}`` and connects (again) with the highest ``seq`` it has seen."""

    def __init__(self, server: LiveServer, kiosk_id: str, token: str, ok: bool = True,
                 reconnect: bool = False) -> None:
        self.server, self.kiosk_id, self.token, self.ok = server, kiosk_id, token, ok
        self.auto_reconnect = reconnect
        self.commands: list[dict[str, Any]] = []
        self.last_seq = 0
        self.revoked = threading.Event()
        self.client = self._client()

    def _client(self) -> socketio.Client:
        client = socketio.Client(reconnection=self.auto_reconnect, reconnection_delay=0.2,
                                 reconnection_delay_max=1.0)
        client.on("command", self._on_command, namespace="/kiosk")
        client.on("revoked", lambda data: self.revoked.set(), namespace="/kiosk")
        return client

    def _on_command(self, data: dict[str, Any]) -> dict[str, Any]:
        self.commands.append(data)
        self.last_seq = max(self.last_seq, data["seq"])
        return {"ok": self.ok}

    def connect(self) -> Kiosk:
        self.client.connect(self.server.url, namespaces=["/kiosk"], transports=["websocket"],
                            auth=lambda: {"kiosk_id": self.kiosk_id, "token": self.token,
                                          "last_seq": self.last_seq}, wait_timeout=5)
        return self

    def reconnect(self) -> Kiosk:
        """Connect again on a new connection."""
        self.client = self._client()
        return self.connect()

    def call(self, event: str, data: dict[str, Any]) -> Any:
        return self.client.call(event, data, namespace="/kiosk", timeout=5)

    def close(self) -> None:
        self.client.disconnect()


class Operator:
    """A logged-in user's real /control connection, recording every event operators hear."""

    EVENTS = ("occupancy", "kiosk_status", "zone_state", "alert", "session_event")

    def __init__(self, server: LiveServer, username: str = "olga", role: str = "operator") -> None:
        self.events: dict[str, list[Any]] = {}
        self.lock = threading.Lock()
        self.client = socketio.Client(reconnection=False)
        for name in self.EVENTS:
            self.client.on(name, partial(self._record, name), namespace="/control")
        browser = server.login(username, role)
        cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
        browser.close()
        # the client sends the server's own Origin itself
        self.client.connect(server.url, namespaces=["/control"], transports=["websocket"],
                            headers={"Cookie": cookie}, wait_timeout=5)

    def _record(self, name: str, data: Any) -> None:
        with self.lock:
            self.events.setdefault(name, []).append(data)

    def heard(self, name: str) -> list[Any]:
        with self.lock:
            return list(self.events.get(name, []))

    def saw(self, kiosk_id: str, status: str) -> bool:
        """Whether a ``kiosk_status`` said kiosk ``kiosk_id`` is ``status``."""
        return any(s["kiosk_id"] == kiosk_id and s.get("status") == status
                   for s in self.heard("kiosk_status"))

    def call(self, event: str, data: Any) -> Any:
        return self.client.call(event, data, namespace="/control", timeout=5)

    def close(self) -> None:
        self.client.disconnect()


class KioskProgram:
    """The real kiosk program (``python -m immersive kiosk --headless``) as a child process,
    rendering small and slow so that a test machine can run several."""

    def __init__(self, server: LiveServer, kiosk_id: str, token: str, state_dir: Path, *,
                 size: str = "160x90", max_fps: float = 10, heartbeat_s: float = 0.5,
                 extra: tuple[str, ...] = ()) -> None:
        self.kiosk_id, self.token, self.state_dir = kiosk_id, token, state_dir
        self.command = [sys.executable, "-m", "immersive", "kiosk", "--server", server.url,
                        "--kiosk-id", kiosk_id, "--token", token, "--state-dir", str(state_dir),
                        "--headless", "--size", size, "--max-fps", str(max_fps),
                        "--heartbeat", str(heartbeat_s), "--backoff-max", "2", *extra]
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> KioskProgram:
        self.proc = subprocess.Popen(self.command, cwd=ROOT, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
