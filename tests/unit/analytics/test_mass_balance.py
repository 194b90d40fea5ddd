"""The cave's CO2 balance: a cave simulated exactly from dC/dt = a*N - lambda*(C - C_out), its
visitors stored as zone transitions and its sensor's readings stored as rows, is fitted back
from the database within 5 %; the capacity formula is checked by hand."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import numpy as np
import pytest
from analytics_fixtures import TinySite

from analytics_notebooks import display, massbalance, preservation_report
from analytics_notebooks.report import open_report

RATE = 1.5  # ppm a visitor a minute (G/V)
EXCHANGE_H = 2.4  # air changes an hour
OUTSIDE = 420.0


def simulate(tiny: TinySite, seed: int = 3) -> None:
    """Groups enter cave c1 all day; readings every minute (17 s past it) with 5 ppm noise."""
    rng = np.random.default_rng(seed)
    day = datetime(2026, 10, 1)
    events: list[tuple[float, int]] = []  # (minutes since midnight, +1/-1)
    rows = []
    start, n = 8 * 60.0, 0
    while start < 17 * 60:
        size, stay = int(rng.integers(2, 9)), float(rng.uniform(6, 15))
        for _ in range(size):
            enter = start + float(rng.uniform(0, 1))
            leave = enter + stay + float(rng.uniform(-1, 1))
            n += 1
            events += [(enter, 1), (leave, -1)]
            rows += [(f"v{n}", "c1", "enter", _local(day, enter), None),
                     (f"v{n}", "c1", "exit", _local(day, leave), (leave - enter) * 60)]
        start += float(rng.uniform(12, 30))
    tiny.transitions(rows)
    tiny.run("INSERT INTO sensors (id, site_id, zone_id, measures, properties) VALUES "
             "('s1', 'testsite', 'c1', '[]', '{}')")
    lam = EXCHANGE_H / 60.0
    times = np.arange(6 * 60, 20 * 60, 1.0) + 17 / 60  # minutes
    events.sort()
    level, t, people, k, out = OUTSIDE, 0.0, 0, 0, []
    for when in times:
        while k < len(events) and events[k][0] <= when:
            level = _advance(level, people, events[k][0] - t, lam)
            t, people, k = events[k][0], people + events[k][1], k + 1
        level = _advance(level, people, when - t, lam)
        t = when
        out.append(level)
    noisy = np.asarray(out) + rng.normal(0, 5, len(out))
    with tiny.engine.begin() as conn:
        from sqlalchemy import text

        conn.execute(text("INSERT INTO sensor_readings (event_id, site_id, sensor_id, zone_id, ts, "
                          "temperature_c, relative_humidity, co2_ppm) VALUES (:e, 'testsite', 's1', "
                          "'c1', :ts, :t, :rh, :c)"),
                     [{"e": f"r{i}", "ts": _utc(day, m), "t": 15.0 + rng.normal(0, 0.05),
                       "rh": 45.0 + rng.normal(0, 0.3), "c": float(c)}
                      for i, (m, c) in enumerate(zip(times, noisy, strict=True))])


def _advance(level: float, people: int, minutes: float, lam: float) -> float:
    steady = OUTSIDE + RATE * people / lam
    return steady + (level - steady) * math.exp(-lam * minutes)


def _local(day: datetime, minutes: float) -> str:
    return (day + timedelta(minutes=minutes)).isoformat(" ", "microseconds")


def _utc(day: datetime, minutes: float) -> str:
    from analytics_fixtures import utc_text

    return utc_text(_local(day, minutes))


@pytest.fixture
def simulated(tiny: TinySite, monkeypatch: pytest.MonkeyPatch) -> preservation_report.Climate:
    simulate(tiny)
    monkeypatch.setattr(display, "show_html", lambda markup: None)
    report = open_report("preservation_report", tiny.url, "testsite", "2026-10-01",
                         "2026-10-01", "en")
    try:
        return preservation_report.load_climate(report)
    finally:
        report.close()


def test_the_fit_recovers_the_rise_per_visitor_and_the_air_exchange_within_5_percent(
        simulated: preservation_report.Climate) -> None:
    assert simulated.step_s == 60
    got = preservation_report.fit_cave(simulated, "c1", {"co2_ppm": {"max": 1500}})
    fit = got["fit"]
    assert fit.ok, fit.reason
    assert fit.rate == pytest.approx(RATE, rel=0.05)
    assert fit.exchange_per_h == pytest.approx(EXCHANGE_H, rel=0.05)
    assert fit.outside == pytest.approx(OUTSIDE, abs=10)
    assert fit.rate_ci[0] < RATE < fit.rate_ci[1]
    assert fit.exchange_ci[0] < EXCHANGE_H < fit.exchange_ci[1]
    assert fit.pairs > 700


def test_the_recommended_capacity_matches_the_true_parameters(
        simulated: preservation_report.Climate) -> None:
    got = preservation_report.fit_cave(simulated, "c1", {"co2_ppm": {"max": 1500}})
    rec = got["recommendation"]
    truth = massbalance.group_capacity(RATE, EXCHANGE_H / 60, OUTSIDE, 1500.0, got["visit_min"],
                                       got["gap_min"])
    assert rec["limiting"] == "co2_ppm"
    assert abs(rec["capacity"] - truth) <= max(1.0, 0.06 * truth)
    low, high = rec["ci95"]
    assert low <= rec["capacity"] <= high
    assert 10.0 <= got["visit_min"] <= 12.0  # stays of 6 to 15 minutes
    assert 0 < got["gap_min"] < math.inf


def test_group_capacity_by_hand() -> None:
    # never empty: the steady state (1500 - 420) * 0.04 / 1.5
    assert massbalance.group_capacity(1.5, 0.04, 420.0, 1500.0, 10.0, 0.0) == pytest.approx(28.8)
    # from rest, 10 minutes: 1080 * 0.04 / 1.5 / (1 - exp(-0.4))
    assert massbalance.group_capacity(1.5, 0.04, 420.0, 1500.0, 10.0) == pytest.approx(
        28.8 / (1 - math.exp(-0.4)))
    # 10 minutes in, 10 out: between the two
    both = massbalance.group_capacity(1.5, 0.04, 420.0, 1500.0, 10.0, 10.0)
    assert both == pytest.approx(28.8 * (1 - math.exp(-0.8)) / (1 - math.exp(-0.4)))
    assert massbalance.group_capacity(1.5, 0.04, 1600.0, 1500.0, 10.0) == 0.0
    assert massbalance.group_capacity(0.0, 0.04, 420.0, 1500.0, 10.0) == math.inf


def test_a_cave_without_visitors_cannot_be_fitted() -> None:
    times = np.arange(0, 3600 * 5, 60.0)
    fit = massbalance.fit_balance(times, 420 + np.random.default_rng(1).normal(0, 5, len(times)),
                                  0.0, 60, np.zeros(len(times)))
    assert not fit.ok and "visitor load" in fit.reason
    short = massbalance.fit_balance(times[:5], np.full(5, 420.0), 0.0, 60, np.ones(5))
    assert not short.ok and "too few" in short.reason
    assert massbalance.recommend({"co2_ppm": (fit, 1500.0)}, 10.0)["capacity"] is None


def test_mean_occupancy_between_readings_integrates_the_load() -> None:
    occupancy = np.array([0.0, 2.0, 4.0])  # mean visitors in three 60 s buckets from t=0
    got = massbalance.mean_between(0.0, 60.0, occupancy, np.array([30.0, 60.0]),
                                   np.array([90.0, 180.0]))
    assert got.tolist() == pytest.approx([1.0, 3.0])


def test_student_t_quantiles() -> None:
    assert massbalance.t975(1) == 12.706
    assert massbalance.t975(30) == 2.042
    assert massbalance.t975(40) == pytest.approx(2.021, abs=0.002)
    assert massbalance.t975(10_000) == pytest.approx(1.960, abs=0.001)


def test_absolute_humidity_by_the_magnus_formula() -> None:
    assert massbalance.absolute_humidity(20.0, 50.0) == pytest.approx(8.62, abs=0.01)
    assert massbalance.absolute_humidity(0.0, 100.0) == pytest.approx(4.85, abs=0.02)


