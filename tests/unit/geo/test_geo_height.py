"""A proposed work's height against the site's limit and the zones' own, stricter ones."""

from __future__ import annotations

import json
from typing import Any

import pytest

from geo import WorkGeometryError, check_impact, load_zones, validate_zones
from geo.wire import answer_impact_request, decode_impact_answer, encode_impact_request
from tests.unit.geo.test_geo_impact import cave_corner, square_lonlat

SITE = {"max_height_m": 12, "form": "flat roofs"}


def with_zone_height(site_fc: dict[str, Any], zone_id: str, height: Any) -> dict[str, Any]:
    for feature in site_fc["features"]:
        if feature["properties"]["id"] == zone_id:
            feature["properties"]["max_height_m"] = height
    return site_fc


def in_cave(zones) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    x0, y0 = cave_corner(zones)
    return square_lonlat(zones, x0 + 10, y0 + 10, 20.0)


def height_rules(report) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    return [r for r in report.rules if r["kind"] == "height"]


def test_a_work_higher_than_the_site_limit_breaks_the_height_rule(site_fc: dict) -> None:
    zones = load_zones(site_fc)
    report = check_impact(zones, in_cave(zones), limits=SITE, height_m=15)
    (rule,) = height_rules(report)
    assert (rule["limit_m"], rule["height_m"], rule["zones"]) == (12.0, 15.0, [])
    assert "15 m" in rule["rule"] and "12 m" in rule["rule"]
    assert report.requires_approval


def test_a_work_within_the_limit_breaks_no_height_rule(site_fc: dict) -> None:
    zones = load_zones(site_fc)
    assert height_rules(check_impact(zones, in_cave(zones), limits=SITE, height_m=12)) == []
    assert height_rules(check_impact(zones, in_cave(zones), limits=SITE)) == []


def test_the_height_may_come_with_the_limits_as_a_server_sends_it(site_fc: dict) -> None:
    zones = load_zones(site_fc)
    report = check_impact(zones, in_cave(zones), limits={**SITE, "proposed_height_m": 20})
    assert [r["height_m"] for r in height_rules(report)] == [20.0]


def test_the_strictest_limit_of_the_touched_zones_applies(site_fc: dict) -> None:
    zones = load_zones(with_zone_height(with_zone_height(site_fc, "pr", 8), "cave1", 3))
    report = check_impact(zones, in_cave(zones), limits=SITE, height_m=5)
    (rule,) = height_rules(report)
    assert (rule["limit_m"], rule["zones"]) == (3.0, ["cave1"])


def test_a_zone_limit_applies_only_to_works_that_touch_the_zone(site_fc: dict) -> None:
    zones = load_zones(with_zone_height(site_fc, "cave1", 3))
    cave = zones.to_metric().set_index("id").geometry["cave1"]
    x1 = cave.bounds[2]
    _, y0 = cave_corner(zones)
    beside = square_lonlat(zones, x1 + 5, y0, 5.0)  # in the visitor area, east of the cave
    touched = [t["zone_id"] for t in check_impact(zones, beside).touched]
    assert "cave1" not in touched
    assert height_rules(check_impact(zones, beside, limits=SITE, height_m=5)) == []


def test_zone_height_limits_cross_the_wire_to_the_child(site_fc: dict) -> None:
    zones = load_zones(with_zone_height(site_fc, "cave1", 3))
    data = encode_impact_request(zones, in_cave(zones), limits={**SITE, "proposed_height_m": 5})
    remote = json.loads(decode_impact_answer(answer_impact_request(data)))
    assert [(r["limit_m"], r["zones"]) for r in remote["rules"] if r["kind"] == "height"] == [
        (3.0, ["cave1"])]
    assert remote["requires_approval"] is True


@pytest.mark.parametrize("height", [-1, "tall", True, float("nan")])
def test_a_zone_height_limit_that_is_not_metres_is_a_problem(site_fc: dict, height: Any) -> None:
    problems = validate_zones(load_zones(site_fc).frame.assign(
        max_height_m=[height if i == 0 else None for i in range(5)]))
    assert [p.code for p in problems if p.code == "invalid_max_height"] == (
        [] if isinstance(height, float) else ["invalid_max_height"])


@pytest.mark.parametrize("height", [-1, "tall", float("inf")])
def test_a_work_height_that_is_not_metres_is_refused(site_fc: dict, height: Any) -> None:
    zones = load_zones(site_fc)
    with pytest.raises(WorkGeometryError, match="height_m"):
        check_impact(zones, in_cave(zones), limits=SITE, height_m=height)

