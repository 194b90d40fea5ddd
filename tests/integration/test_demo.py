"""`python -m server demo` is a living venue within minutes: real kiosk programs online at Mogao,
visitors moving, a cave's CO2 alert that closes it and switches the kiosks beside it to its
virtual substitute; Ctrl-C stops the server and every kiosk program."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
import requests

from tests.helpers import ROOT, free_port, wait_for


class Demo:
    """The demo as a newcomer starts it, on its own instance folder and database."""

    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "LANTERN_LOG_LEVEL": "WARNING",
                    "LANTERN_INSTANCE_PATH": str(tmp / "instance")}
        self.env.pop("DATABASE_URL", None)
        self.log = tmp / "demo.log"
        with open(self.log, "w") as log:  # the child keeps its own fd
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "server", "demo", "--port", str(self.port), "--no-history"],
                env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        self.token = ""

    def health(self) -> dict[str, Any] | None:
        assert self.proc.poll() is None, self.log.read_text()
        try:
            response = requests.get(f"{self.url}/api/v1/health", timeout=2)
        except requests.ConnectionError:
            return None
        return response.json() if response.ok else None  # type: ignore[no-any-return]

    def admin_token(self) -> str:
        done = subprocess.run([sys.executable, "-m", "server", "create-token", "--role", "admin"],
                              env=self.env, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def get(self, path: str) -> Any:
        response = requests.get(f"{self.url}/api/v1{path}", timeout=10,
                                headers={"Authorization": f"Bearer {self.token}"})
        assert response.ok, response.text
        return response.json()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    running = Demo(tmp_path)
    children: list[psutil.Process] = []
    yield running
    try:
        children = psutil.Process(running.proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        pass
    running.stop()
    for child in children:  # only after a failure: the test itself stops them
        if child.is_running():
            child.kill()


def test_the_demo_is_a_living_venue_within_minutes_and_stops_with_every_kiosk_program(
        demo: Demo) -> None:
    facts = wait_for(lambda: (demo.health() or {}).get("demo"), timeout=120, interval=0.5,
                     what="the demo's server")
    assert facts["kiosk_size"] == "640x360" and facts["kiosk_fps"] == 10
    assert isinstance(facts["clock_offset_s"], float)
    episode = facts["episode"]
    assert episode and episode["site_id"] == "mogao" and episode["kiosks"]
    programs = psutil.Process(demo.proc.pid).children(recursive=True)
    assert len(programs) >= 3 and all("immersive" in " ".join(p.cmdline()) for p in programs)
    demo.token = demo.admin_token()

    def online() -> list[dict[str, Any]]:
        kiosks = demo.get("/kiosks")["kiosks"]
        return [k for k in kiosks if k["online"] and k["site_id"] == "mogao" and k["fps"]]

    assert {k["kiosk_id"] for k in wait_for(lambda: len(online()) >= 3 and online(),
                                             timeout=120, interval=1,
                                             what="three kiosk programs online with fps")
            } >= set(facts["kiosks"])

    def occupancy() -> tuple[int, ...]:
        return tuple(z["count"] for z in demo.get("/sites/mogao/occupancy")["zones"])

    first = wait_for(lambda: sum(occupancy()) and occupancy(), timeout=30, what="visitors")
    wait_for(lambda: occupancy() != first, timeout=30, interval=1, what="visitors moving")

    cave = episode["zone_id"]

    def closed_with_alert() -> bool:
        alerts = demo.get("/sites/mogao/alerts?state=raised")["alerts"]
        zones = {z["zone_id"]: z for z in demo.get("/sites/mogao/occupancy")["zones"]}
        return zones[cave]["state"] == "closed" and any(
            a["kind"] == "microclimate" and a["zone_id"] == cave for a in alerts)

    wait_for(closed_with_alert, timeout=150, interval=2, what=f"{cave} closed by its CO2 alert")
    substitute = next(e for e in demo.get("/experiences")["experiences"]
                      if e["id"] == episode["experience_id"])
    assert substitute["substitute_for"] == cave

    def switched() -> list[str]:
        return [k["kiosk_id"] for k in online() if k["kiosk_id"] in episode["kiosks"]
                and k["scene"] == substitute["scene"]
                and k["experience_id"] == substitute["id"]]

    wait_for(switched, timeout=60, interval=1, what="a kiosk beside the cave showing its tour")

    demo.proc.send_signal(signal.SIGINT)
    assert demo.proc.wait(30) is not None
    gone, alive = psutil.wait_procs(programs, timeout=20)
    assert alive == [], f"kiosk programs left running: {[p.pid for p in alive]}"
