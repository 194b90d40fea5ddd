"""The visitor report's figures on a two-visitor day, computed by hand.

Visitor A: in the visitor area from 09:00, cave c1 09:10-09:30, back in the area, leaves 09:40.
Visitor B: in the area from 09:15, cave c1 09:20-09:25, cave c2 09:25-10:05, leaves from c2.
Cave c2 is closed 09:50-10:30; a kiosk runs one ordinary session and one of c2's substitute.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from analytics_fixtures import TinySite

from analytics_notebooks import climate, occupancy, visits
from analytics_notebooks.db import Sql, Window
from analytics_notebooks.venue import load_site, load_zones

DAY = Window(date(2026, 10, 1), date(2026, 10, 1), "Asia/Shanghai")


@pytest.fixture
def two_visitors(tiny: TinySite) -> TinySite:
    for t in ("09:00", "09:05", "09:10", "09:20", "09:30", "09:35"):
        tiny.position("A", f"2026-10-01 {t}", "va" if t in ("09:00", "09:05", "09:35") else "c1")
    for t in ("09:15", "09:22", "09:40", "10:00"):
        tiny.position("B", f"2026-10-01 {t}", {"09:15": "va", "09:22": "c1"}.get(t, "c2"))
    tiny.position("C", "2026-10-02 08:00", None)  # another day: not in this window
    tiny.transitions([
        ("A", "va", "enter", "2026-10-01 09:00", None),
        ("A", "va", "exit", "2026-10-01 09:10", 600.0), ("A", "c1", "enter", "2026-10-01 09:10", None),
        ("A", "c1", "exit", "2026-10-01 09:30", 1200.0), ("A", "va", "enter", "2026-10-01 09:30", None),
        ("A", "va", "exit", "2026-10-01 09:40", 600.0),
        ("B", "va", "enter", "2026-10-01 09:15", None),
        ("B", "va", "exit", "2026-10-01 09:20", 300.0), ("B", "c1", "enter", "2026-10-01 09:20", None),
        ("B", "c1", "exit", "2026-10-01 09:25", 300.0), ("B", "c2", "enter", "2026-10-01 09:25", None),
        ("B", "c2", "exit", "2026-10-01 10:05", 2400.0),
    ])
    tiny.kiosk("k1", "va")
    tiny.session_event("k1", "s1", "started", "2026-10-01 09:40", "tour")
    tiny.session_event("k1", "s1", "ended", "2026-10-01 09:46", "tour", completion=1.0)
    tiny.session_event("k1", "s2", "started", "2026-10-01 10:00", "c2-virtual", "c2")
    tiny.session_event("k1", "s2", "ended", "2026-10-01 10:03", "c2-virtual", "c2", 0.5)
    tiny.zone_state("c2", "closed", "2026-10-01 09:50")
    tiny.zone_state("c2", "open", "2026-10-01 10:30")
    return tiny


def test_two_visitors_make_two_visits_arriving_in_the_nine_oclock_hour(
        two_visitors: TinySite, sql: Sql) -> None:
    arr, rows = visits.arrivals(sql, "testsite", DAY)
    assert rows == 10
    assert arr.to_dict("records") == [{"date": date(2026, 10, 1), "hour": 9, "visits": 2}]
    per_day = visits.visits_per_day(arr, DAY, 10)
    assert per_day.to_dict("records") == [{"date": "2026-10-01", "visits": 2,
                                           "daily_capacity": 10, "ratio": 0.2}]
    assert visits.arrivals_matrix(arr, DAY).loc["2026-10-01", 9] == 2


def test_a_sampled_history_estimates_the_whole_crowd_and_its_share_of_capacity(
        two_visitors: TinySite, sql: Sql) -> None:
    arr, _ = visits.arrivals(sql, "testsite", DAY)
    per_day = visits.visits_per_day(arr, DAY, 10, sample=0.25)  # 2 stored of 8 visitors
    assert per_day.to_dict("records") == [{"date": "2026-10-01", "visits": 2,
                                           "daily_capacity": 10, "ratio": 0.8,
                                           "estimated": 8}]


def test_peak_occupancy_rolls_up_the_tree_and_is_timed_to_the_second(
        two_visitors: TinySite, sql: Sql) -> None:
    zones = load_zones(sql, "testsite")
    buckets = occupancy.occupancy_buckets(sql, "testsite", zones, DAY)
    peaks = occupancy.peaks(buckets, zones, DAY, load_site(sql, "testsite").tiers).set_index(
        "zone_id")
    # both in c1 from 09:20 to 09:25; both in the area (or its caves) from 09:15 to 09:40
    assert peaks.loc["c1", "peak"] == 2
    assert peaks.loc["c1", "peak_at"] == pd.Timestamp("2026-10-01 09:20")
    assert peaks.loc["c1", "level"] == "stop"  # 2 of 2
    assert peaks.loc["c2", "peak"] == 1
    assert peaks.loc["c2", "peak_at"] == pd.Timestamp("2026-10-01 09:25")
    for zone in ("va", "pr"):
        assert peaks.loc[zone, "peak"] == 2
        assert peaks.loc[zone, "peak_at"] == pd.Timestamp("2026-10-01 09:15")
    assert peaks.loc["va", "level"] == "normal"  # 2 of 10
    hour = buckets.set_index(["zone_id", "bucket"])
    assert hour.loc[("va", pd.Timestamp("2026-10-01 09:00")), "end_level"] == 1  # B, in c2
    assert hour.loc[("va", pd.Timestamp("2026-10-01 10:00")), "peak"] == 1
    assert hour.loc[("va", pd.Timestamp("2026-10-01 10:00")), "end_level"] == 0
    assert hour.loc[("c1", pd.Timestamp("2026-10-01 08:00")), "peak"] == 0
    assert len(buckets) == 4 * 24


def test_a_visitor_inside_when_the_window_opens_is_counted_from_the_day_before(
        two_visitors: TinySite, sql: Sql) -> None:
    two_visitors.transitions([("N", "c2", "enter", "2026-09-30 23:00", None),
                              ("N", "c2", "exit", "2026-10-01 00:30", 5400.0)])
    zones = load_zones(sql, "testsite")
    buckets = occupancy.occupancy_buckets(sql, "testsite", zones, DAY).set_index(
        ["zone_id", "bucket"])
    first = buckets.loc[("c2", pd.Timestamp("2026-10-01 00:00"))]
    assert (first["peak"], first["end_level"]) == (1, 0)
    assert first["peak_at"] == pd.Timestamp("2026-10-01 00:00").timestamp() - 8 * 3600


def test_dwell_times_come_from_the_exits(two_visitors: TinySite, sql: Sql) -> None:
    stats = occupancy.dwell_stats(occupancy.dwell_histogram(sql, "testsite", DAY)).set_index(
        "zone_id")
    assert stats.loc["va", "n"] == 3
    assert stats.loc["va", "mean_min"] == pytest.approx(1500 / 3 / 60)
    assert stats.loc["c1", "mean_min"] == pytest.approx(12.5)
    assert stats.loc["c2", "mean_min"] == pytest.approx(40.0)
    assert stats.loc["c2", "median_min"] == pytest.approx(40.5)  # the middle of minute 40
    assert 5.0 <= stats.loc["c1", "p25_min"] <= stats.loc["c1", "median_min"] <= 21.0


def test_flows_pair_each_exit_with_the_enter_at_the_same_instant(
        two_visitors: TinySite, sql: Sql) -> None:
    moves = occupancy.flows(sql, "testsite", DAY)
    got = {(s, t): n for s, t, n in moves.itertuples(index=False)}
    out = occupancy.OUTSIDE
    assert got == {(out, "va"): 2, ("va", "c1"): 2, ("c1", "va"): 1, ("c1", "c2"): 1,
                   ("va", out): 1, ("c2", out): 1}
    matrix = occupancy.flow_matrix(moves, ["pr", "va", "c1", "c2"])
    assert list(matrix.index) == ["va", "c1", "c2", out]
    assert matrix.loc["va", "c1"] == 2 and matrix.to_numpy().sum() == 8


def test_kiosk_sessions_and_completion(two_visitors: TinySite, sql: Sql) -> None:
    sessions = visits.kiosk_sessions(sql, "testsite", DAY).set_index("experience_id")
    assert sessions.loc["tour", ["started", "ended", "completed"]].tolist() == [1, 1, 1]
    assert sessions.loc["tour", "completion"] == 1.0
    assert sessions.loc["tour", "seconds"] == pytest.approx(360)
    assert sessions.loc["c2-virtual", ["started", "ended", "completed"]].tolist() == [1, 1, 0]
    assert sessions.loc["c2-virtual", "completion"] == 0.5


def test_the_substitute_absorbed_a_session_while_its_cave_was_closed(
        two_visitors: TinySite, sql: Sql) -> None:
    spans = climate.closures(sql, "testsite", DAY)
    assert spans[["zone_id", "source"]].values.tolist() == [["c2", "audit log"]]
    assert (spans.loc[0, "reopened_at"] - spans.loc[0, "closed_at"]).total_seconds() == 2400
    table = visits.absorbed(visits.substitute_sessions(sql, "testsite", DAY), spans, DAY)
    row = table.set_index("zone_id").loc["c2"]
    assert (row["closures"], row["during_closure"], row["at_other_times"]) == (1, 1, 0)
    assert row["hours_closed"] == pytest.approx(40 / 60)
    assert row["completion_during"] == 0.5


def test_an_empty_window_gives_zeros_not_errors(two_visitors: TinySite, sql: Sql) -> None:
    later = Window(date(2027, 1, 1), date(2027, 1, 2), "Asia/Shanghai")
    arr, rows = visits.arrivals(sql, "testsite", later)
    assert rows == 0 and arr.empty
    assert visits.visits_per_day(arr, later, 10)["visits"].tolist() == [0, 0]
    zones = load_zones(sql, "testsite")
    assert occupancy.occupancy_buckets(sql, "testsite", zones, later)["peak"].max() == 0
    assert occupancy.flows(sql, "testsite", later).empty
