"""Visitor sessions at a site's kiosks over one day.

A free kiosk is taken up more often the more visitors walk its area: in each minute it starts
a session with probability ``1 - exp(-r n s)``, ``n`` the visitors in the kiosk's area (the
day's plan, before any closure), ``r`` the interest of one passer-by and ``s`` the history's
scale: sessions, like positions, are those of the sampled visitors. A visitor stays for a
share of the kind's usual session, then the kiosk rests a minute or so. What the kiosk plays
is decided when the session starts, by the site's content rules (a closed cave's virtual
substitute while the cave is closed): session times never depend on it, so a history written
twice has the same sessions, with the same event ids.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

INTEREST_PER_MIN = {"vr": 0.0005, "exhibition": 0.0008}  # per visitor in the area
SESSION_S = {"vr": 480.0, "exhibition": 300.0}  # a whole session, before attention runs out
ATTENTION = (0.35, 1.0)  # share of it a visitor stays
REST_S = (30.0, 120.0)  # the kiosk idles between two visitors
HOTSPOTS = 2  # at most, a session


@dataclass(frozen=True)
class Kiosk:
    kiosk_id: str
    kind: str
    zone_code: int


@dataclass(frozen=True)
class Slot:
    """A session's times, in seconds after local midnight, and the hotspots it visits."""

    kiosk_id: str
    number: int
    start_s: float
    length_s: float
    hotspots: tuple[tuple[float, int], ...]  # (seconds after start, which hotspot)


def plan_sessions(kiosks: list[Kiosk], crowd: np.ndarray, open_min: int, close_min: int,
                  scale: float, rng: np.random.Generator) -> list[Slot]:
    """The day's sessions of every kiosk, ordered by start. ``crowd[zone, minute]``."""
    slots: list[Slot] = []
    for kiosk in kiosks:
        rate = INTEREST_PER_MIN.get(kiosk.kind, INTEREST_PER_MIN["exhibition"])
        start_p = 1.0 - np.exp(-rate * scale * crowd[kiosk.zone_code].astype(np.float64))
        u = rng.random(close_min - open_min + 1)
        t = float(open_min * 60)
        number = 0
        while t < close_min * 60 - 60:
            minute = int(t // 60)
            if u[minute - open_min] >= start_p[minute]:
                t = (minute + 1) * 60.0
                continue
            start = t + float(rng.uniform(0, REST_S[0]))
            length = SESSION_S.get(kiosk.kind, SESSION_S["exhibition"]) * rng.uniform(*ATTENTION)
            length = float(min(length, close_min * 60 - start))
            spots = tuple(sorted((float(rng.uniform(0.1, 0.9) * length), int(rng.integers(0, 99)))
                                 for _ in range(int(rng.integers(0, HOTSPOTS + 1)))))
            number += 1
            slots.append(Slot(kiosk.kiosk_id, number, start, length, spots))
            t = start + length + float(rng.uniform(*REST_S))
    return sorted(slots, key=lambda s: (s.start_s, s.kiosk_id))
