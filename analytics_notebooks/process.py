"""The parent's side of a run: start the child, follow its progress, enforce the time limit.

The child (:mod:`analytics_notebooks.child`) starts in a session of its own and writes one JSON
line per event to a pipe. At the limit the parent kills the child's process group and every
process it has seen below the child (the kernel runs in a session of its own, started by
jupyter_client), so nothing is left running.
"""

from __future__ import annotations

import json
import logging
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil  # a dependency of ipykernel

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent
SCAN_S = 0.5  # how often the processes below the child are looked up


@dataclass
class ChildRun:
    """What the parent learnt of a child: its error (None if it succeeded) and its log's end."""

    error: dict[str, Any] | None
    log_tail: str = ""


def child_env(work: Path, secrets: dict[str, str]) -> dict[str, str]:
    """The child's (and so the kernel's) environment: the package importable, files in ``work``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    # this Python's kernelspecs first: a user's own "python3" must not run another Python
    venv_kernels = str(Path(sys.prefix) / "share" / "jupyter")
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (venv_kernels, env.get("JUPYTER_PATH")) if p)
    env.update(secrets)
    env.update({"LANTERN_REPORT_RESULTS": str(work / "results.json"),
                "JUPYTER_PLATFORM_DIRS": "1", "JUPYTER_RUNTIME_DIR": str(work / "runtime"),
                "IPYTHONDIR": str(work / "ipython"), "PYDEVD_DISABLE_FILE_VALIDATION": "1",
                "PYTHONUNBUFFERED": "1"})
    return env


def run_child(request: dict[str, Any], *, work: Path, secrets: dict[str, str], deadline: float,
              timeout_s: float, on_progress: Callable[[int, int], None] | None) -> ChildRun:
    """Run one report in a child process; return how it ended (never raises for the run)."""
    read_fd, write_fd = os.pipe()
    log_path = work / "child.log"
    follower = Follower(on_progress)
    with open(log_path, "wb") as log_file:
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "analytics_notebooks.child", str(write_fd)],
                stdin=subprocess.PIPE, stdout=log_file, stderr=subprocess.STDOUT, cwd=work,
                env=child_env(work, secrets), pass_fds=(write_fd,), start_new_session=True)
        except OSError as exc:
            os.close(read_fd)
            return ChildRun({"cell": None, "ename": type(exc).__name__, "evalue": str(exc)})
        finally:
            os.close(write_fd)
        try:
            _send(proc, request)
            timed_out = follower.follow(read_fd, proc, deadline)
            if not timed_out:
                try:
                    proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    timed_out = True
        finally:
            follower.kill_all(proc)
            os.close(read_fd)
    tail = _tail(log_path)
    if timed_out:
        return ChildRun({"cell": follower.cell, "ename": "TimeoutError",
                         "evalue": f"the report did not finish within its limit of "
                                   f"{timeout_s:g} s and was stopped"}, tail)
    if follower.final is not None:
        return ChildRun(follower.final.get("error"), tail)
    last = tail.strip().splitlines()[-1] if tail.strip() else "no output"
    return ChildRun({"cell": follower.cell, "ename": "ChildProcessError",
                     "evalue": f"the report process ended with status {proc.returncode}: "
                               f"{last[-300:]}"}, tail)


def _send(proc: subprocess.Popen[bytes], request: dict[str, Any]) -> None:
    assert proc.stdin is not None
    try:
        proc.stdin.write(json.dumps(request).encode())
        proc.stdin.close()
    except (BrokenPipeError, OSError):
        pass  # the child died at once; its status and log tell why


class Follower:
    """Reads the child's event lines, reports progress, remembers the processes below it."""

    def __init__(self, on_progress: Callable[[int, int], None] | None) -> None:
        self.on_progress = on_progress
        self.cell: int | None = None
        self.final: dict[str, Any] | None = None
        self.seen: dict[int, psutil.Process] = {}
        self._buffer = b""
        self._scanned = 0.0

    def follow(self, fd: int, proc: subprocess.Popen[bytes], deadline: float) -> bool:
        """Read events until the child closes the pipe; True if the deadline came first."""
        while True:
            now = time.monotonic()
            if now >= deadline:
                return True
            if now - self._scanned >= SCAN_S:
                self._scan(proc)
            ready, _, _ = select.select([fd], [], [], min(SCAN_S, deadline - now))
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                return False
            self._buffer += chunk
            *lines, self._buffer = self._buffer.split(b"\n")
            for line in lines:
                self._event(line)

    def _event(self, line: bytes) -> None:
        try:
            event = json.loads(line)
        except ValueError:
            return
        if not isinstance(event, dict):
            return
        kind = event.get("event")
        if kind == "cell":
            self.cell = int(event["index"])
            self._progress(int(event["index"]), int(event["cells"]))
        elif kind == "finished":
            self.final = event
            if event.get("error") is None and event.get("cells"):
                self._progress(int(event["cells"]), int(event["cells"]))

    def _progress(self, done: int, cells: int) -> None:
        if self.on_progress is None:
            return
        try:
            self.on_progress(done, cells)
        except Exception:  # noqa: BLE001 - a listener's failure must not stop the run
            log.exception("report progress callback failed")

    def _scan(self, proc: subprocess.Popen[bytes]) -> None:
        self._scanned = time.monotonic()
        try:
            for child in psutil.Process(proc.pid).children(recursive=True):
                self.seen.setdefault(child.pid, child)
        except psutil.Error:
            pass

    def kill_all(self, proc: subprocess.Popen[bytes]) -> None:
        """Kill the child's process group and every process seen below it; wait for them."""
        # an unreaped child keeps its pid (and so its group id) from being reused
        alive = proc.returncode is None
        if alive:
            self._scan(proc)
        own = os.getpgrp()
        groups = {proc.pid} if alive else set()
        for p in self.seen.values():
            try:
                if p.is_running():
                    groups.add(os.getpgid(p.pid))
            except (psutil.Error, OSError):
                pass
        for group in groups - {own}:
            try:
                os.killpg(group, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        for p in self.seen.values():
            try:
                p.kill()  # psutil checks the process is still the one seen (pid reuse)
            except psutil.Error:
                pass
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        psutil.wait_procs(list(self.seen.values()), timeout=5)


def _tail(path: Path, size: int = 4000) -> str:
    try:
        data = path.read_bytes()[-size:]
    except OSError:
        return ""
    return data.decode("utf-8", "replace")
