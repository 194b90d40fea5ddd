"""Capacity from area, and the display GeoJSON for the control panel."""

from __future__ import annotations

import json

import pytest

from geo import load_zones, to_display_geojson, with_capacity


def test_missing_capacities_are_derived_from_usable_area_and_density(site_fc: dict) -> None:
    zones = with_capacity(load_zones(site_fc), density_per_m2=0.5)
    frame = zones.frame.set_index("id")
    area = zones.to_metric().set_index("id").area
    assert frame.loc["va1", "capacity"] == 200
    assert frame.loc["va1", "capacity_source"] == "given"
    assert frame.loc["va2", "capacity_source"] == "derived"
    assert frame.loc["va2", "capacity"] == int(area["va2"] * 0.5 * 0.5)
    assert frame.loc["cc", "capacity"] == int(area["cc"] * 0.5)


def test_a_bad_density_is_refused(site_fc: dict) -> None:
    with pytest.raises(ValueError):
        with_capacity(load_zones(site_fc), density_per_m2=float("nan"))


def test_the_display_geojson_is_lon_lat_simplified_and_carries_the_panel_properties(
        site_fc: dict) -> None:
    zones = with_capacity(load_zones(site_fc), density_per_m2=0.5)
    fc = json.loads(json.dumps(to_display_geojson(zones, tolerance_m=2.0), ensure_ascii=False))
    props = {f["id"]: f["properties"] for f in fc["features"]}
    assert set(props["va2"]) == {"id", "parent_id", "name_en", "name_zh", "kind", "capacity",
                                 "capacity_source", "state"}
    assert props["va2"]["capacity_source"] == "derived" and props["pr"]["parent_id"] is None
    ring = fc["features"][1]["geometry"]
    assert ring["type"] == "Polygon" and len(ring["coordinates"]) == 2  # the hole survives
    lon, lat = ring["coordinates"][0][0]
    assert 94 < lon < 95 and 40 < lat < 41
