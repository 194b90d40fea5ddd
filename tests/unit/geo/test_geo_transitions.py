"""Debounced zone transitions and dwell times."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import Transition, TransitionTracker


def test_a_visitor_jittering_across_a_boundary_is_not_counted_in_and_out() -> None:
    t = TransitionTracker(debounce_m=5.0, debounce_s=10.0)
    events = t.update("v", 0.0, "hall", 0.0, 0.0)
    for k in range(1, 9):  # +-1.5 m around the boundary at x = 0 for 8 s
        events += t.update("v", float(k), "plaza" if k % 2 else "hall", 1.5 * (-1) ** k, 0.0)
    assert events == [Transition("v", "hall", "enter", 0.0)]
    assert t.zone_of("v") == "hall"


def test_moving_beyond_the_debounce_distance_confirms_the_crossing_at_the_crossing_time() -> None:
    t = TransitionTracker(debounce_m=5.0, debounce_s=60.0)
    t.update("v", 0.0, "hall", 0.0, 0.0)
    assert t.update("v", 20.0, "plaza", 1.0, 0.0) == []
    assert t.update("v", 22.0, "plaza", 7.0, 0.0) == [
        Transition("v", "hall", "exit", 20.0, 20.0), Transition("v", "plaza", "enter", 20.0)]


def test_staying_for_the_debounce_time_confirms_the_crossing() -> None:
    t = TransitionTracker(debounce_m=50.0, debounce_s=10.0)
    t.update("v", 0.0, "hall", 0.0, 0.0)
    t.update("v", 5.0, None, 1.0, 0.0)
    assert t.update("v", 15.0, None, 1.0, 0.0) == [Transition("v", "hall", "exit", 5.0, 5.0)]
    assert t.zone_of("v") is None


def test_zero_debounce_reports_every_change_at_once() -> None:
    t = TransitionTracker(debounce_m=0.0, debounce_s=0.0)
    t.update("v", 0.0, "a", 0.0, 0.0)
    assert [e.event for e in t.update("v", 1.0, "b", 0.1, 0.0)] == ["exit", "enter"]


def test_silent_visitors_exit_at_their_last_report_and_others_stay() -> None:
    t = TransitionTracker()
    t.update("gone", 0.0, "cave", 0.0, 0.0)
    t.update("gone", 40.0, "cave", 0.0, 0.0)
    t.update("here", 290.0, "cave", 0.0, 0.0)
    assert t.expire(now=350.0, timeout_s=300.0) == [Transition("gone", "cave", "exit", 40.0, 40.0)]
    assert t.zone_of("here") == "cave" and len(t) == 1


def test_positions_older_than_the_last_one_are_ignored() -> None:
    t = TransitionTracker(debounce_m=0.0, debounce_s=0.0)
    t.update("v", 10.0, "a", 0.0, 0.0)
    assert t.update("v", 5.0, "b", 0.0, 0.0) == []
    assert t.zone_of("v") == "a"


def test_bad_settings_and_timestamps_are_refused() -> None:
    with pytest.raises(ValueError):
        TransitionTracker(debounce_m=-1.0)
    with pytest.raises(ValueError):
        TransitionTracker().update("v", float("nan"), "a", 0.0, 0.0)


@settings(max_examples=100, deadline=None)
@given(steps=st.lists(st.tuples(st.floats(0.0, 30.0), st.sampled_from(["a", "b", "c", None]),
                                st.floats(-20.0, 20.0)), max_size=60),
       debounce_m=st.floats(0.0, 10.0), debounce_s=st.floats(0.0, 20.0))
def test_events_alternate_enter_and_exit_per_zone_with_dwell_never_negative(
        steps: list[tuple[float, str | None, float]], debounce_m: float, debounce_s: float) -> None:
    t = TransitionTracker(debounce_m, debounce_s)
    ts, events = 0.0, []
    for dt, zone, x in steps:
        ts += dt
        events += t.update("v", ts, zone, x, 0.0)
    events += t.expire(ts + 1000.0, timeout_s=10.0)
    inside = None
    for e in events:
        if e.event == "enter":
            assert inside is None
            inside = e.zone_id
        else:
            assert e.zone_id == inside and e.dwell_s is not None and e.dwell_s >= 0
            inside = None
    assert inside is None and len(t) == 0


def test_jitter_shorter_than_the_debounce_time_and_distance_never_creates_events() -> None:
    t = TransitionTracker(debounce_m=5.0, debounce_s=10.0)
    events = t.update("v", 0.0, "a", 0.0, 0.0)
    ts = 0.0
    for k in range(200):
        ts += 3.0
        events += t.update("v", ts, "b" if k % 3 == 0 else "a", (-1) ** k * 2.0, 0.0)
    assert [e.event for e in events] == ["enter"]
