"""The demo's kiosk programs never outlive the server: each runs in its own process group, and
when the server dies without stopping them (SIGKILL) they stop too."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import psutil

from tests.helpers import ROOT, free_port, wait_for

PARENT = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from server.demo.kiosk_children import KioskChildren, KioskSpec

    children = KioskChildren(Path(sys.argv[1]), Path.cwd())
    children.start([KioskSpec("k-orphan-test", "kt_not-a-real-token")], sys.argv[2], "64x36", 5)
    print(*children.pids.values(), flush=True)
    time.sleep(600)
""")


def test_kiosk_programs_stop_when_the_server_is_killed(tmp_path: Path) -> None:
    # a kiosk program that cannot reach its server keeps trying: it stops only when told
    nowhere = f"http://127.0.0.1:{free_port()}"
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(tmp_path / "kiosks"), nowhere],
                              cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                              stdout=subprocess.PIPE, text=True)
    child = None
    try:
        assert parent.stdout is not None
        child = psutil.Process(int(parent.stdout.readline()))
        assert child.ppid() == parent.pid
        assert os.getpgid(child.pid) == child.pid, "the child leads its own process group"
        assert "immersive" in " ".join(child.cmdline())
        wait_for(lambda: (tmp_path / "kiosks" / "k-orphan-test.log").stat().st_size > 0,
                 timeout=60, what="the kiosk program's log")
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        wait_for(lambda: not child.is_running() or child.status() == psutil.STATUS_ZOMBIE,
                 timeout=20, what="the orphaned kiosk program to stop")
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait(10)
        if child is not None and child.is_running():
            child.kill()
        if parent.stdout is not None:
            parent.stdout.close()
