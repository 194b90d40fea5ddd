"""The demo's kiosk programs (``python -m immersive kiosk --headless``) as child processes that
never outlive the server.

Each child runs in its own process group, so a terminal's Ctrl-C reaches the server alone and
the server stops the children in order (SIGTERM to the group, SIGKILL after a grace period).
Should the server die without stopping them (SIGKILL, a crash), the kernel tells each child
with SIGTERM (Linux ``PR_SET_PDEATHSIG``), which the kiosk program takes as its signal to stop.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

PR_SET_PDEATHSIG = 1  # <sys/prctl.h>
GRACE_S = 10.0


def _libc_prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


_PRCTL = _libc_prctl()  # looked up before any fork: the child only calls it


def die_with_parent(parent_pid: int) -> Callable[[], None]:
    """What a child runs between fork and exec: its own process group, SIGTERM when the parent
    dies, and an immediate exit should the parent already be gone."""
    def prepare() -> None:
        os.setpgid(0, 0)
        if _PRCTL is not None:
            _PRCTL(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent_pid:  # died before the watch was set: nobody to serve
            os._exit(1)
    return prepare


@dataclass(frozen=True)
class KioskSpec:
    """One kiosk program to run."""

    kiosk_id: str
    token: str
    stereo: bool = False


def kiosk_command(spec: KioskSpec, server_url: str, state_dir: Path, size: str,
                  fps: float) -> list[str]:
    """The command line of one headless kiosk program (its token goes in the environment,
    out of the process list)."""
    command = [sys.executable, "-m", "immersive", "kiosk", "--server", server_url,
               "--kiosk-id", spec.kiosk_id,
               "--state-dir", str(state_dir), "--headless", "--size", size,
               "--max-fps", f"{fps:g}", "--backoff-max", "5"]
    return command + (["--stereo"] if spec.stereo else [])


class KioskChildren:
    """Started kiosk programs; ``stop`` ends every one of them."""

    def __init__(self, root: Path, cwd: Path) -> None:
        self.root = root  # a folder a kiosk (its state) and a log file a kiosk
        self.cwd = cwd
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def log_of(self, kiosk_id: str) -> Path:
        return self.root / f"{kiosk_id}.log"

    def start(self, specs: Sequence[KioskSpec], server_url: str, size: str, fps: float,
              env: dict[str, str] | None = None) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        for spec in specs:
            state_dir = self.root / spec.kiosk_id
            state_dir.mkdir(exist_ok=True)
            with open(self.log_of(spec.kiosk_id), "ab") as log:  # the child keeps its own fd
                self.procs[spec.kiosk_id] = subprocess.Popen(
                    kiosk_command(spec, server_url, state_dir, size, fps), cwd=self.cwd,
                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                    env={**(os.environ if env is None else env),
                         "LANTERN_KIOSK_TOKEN": spec.token},
                    preexec_fn=die_with_parent(os.getpid()))  # noqa: PLW1509 - see die_with_parent

    @property
    def pids(self) -> dict[str, int]:
        return {k: p.pid for k, p in self.procs.items()}

    def alive(self) -> list[str]:
        return [k for k, p in self.procs.items() if p.poll() is None]

    def stop(self, grace_s: float = GRACE_S) -> None:
        """SIGTERM every child's group, wait up to ``grace_s``, then SIGKILL what is left."""
        for proc in self.procs.values():
            _signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(proc, signal.SIGKILL)
                proc.wait(timeout=5)
        self.procs.clear()


def _signal_group(proc: subprocess.Popen[bytes], signum: int) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signum)  # the child leads its own group (die_with_parent)
    except ProcessLookupError:
        pass
