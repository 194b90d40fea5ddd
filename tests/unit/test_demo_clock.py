"""The demo clock keeps the simulated crowd inside opening hours whatever the real hour; inside
them it is the real clock."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from server.demo.clock import SHOW_AT, DemoClock
from server.demo.demand import Hours

DUNHUANG = ZoneInfo("Asia/Shanghai")
WINTER = Hours(open=9 * 60, close=17 * 60 + 30, last_entry=15 * 60 + 30)


def local(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 23, hour, minute, tzinfo=DUNHUANG)


@pytest.mark.parametrize("hour, minute", [(9, 0), (10, 45), (13, 20), (14, 29)])
def test_inside_opening_hours_the_demo_clock_is_the_real_clock(hour: int, minute: int) -> None:
    clock = DemoClock.inside(WINTER, DUNHUANG, local(hour, minute))
    assert clock.offset_s == 0
    real = local(hour, minute).astimezone(UTC)
    assert clock.now(real) == real


@pytest.mark.parametrize("hour, minute", [(0, 5), (3, 0), (8, 59), (14, 30), (17, 0), (23, 55)])
def test_outside_opening_hours_the_demo_clock_shows_half_past_ten_the_same_day(
        hour: int, minute: int) -> None:
    real = local(hour, minute)
    clock = DemoClock.inside(WINTER, DUNHUANG, real)
    shown = clock.local(real, DUNHUANG)
    assert shown.time() == SHOW_AT
    assert shown.date() == real.date()
    assert clock.offset_s == (datetime.combine(real.date(), time(10, 30), DUNHUANG)
                              - real).total_seconds()


def test_the_demo_clock_runs_at_the_real_pace() -> None:
    real = local(2, 0).astimezone(UTC)
    clock = DemoClock.inside(WINTER, DUNHUANG, real)
    later = real + timedelta(minutes=7, seconds=30)
    assert clock.now(later) - clock.now(real) == timedelta(minutes=7, seconds=30)
    assert clock.local(later, DUNHUANG).strftime("%H:%M:%S") == "10:37:30"


def test_the_clock_reads_the_real_hour_in_the_sites_time_zone_not_the_servers() -> None:
    # 02:00 UTC is 10:00 in Dunhuang: open, so no shift, wherever the server stands
    real = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    assert DemoClock.inside(WINTER, DUNHUANG, real).offset_s == 0
    # 14:00 UTC is 22:00 there: shifted back to the morning
    assert DemoClock.inside(WINTER, DUNHUANG, real + timedelta(hours=12)).offset_s == -11.5 * 3600
