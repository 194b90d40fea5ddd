"""A visitor's zone over time, with a debounce: brief excursions across a boundary do not count.

The state of a visitor is (zone, since, pending zone, pending since). A new zone must be seen
for ``debounce_s`` before the visitor counts as having moved; going back to the current zone
cancels the pending move. Events older than the visitor's last one are ignored. Times are
seconds since the epoch (UTC): this runs once per position, thousands of times a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class VisitorState(NamedTuple):
    zone: str | None
    since: float
    ts: float
    pending_zone: str | None = None
    pending_since: float | None = None


@dataclass(frozen=True)
class Move:
    visitor_id: str
    from_zone: str | None
    to_zone: str | None
    ts: float
    dwell_s: float | None


def step(visitor_id: str, state: VisitorState | None, zone: str | None, ts: float,
         debounce_s: float) -> tuple[VisitorState, Move | None]:
    """Apply one observation; return the new state and the move it confirms, if any.

    A visitor first seen is in that zone at once; a new zone counts once it has been seen for
    ``debounce_s``, and the move is dated from when it was first seen there:

    >>> state, move = step("v1", None, "cave", 0.0, debounce_s=5)
    >>> move
    Move(visitor_id='v1', from_zone=None, to_zone='cave', ts=0.0, dwell_s=None)
    >>> state, move = step("v1", state, "hall", 10.0, debounce_s=5)
    >>> move is None, state.zone, state.pending_zone
    (True, 'cave', 'hall')
    >>> state, move = step("v1", state, "hall", 16.0, debounce_s=5)
    >>> move
    Move(visitor_id='v1', from_zone='cave', to_zone='hall', ts=10.0, dwell_s=10.0)

    A step across the boundary and back within ``debounce_s`` moves no one:

    >>> state, move = step("v1", state, "cave", 17.0, debounce_s=5)
    >>> state, move = step("v1", state, "hall", 18.0, debounce_s=5)
    >>> move is None, state.zone, state.pending_zone
    (True, 'hall', None)
    """
    if state is None:
        return VisitorState(zone, ts, ts), Move(visitor_id, None, zone, ts, None)
    if ts < state.ts:
        return state, None  # out of order: the newer observation already decided
    if zone == state.zone:  # the common case: still in the same zone
        return VisitorState(zone, state.since, ts), None
    if state.pending_zone != zone or state.pending_since is None:
        state = VisitorState(state.zone, state.since, ts, zone, ts)
        if debounce_s > 0:
            return state, None
    else:
        state = VisitorState(state.zone, state.since, ts, state.pending_zone, state.pending_since)
    assert state.pending_since is not None
    if ts - state.pending_since < debounce_s:
        return state, None
    move = Move(visitor_id, state.zone, zone, state.pending_since,
                state.pending_since - state.since)
    return VisitorState(zone, state.pending_since, ts), move
