from __future__ import annotations

import pytest

from immersive.spec import Hotspot, Waypoint
from immersive.tour import ease, hotspots_near, pose_at, tour_length, waypoint_time

TOUR = [
    Waypoint((0, 0, 0), (0, 1, 0), 4, "linear"),
    Waypoint((4, 0, 0), (4, 1, 0), 2, "ease_in_out"),
    Waypoint((4, 4, 0), (4, 5, 0), 2, "hold"),
]


@pytest.mark.parametrize("kind", ["linear", "ease_in", "ease_out", "ease_in_out"])
def test_every_easing_starts_at_zero_and_ends_at_one(kind):
    assert ease(kind, 0) == pytest.approx(0) and ease(kind, 1) == pytest.approx(1)


def test_ease_in_starts_slow_and_ease_out_starts_fast():
    assert ease("ease_in", 0.25) < 0.25 < ease("ease_out", 0.25)


def test_the_camera_stands_on_each_waypoint_at_its_time():
    for i, wp in enumerate(TOUR):
        assert pose_at(TOUR, waypoint_time(TOUR, i))[0] == pytest.approx(wp.pos)


def test_a_linear_segment_moves_at_constant_speed():
    assert pose_at(TOUR, 1.0)[0] == pytest.approx((1, 0, 0))


def test_a_hold_segment_stays_put_then_jumps_back_to_the_start_when_looping():
    assert pose_at(TOUR, 7.5)[0] == pytest.approx((4, 4, 0))
    assert pose_at(TOUR, tour_length(TOUR) + 1.0)[0] == pytest.approx((1, 0, 0))


def test_without_looping_the_camera_stays_at_the_last_waypoint():
    assert pose_at(TOUR, 100, loop=False)[0] == pytest.approx((4, 4, 0))


def test_a_waypoint_out_of_range_is_an_index_error():
    with pytest.raises(IndexError):
        waypoint_time(TOUR, 3)


def test_hotspots_near_lists_the_nearest_first():
    text = {"en": "a", "zh": "甲"}
    far = Hotspot("far", (0, 0, 3), 5, text, text)
    near = Hotspot("near", (0, 0, 1), 2, text, text)
    out = Hotspot("out", (9, 9, 9), 1, text, text)
    assert [h.id for h in hotspots_near([far, near, out], (0, 0, 0))] == ["near", "far"]
