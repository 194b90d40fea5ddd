"""A real Lantern server process on loopback, set up through its own CLI."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """Start, stop, kill -9 and restart a server on its own instance folder."""

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
        import re

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


def rss_mb(pid: int) -> float:
    """The resident memory of a process, in MB (from /proc)."""
    with open(f"/proc/{pid}/status") as status:
        line = next(row for row in status if row.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def wait_for(predicate, timeout: float = 10.0, interval: float = 0.05):  # type: ignore[no-untyped-def]
    """Poll until ``predicate()`` is truthy; return its value or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met in time")
