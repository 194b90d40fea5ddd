"""When each background loop last did its work, so that health can say when one has stopped.

The hub's loop runs several steps (presence flush, visitor expiry, heartbeat flush, command
retry...) and the WAL checkpointer runs in a thread of its own. Each step runs through
:meth:`LoopHealth.run`: a failure is logged (at most once a minute per loop, with the
exception) and recorded, and the other steps go on. A loop is *stopped* when it has not
succeeded for ``max(5 x its interval, 30 s)`` since it was expected to run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)
LOG_EVERY_S = 60.0
MIN_GRACE_S = 30.0


@dataclass
class _Loop:
    interval_s: float
    started: float
    last_ok: float | None = None
    last_error: str | None = None
    failures: int = 0
    last_logged: float = 0.0


class LoopHealth:
    """Successes and failures of the named background loops of this process."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        # no lock: the WAL checkpointer reports from a native thread, where a gevent lock
        # cannot be taken; single dict operations are atomic under the GIL
        self._loops: dict[str, _Loop] = {}

    def expect(self, name: str, interval_s: float) -> None:
        """``name`` runs from now on, about every ``interval_s``."""
        self._loops[name] = _Loop(interval_s, self.clock())

    def ok(self, name: str) -> None:
        loop = self._loops.get(name)
        if loop is not None:
            loop.last_ok, loop.failures = self.clock(), 0

    def failed(self, name: str, exc: BaseException) -> None:
        loop = self._loops.get(name)
        if loop is None:
            return
        loop.failures += 1
        loop.last_error = f"{type(exc).__name__}: {exc}"[:300]
        now = self.clock()
        if now - loop.last_logged >= LOG_EVERY_S:
            loop.last_logged = now
            log.error("background loop %s failed (%d in a row)", name, loop.failures,
                      exc_info=exc)

    def run(self, name: str, step: Callable[[], Any]) -> None:
        """Run one step of loop ``name``, recording its outcome; never raises an Exception."""
        try:
            step()
        except Exception as exc:  # noqa: BLE001 - one failing step must not stop the others
            self.failed(name, exc)
        else:
            self.ok(name)

    def report(self) -> dict[str, dict[str, Any]]:
        """Per loop: ``ok`` or ``stopped``, seconds since its last success, its last error."""
        now = self.clock()
        out: dict[str, dict[str, Any]] = {}
        loops = dict(self._loops)
        for name, loop in sorted(loops.items()):
            since = now - (loop.last_ok if loop.last_ok is not None else loop.started)
            grace = max(5 * loop.interval_s, MIN_GRACE_S)
            out[name] = {
                "state": "stopped" if since > grace else "ok",
                "last_ok_s_ago": None if loop.last_ok is None else round(now - loop.last_ok, 3),
                "interval_s": loop.interval_s,
                "failures": loop.failures,
                "last_error": loop.last_error if loop.failures else None,
            }
        return out

    def stopped(self) -> list[str]:
        return [name for name, row in self.report().items() if row["state"] == "stopped"]
