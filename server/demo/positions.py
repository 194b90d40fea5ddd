"""The visitors who report positions: a ``scale`` share of the day's full-size crowd, each
reporting once a minute while on site, from a point of the place its party is in.

A visitor is in the sample when its own random number is below ``scale``, so a larger scale
keeps every visitor of a smaller one (with the same positions) and adds others. Ids follow
the seed, the date and the party: ``h<seed>-<yyyymmdd>-<party><member>`` for visitors (the
site's local date) and ``h<seed>:<yyyymmddHHMM>:<party><member>`` for events (the minute in
UTC), so they sort by time (the unique index grows at its end) and a history written twice
has the same ids. Minutes count from local midnight in absolute time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from server.demo.crowd import DayPlan
from server.demo.places import Places

ANCHOR_SPREAD = 2  # pool points between two members of a party (neighbours in the pool)


@dataclass
class Reporters:
    """The sampled visitors of one day and where they are, minute by minute."""

    parties: np.ndarray  # sampled parties (rows of ``place``/``anchor``)
    row: np.ndarray  # member -> row
    member: np.ndarray  # member -> its number in the party
    second: np.ndarray  # member -> the second of the minute it reports at
    visitor_ids: list[str]
    suffixes: list[str]
    place: np.ndarray  # [row, minute], -1 when not on site
    anchor: np.ndarray

    @property
    def visitors(self) -> int:
        return len(self.visitor_ids)

    def replan(self, plan: DayPlan, parties: set[int]) -> None:
        """Parties whose plan changed (a closure): read their minutes again."""
        mine = np.flatnonzero(np.isin(self.parties, np.fromiter(parties, dtype=np.int64)))
        if len(mine):
            self.place[mine], self.anchor[mine] = plan.where(self.parties[mine])


def sample(plan: DayPlan, scale: float, day: datetime, seed: int,
           rng: np.random.Generator) -> Reporters:
    """The ``scale`` share of the day's visitors (``day``: local midnight)."""
    u = rng.random(plan.visitors)  # one number a visitor, drawn whatever the scale
    seconds = rng.integers(0, 60, plan.visitors)
    party_of = np.repeat(np.arange(len(plan.size)), plan.size)
    first = np.concatenate([[0], np.cumsum(plan.size)[:-1]]).astype(np.int64)
    member_no = np.arange(plan.visitors) - first[party_of]
    keep = np.flatnonzero(u < scale)
    parties = np.unique(party_of[keep])
    row_of = {p: i for i, p in enumerate(parties.tolist())}
    place, anchor = plan.where(parties)
    suffixes = [f"{p:05d}{m:02d}" for p, m in zip(party_of[keep].tolist(),
                                                  member_no[keep].tolist(), strict=True)]
    stamp = f"h{seed}-{day:%Y%m%d}-"
    return Reporters(parties, np.asarray([row_of[p] for p in party_of[keep].tolist()],
                                         dtype=np.int64),
                     member_no[keep], seconds[keep], [stamp + s for s in suffixes], suffixes,
                     place, anchor)


def located(reporters: Reporters, places: Places, lo: int, hi: int,
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Who reports where in minutes ``lo`` .. ``hi``, in event-id order: (minute after ``lo``,
    member, lon, lat), one entry a position."""
    where = reporters.place[reporters.row, lo:hi]  # [member, minute]
    minute_i, member_i = np.nonzero(where.T >= 0)
    place = where[member_i, minute_i]
    anchor = reporters.anchor[reporters.row[member_i], lo + minute_i]
    lon, lat = places.points(place, anchor + ANCHOR_SPREAD * reporters.member[member_i])
    return minute_i.astype(np.int32), member_i.astype(np.int32), lon, lat
