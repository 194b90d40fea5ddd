"""Microclimate alert rules as plain functions: hold time, hysteresis, bands, order, closure."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

from server.domain.alerts import (
    AWAITING_OPERATOR,
    AlertState,
    Reading,
    Rule,
    ZoneDecision,
    evaluate,
    message,
    rules_from_thresholds,
    zone_after_alerts,
)

T0 = datetime(2026, 7, 14, 13, 0, tzinfo=UTC)
CAVE_THRESHOLDS = {"relative_humidity": {"max": 62}, "co2_ppm": {"max": 1500},
                   "temperature_c": {"min": 5, "max": 28}, "hold_s": 60,
                   "hysteresis": {"relative_humidity": 3, "co2_ppm": 150, "temperature_c": 1}}
CO2 = Rule("co2_ppm", "max", 1500, hold_s=60, hysteresis=150)
COLD = Rule("temperature_c", "min", 5, hold_s=60, hysteresis=1)
HOT = Rule("temperature_c", "max", 28, hold_s=60, hysteresis=1)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def series(values: dict[float, float]) -> list[Reading]:
    return [Reading(at(s), v) for s, v in sorted(values.items())]


def changes(rule: Rule, values: dict[float, float],
            state: AlertState | None = None) -> list[tuple[str, float]]:
    return [(t.change, (t.ts - T0).total_seconds())
            for t in evaluate(rule, series(values), state or AlertState())]


def open_since(seconds: float) -> AlertState:
    return AlertState(open=True, since=at(seconds))


def test_importing_the_alert_rules_loads_no_framework() -> None:
    code = ("import sys, server.domain, server.domain.alerts; "
            "bad = [m for m in ('flask', 'flask_socketio', 'sqlalchemy') if m in sys.modules]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_a_cave_thresholds_property_gives_one_rule_per_limit() -> None:
    rules = {r.subject: r for r in rules_from_thresholds(CAVE_THRESHOLDS)}
    assert sorted(rules) == ["co2_ppm:max", "relative_humidity:max", "temperature_c:max",
                             "temperature_c:min"]
    assert rules["co2_ppm:max"] == CO2
    assert rules["temperature_c:min"] == COLD


def test_zones_without_thresholds_or_with_unknown_metrics_have_no_rules() -> None:
    assert rules_from_thresholds(None) == []
    assert rules_from_thresholds({"radon_bq": {"max": 300}, "co2_ppm": {"max": "high"}}) == []


def test_alert_raises_only_after_co2_stays_above_limit_for_hold_time() -> None:
    assert changes(CO2, {0: 1600, 30: 1700, 59: 1650}) == []
    assert changes(CO2, {0: 1600, 30: 1700, 60: 1650}) == [("raised", 60)]


def test_a_reading_back_under_the_limit_restarts_the_hold_time() -> None:
    assert changes(CO2, {0: 1600, 30: 1499, 60: 1650, 90: 1700}) == []
    assert changes(CO2, {0: 1600, 30: 1499, 60: 1650, 90: 1700, 120: 1600}) == [("raised", 120)]


def test_a_value_exactly_at_the_limit_is_not_beyond_it() -> None:
    assert changes(CO2, {0: 1500, 60: 1500, 120: 1500}) == []


def test_alert_does_not_clear_inside_the_hysteresis_band() -> None:
    assert changes(CO2, {70: 1400, 100: 1360, 200: 1351}, open_since(60)) == []


def test_alert_clears_when_back_inside_limit_minus_hysteresis_for_hold_time() -> None:
    assert changes(CO2, {70: 1350, 100: 1200, 129: 1300}, open_since(60)) == []
    assert changes(CO2, {70: 1350, 100: 1200, 130: 1300}, open_since(60)) == [("cleared", 130)]


def test_a_single_batch_can_raise_and_clear_in_time_order() -> None:
    values: dict[float, float] = {0: 1600, 30: 1600, 60: 1600, 90: 1000, 120: 1000, 150: 1000}
    assert changes(CO2, values) == [("raised", 60), ("cleared", 150)]


def test_temperature_band_raises_below_its_min_and_clears_above_min_plus_hysteresis() -> None:
    assert changes(COLD, {0: 4.9, 30: 4.0, 60: 3.5}) == [("raised", 60)]
    assert changes(COLD, {70: 5.5, 100: 5.9, 200: 5.5}, open_since(60)) == []
    assert changes(COLD, {70: 6.0, 100: 6.5, 130: 7.0}, open_since(60)) == [("cleared", 130)]


def test_temperature_band_raises_above_its_max() -> None:
    assert changes(HOT, {0: 29, 30: 30, 60: 28.5}) == [("raised", 60)]
    assert changes(COLD, {0: 29, 30: 30, 60: 28.5}) == []


def test_out_of_order_readings_decide_as_if_they_had_come_in_order() -> None:
    arrived = [Reading(at(60), 1650), Reading(at(0), 1600), Reading(at(30), 1700)]
    in_order = sorted(arrived, key=lambda r: r.ts)
    assert [(t.change, t.ts) for t in evaluate(CO2, in_order, AlertState())] == [("raised", at(60))]


def test_a_late_reading_from_before_the_raise_does_not_make_the_alert_flap() -> None:
    # raised at 60; a reading stamped 30 and under the limit arrives afterwards
    assert changes(CO2, {0: 1600, 30: 1000, 60: 1650, 90: 1700}, open_since(60)) == []


def test_a_late_reading_from_before_the_clear_does_not_raise_again() -> None:
    state = AlertState(open=False, since=at(150))
    assert changes(CO2, {100: 1900, 120: 1900, 140: 1900, 160: 1000}, state) == []


def test_a_late_reading_inside_the_clearing_run_delays_the_clear() -> None:
    assert changes(CO2, {70: 1300, 100: 1600, 130: 1300}, open_since(60)) == []


def test_missing_metrics_are_left_out_of_the_series_without_breaking_a_run() -> None:
    readings = [Reading(at(0), 1600), Reading(at(60), 1600)]  # a reading at 30 had no CO2
    assert [t.change for t in evaluate(CO2, readings, AlertState())] == ["raised"]
    assert evaluate(CO2, [], AlertState()) == []


def test_a_zero_hold_time_raises_on_the_first_reading_beyond_the_limit() -> None:
    assert changes(Rule("co2_ppm", "max", 1500), {0: 1501}) == [("raised", 0)]


def test_the_message_names_zone_metric_value_and_limit() -> None:
    text = message(CO2, "Cave 45", "mogao-045", 1650)
    assert all(part in text for part in ("Cave 45", "mogao-045", "co2_ppm", "1650", "1500", "60 s"))
    assert "1350" in message(CO2, "Cave 45", "mogao-045", 1200, "cleared")


def test_an_open_cave_closes_on_a_microclimate_alert() -> None:
    assert zone_after_alerts("open", None, ["co2_ppm"]) == ZoneDecision(
        "closed", "microclimate: co2_ppm")
    assert zone_after_alerts("restricted", "works", ["relative_humidity"]) == ZoneDecision(
        "closed", "microclimate: relative_humidity")


def test_the_closure_reason_follows_the_open_metrics_and_nothing_changes_twice() -> None:
    assert zone_after_alerts("closed", "microclimate: co2_ppm", ["co2_ppm", "relative_humidity"]) == (
        ZoneDecision("closed", "microclimate: co2_ppm, relative_humidity"))
    assert zone_after_alerts("closed", "microclimate: co2_ppm", ["co2_ppm"]) is None


def test_when_all_alerts_clear_the_cave_waits_for_an_operator_or_reopens_by_itself() -> None:
    assert zone_after_alerts("closed", "microclimate: co2_ppm", []) == ZoneDecision(
        "closed", AWAITING_OPERATOR)
    assert zone_after_alerts("closed", "microclimate: co2_ppm", [], "auto") == ZoneDecision(
        "open", "microclimate cleared")


def test_a_cave_awaiting_its_operator_closes_again_for_a_new_alert() -> None:
    assert zone_after_alerts("closed", AWAITING_OPERATOR, ["co2_ppm"]) == ZoneDecision(
        "closed", "microclimate: co2_ppm")
    assert zone_after_alerts("closed", AWAITING_OPERATOR, []) is None


def test_a_cave_an_operator_closed_for_another_reason_is_left_alone() -> None:
    assert zone_after_alerts("closed", "restoration", ["co2_ppm"]) is None
    assert zone_after_alerts("closed", "restoration", [], "auto") is None
    assert zone_after_alerts("open", "operator reopened", []) is None


def test_readings_older_than_the_present_extend_a_run_but_cannot_complete_it() -> None:
    backlog = series({0: 1600, 30: 1700, 60: 1650, 90: 1700})
    assert evaluate(CO2, backlog, AlertState(), not_before=at(600)) == []
    # the run that began in the backlog completes on the first present reading beyond the limit
    raised = evaluate(CO2, [*backlog, *series({600: 1800})], AlertState(), not_before=at(600))
    assert [(t.change, t.ts) for t in raised] == [("raised", at(600))]
    # and a present reading back under the limit ends it instead
    assert evaluate(CO2, [*backlog, *series({600: 1000})], AlertState(), not_before=at(600)) == []
