"""Run a Python module in a child process under a wall-clock limit and a memory limit.

Some work costs far more than its input suggests: GEOS buffering a zig-zag line, a renderer
meeting a broken scene. Run in the server, it would hold the one gevent loop that serves every
request and socket, and could take the whole process down with it. Run here, the server only
waits on a pipe (``subprocess`` is patched by gevent in production, so the wait is cooperative);
a child that runs out of time is killed, and one that runs out of memory fails on its own.

The memory limit is ``RLIMIT_AS``, set by the child on itself before it imports anything, so it
bounds everything the child maps, native libraries included.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import weakref
from collections.abc import Sequence
from pathlib import Path

#: The directory that holds ``geo``, ``immersive`` and ``server``: children import from it.
ROOT = str(Path(__file__).resolve().parents[1])
#: The exit status of a child that ran out of memory (chosen apart from 1 and argparse's 2).
MEMORY_EXIT = 86
#: Children yield the CPU to the server: a check that spins must not slow the event loop.
NICENESS = 10
# Run as ``python -c BOOT <memory MB> <root> <module> <args...>``: limit the address space,
# lower the priority, then run the module as ``python -m`` would.
BOOT = f"""\
import os, resource, runpy, sys
os.nice({NICENESS})
limit = int(sys.argv[1]) * 1024 * 1024
hard = resource.getrlimit(resource.RLIMIT_AS)[1]
if limit > 0:
    limit = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
sys.path.insert(0, sys.argv[2])
sys.argv = sys.argv[3:]
try:
    runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
except MemoryError as exc:
    sys.stderr.write(f"MemoryError: {{exc}}\\n")
    sys.stderr.flush()
    os._exit({MEMORY_EXIT})
"""
#: What a child prints when the limit stops it where the boot code cannot see: a module that
#: catches MemoryError itself, C++ code, or the loader mapping a native library.
MEMORY_SIGNS = ("memoryerror", "bad_alloc", "failed to map segment", "cannot allocate memory")
# Each BLAS or OpenMP thread reserves address space that counts against RLIMIT_AS and grows
# with the machine's cores, not with the work; the children here need none of them.
CHILD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
#: The server's own settings stay with the server: a child gets its input on stdin and needs
#: no database URL, secret key or message queue (the renderer keeps DISPLAY and the like).
SECRET_ENV = ("DATABASE_URL", "SECRET_KEY", "SOCKETIO_MESSAGE_QUEUE", "LANTERN_")


def child_env() -> dict[str, str]:
    """The environment of a child: the server's, without its settings, with one-thread BLAS."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith(SECRET_ENV)}
    return {**kept, **CHILD_ENV}


class ChildFailed(Exception):
    """A child ran out of time or memory, or ended with an error; ``kind`` says which."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind  # "time", "memory", "busy" or "error"


def start(module: str, args: Sequence[str] = (), *, memory_mb: int) -> subprocess.Popen[bytes]:
    """Start ``python -m module args...`` limited to ``memory_mb`` MB (0: no limit)."""
    return subprocess.Popen([sys.executable, "-c", BOOT, str(int(memory_mb)), ROOT, module, *args],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=child_env())


def finish(proc: subprocess.Popen[bytes], data: bytes = b"", *, timeout_s: float,
           memory_mb: int) -> bytes:
    """Send ``data`` to a started child, wait at most ``timeout_s`` and return its stdout.

    Raises :class:`ChildFailed` when the child is still running at the limit (it is killed),
    ran out of memory, or exited with another status than 0.
    """
    try:
        out, err = proc.communicate(data, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise ChildFailed(f"took longer than the limit of {timeout_s:g} s", "time") from None
    except BaseException:  # the waiting greenlet or thread was interrupted: leave no child
        discard(proc)
        raise
    if proc.returncode == 0:
        return out
    text = err.decode("utf-8", "replace")
    if proc.returncode == MEMORY_EXIT or any(sign in text.lower() for sign in MEMORY_SIGNS):
        raise ChildFailed(f"needed more memory than the limit of {memory_mb} MB", "memory")
    if proc.returncode < 0:
        raise ChildFailed(f"was ended by signal {_signal_name(-proc.returncode)}", "error")
    last = (text.strip().splitlines() or ["no output"])[-1]
    raise ChildFailed(f"failed: {last[:300]}", "error")


def run(module: str, args: Sequence[str] = (), *, data: bytes = b"", timeout_s: float,
        memory_mb: int) -> bytes:
    """Run ``python -m module args...`` under both limits; see :func:`finish`."""
    return finish(start(module, args, memory_mb=memory_mb), data, timeout_s=timeout_s,
                  memory_mb=memory_mb)


def discard(proc: subprocess.Popen[bytes]) -> None:
    """Kill a child if it still runs, reap it and close its pipes."""
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    for pipe in (proc.stdin, proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()


class ChildPool:
    """Children of one module: at most ``workers`` at once, one started ahead for each command.

    A child's interpreter and imports take a few hundred milliseconds; a child started ahead
    does that while nobody waits, then blocks reading its request. Each child answers one
    request and exits, so the limits apply to each request alone.
    """

    def __init__(self, module: str, *, workers: int, timeout_s: float, memory_mb: int) -> None:
        self.module, self.timeout_s, self.memory_mb = module, float(timeout_s), int(memory_mb)
        self._slots = threading.BoundedSemaphore(max(1, workers))
        self._lock = threading.Lock()
        self._ready: dict[tuple[str, ...], subprocess.Popen[bytes]] = {}
        # children started ahead must not outlive the pool (nor the server, at exit)
        self._finalizer = weakref.finalize(self, _discard_all, self._ready, self._lock)

    def run(self, args: Sequence[str], data: bytes) -> bytes:
        """Answer one request with ``python -m module args...``; see :func:`finish`."""
        if not self._slots.acquire(timeout=self.timeout_s):
            raise ChildFailed(f"waited longer than {self.timeout_s:g} s for a free worker", "busy")
        key = tuple(args)
        try:
            proc = self._take(key)
            try:
                return finish(proc, data, timeout_s=self.timeout_s, memory_mb=self.memory_mb)
            finally:
                # the next child starts once this one has answered: the two do not compete for
                # the CPU, and the fork (milliseconds for a large server) is not on this answer
                threading.Thread(target=self._prepare, args=(key,), daemon=True).start()
        finally:
            self._slots.release()

    def close(self) -> None:
        """Stop the children started ahead."""
        self._finalizer()

    def _take(self, args: tuple[str, ...]) -> subprocess.Popen[bytes]:
        with self._lock:
            proc = self._ready.pop(args, None)
        if proc is not None and proc.poll() is not None:  # died while waiting
            discard(proc)
            proc = None
        return proc or start(self.module, args, memory_mb=self.memory_mb)

    def _prepare(self, args: tuple[str, ...]) -> None:
        with self._lock:
            if args not in self._ready and self._finalizer.alive:
                self._ready[args] = start(self.module, args, memory_mb=self.memory_mb)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)


def _discard_all(ready: dict[tuple[str, ...], subprocess.Popen[bytes]],
                 lock: threading.Lock) -> None:
    with lock:
        while ready:
            discard(ready.popitem()[1])
