"""Which event times the front doors accept: the present, give or take.

A sensor with a broken clock or a crafted request can date an event in year 10000 or year 0;
the database cannot always hold such a time, and an alert or a visitor's presence decided by a
time far in the future freezes until the clock catches up. The front doors (REST, ``/ingest``,
``/kiosk``) accept an event only if its time lies between ``max_age_s`` behind the server's
clock (long enough for a gateway back from a week's outage to replay its buffer) and
``max_future_s`` ahead (clock skew). The use cases below them take an injected clock and no
window, so that a venue's history can be written through them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class EventWindow:
    """Accepted event times, relative to ``now``: ``[now - max_age_s, now + max_future_s]``."""

    max_future_s: float = 300.0
    max_age_s: float = 691_200.0

    def outside(self, times: Iterable[float], now: float) -> list[int]:
        """Indices of the epoch-second ``times`` that lie outside the window around ``now``.

        >>> EventWindow(300, 3600).outside([1000.0, 1400.0, -3000.0, 1300.0], now=1000.0)
        [1, 2]
        """
        low, high = now - self.max_age_s, now + self.max_future_s
        return [i for i, t in enumerate(times) if not low <= t <= high]

    def describe(self) -> str:
        """The window in words, for error messages."""
        return (f"at most {self.max_future_s:g} s ahead of the server's clock and "
                f"{self.max_age_s:g} s behind it")
