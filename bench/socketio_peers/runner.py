"""Run one server process and the load generator processes against it, and summarise."""

from __future__ import annotations

import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

from .serve import HOST

BENCH_DIR = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 30.0


def free_port() -> int:
    """Return a TCP port on loopback that nothing listens on right now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(BENCH_DIR), env.get("PYTHONPATH")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _wait_listening(port: int, proc: subprocess.Popen[bytes], log: IO[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"server exited with {proc.returncode}: {log.read().decode()}")
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server did not listen on {HOST}:{port} within {START_TIMEOUT_S} s")


def _stop(proc: subprocess.Popen[Any]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far; NaN where /proc is missing."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _expect(proc: subprocess.Popen[str], stage: str) -> dict[str, Any]:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        raise RuntimeError(f"load generator ended before stage {stage!r}")
    msg: dict[str, Any] = json.loads(line)
    if msg.get("stage") != stage:
        raise RuntimeError(f"load generator said {msg.get('stage')!r}, expected {stage!r}")
    return msg


def _tell(procs: list[subprocess.Popen[str]], line: str) -> None:
    for p in procs:
        assert p.stdin is not None
        p.stdin.write(line + "\n")
        p.stdin.flush()


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile ``q`` (0-100) of already sorted values; NaN when empty."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), math.ceil(q / 100 * len(sorted_values))))
    return sorted_values[rank - 1]


def measure(mode: str, clients: int, seconds: float, warmup: float, procs: int) -> dict[str, Any]:
    """Serve ``mode`` in a child process and drive it with ``clients`` kiosks split over ``procs``.

    Returns round trips per second, p50/p99 latency in ms, the time to connect all
    clients, the error count and whether a kiosk without a token was refused.
    """
    port = free_port()
    env = _child_env()
    url = f"http://{HOST}:{port}"
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "socketio_peers.serve", mode, str(port)],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            _wait_listening(port, server, log)
            figures = drive(url, server.pid, clients, seconds, warmup, procs)
        finally:
            _stop(server)
    return {"mode": mode, **figures}


def drive(url: str, server_pid: int, clients: int, seconds: float, warmup: float, procs: int,
          credentials: str | None = None) -> dict[str, Any]:
    """Drive the server at ``url`` (process ``server_pid``) with ``clients`` kiosks.

    ``credentials`` names a JSON file of ``[{"kiosk_id", "token"}, ...]`` (at least
    ``clients`` of them) for a server that checks kiosk tokens; without it the kiosks use
    made-up ids and tokens. Returns the figures described in :func:`measure`.
    """
    env = _child_env()
    loaders: list[subprocess.Popen[str]] = []
    try:
        shares = [clients // procs + (1 if i < clients % procs else 0) for i in range(procs)]
        first = 0
        for share in shares:
            extra = [credentials] if credentials else []
            loaders.append(subprocess.Popen(
                [sys.executable, "-m", "socketio_peers.load", url, str(share), str(first),
                 *extra],
                env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            ))
            first += share
        for p in loaders:
            _expect(p, "ready")
        t0 = time.monotonic()
        _tell(loaders, "connect")
        connected = [_expect(p, "connected") for p in loaders]
        connect_s = time.monotonic() - t0
        t_start = time.monotonic() + warmup
        t_end = t_start + seconds
        pids = [server_pid] + [p.pid for p in loaders]
        cpu0 = [cpu_seconds(pid) for pid in pids]
        go = time.monotonic()
        _tell(loaders, f"go {t_start!r} {t_end!r}")
        done = [_expect(p, "done") for p in loaders]
        elapsed = time.monotonic() - go
        cpu = [(cpu_seconds(pid) - c) / elapsed for pid, c in zip(pids, cpu0, strict=True)]
        for p in loaders:
            p.wait(timeout=30)
    finally:
        for p in loaders:
            _stop(p)
    latencies = sorted(x for d in done for x in d["latencies_s"])
    connect_errors = [e for c in connected for e in c["errors"]]
    kinds: dict[str, int] = {}
    for d in done:
        for k, n in d["error_kinds"].items():
            kinds[k] = kinds.get(k, 0) + n
    return {
        "round_trips_per_s": len(latencies) / seconds,
        "p50_ms": percentile(latencies, 50) * 1e3,
        "p99_ms": percentile(latencies, 99) * 1e3,
        "connect_s": connect_s,
        "connected": sum(c["connected"] for c in connected),
        "errors": len(connect_errors) + sum(d["errors"] for d in done),
        "error_kinds": kinds,
        "connect_errors": connect_errors[:5],
        "refused_ok": all(c["refused_ok"] for c in connected),
        "round_trips": len(latencies),
        "server_cpu": cpu[0],
        "load_cpu": sum(cpu[1:]),
    }
