"""Loading zones, and every kind of bad zone data reported by feature id, all at once."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from geo_fixtures import CENTER, PR, collection, feature, site_features
from shapely.geometry import LineString, Polygon, box

from geo import ZoneValidationError, load_zones, validate_zones
from geo.errors import ZoneSourceError


def problems_of(source: Any, **kwargs: Any) -> list[tuple[str | None, str]]:
    with pytest.raises(ZoneValidationError) as err:
        load_zones(source, **kwargs)
    return [(p.feature_id, p.code) for p in err.value.problems]


def test_a_valid_site_loads_from_geojson_with_its_tree_and_utm_crs(tmp_path: Path,
                                                                   site_fc: dict) -> None:
    path = tmp_path / "zones.geojson"
    path.write_text(json.dumps(site_fc))
    zones = load_zones(path, site_center=CENTER)
    assert zones.ids == ["pr", "cc", "va1", "va2", "cave1"]
    assert zones.ancestors("cave1") == ["va1", "pr"]
    assert zones.children("pr") == ["va1", "va2"]
    assert zones.metric_crs.to_epsg() == 32646
    assert zones.source == "zones.geojson"


@pytest.mark.parametrize("crs", ["EPSG:4326", "EPSG:4490"])
def test_a_valid_site_loads_from_geopackage(tmp_path: Path, site_gdf: gpd.GeoDataFrame,
                                            crs: str) -> None:
    path = tmp_path / "zones.gpkg"
    site_gdf.set_crs(crs, allow_override=True).to_file(path, driver="GPKG")
    zones = load_zones(path, site_center=CENTER)
    assert sorted(zones.ids) == ["cave1", "cc", "pr", "va1", "va2"]
    assert zones.parent("va2") == "pr"


def test_a_geopackage_without_crs_is_reported_as_missing_crs(tmp_path: Path,
                                                             site_gdf: gpd.GeoDataFrame) -> None:
    path = tmp_path / "zones.gpkg"
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        site_gdf.set_crs(None, allow_override=True).to_file(path, driver="GPKG")
    assert (None, "missing_crs") in problems_of(path)


def test_cgcs2000_input_is_accepted(site_fc: dict) -> None:
    fc = {**site_fc, "crs": {"type": "name",
                             "properties": {"name": "urn:ogc:def:crs:EPSG::4490"}}}
    assert len(load_zones(fc)) == 5


def test_an_unsupported_crs_is_reported_and_names_the_crs(site_fc: dict) -> None:
    fc = {**site_fc, "crs": {"type": "name", "properties": {"name": "EPSG:3857"}}}
    with pytest.raises(ZoneValidationError) as err:
        load_zones(fc)
    assert err.value.problems[0].code == "unsupported_crs"
    assert "EPSG:3857" in err.value.problems[0].message


def test_a_frame_without_crs_is_reported(site_gdf: gpd.GeoDataFrame) -> None:
    site_gdf = site_gdf.set_crs(None, allow_override=True)
    assert [p.code for p in validate_zones(site_gdf)] == ["missing_crs"]


def test_a_bowtie_is_reported_with_the_geos_reason_and_location() -> None:
    bowtie = Polygon([(94.79, 40.03), (94.81, 40.05), (94.81, 40.03), (94.79, 40.05)])
    with pytest.raises(ZoneValidationError) as err:
        load_zones(collection(feature("bt", bowtie, kind="protection_range")))
    (p,) = err.value.problems
    assert (p.feature_id, p.code) == ("bt", "invalid_geometry")
    assert "Self-intersection" in p.message
    assert p.location == pytest.approx((94.80, 40.04))


def test_a_spike_is_reported_as_invalid_geometry() -> None:
    spike = Polygon([(94.79, 40.03), (94.80, 40.03), (94.80, 40.04), (94.85, 40.04),
                     (94.80, 40.04), (94.80, 40.05), (94.79, 40.05)])
    assert problems_of(collection(feature("sp", spike, kind="protection_range"))) == [
        ("sp", "invalid_geometry")]


def test_nan_empty_and_unsupported_geometries_are_each_reported() -> None:
    nan = {"type": "Polygon", "coordinates": [[[94.79, 40.03], [math.nan, 40.03],
                                               [94.81, 40.05], [94.79, 40.03]]]}
    inf = {"type": "Polygon", "coordinates": [[[94.79, 40.03], [94.80, math.inf],
                                               [94.81, 40.05], [94.79, 40.03]]]}
    fc = collection(
        feature("nan", nan, kind="protection_range"),
        feature("inf", inf, kind="protection_range"),
        feature("empty", Polygon(), kind="protection_range"),
        feature("line", LineString([(94.79, 40.03), (94.8, 40.04)]), kind="protection_range"),
        feature("circle", {"type": "Circle", "coordinates": [94.8, 40.04]},
                kind="protection_range"),
        feature("none", None, kind="protection_range"),
    )
    assert sorted(problems_of(fc)) == sorted([
        ("nan", "non_finite_coordinates"), ("inf", "non_finite_coordinates"),
        ("empty", "empty_geometry"),
        ("line", "unsupported_geometry_type"), ("circle", "unsupported_geometry_type"),
        ("none", "missing_geometry")])


def test_swapped_lon_lat_is_detected_with_and_without_a_site_center() -> None:
    swapped = box(40.03, 94.79, 40.05, 94.81)
    fc = collection(feature("sw", swapped, kind="protection_range"))
    assert problems_of(fc) == [("sw", "lonlat_swapped")]
    assert problems_of(fc, site_center=CENTER) == [("sw", "lonlat_swapped")]


def test_swapped_lon_lat_within_range_is_detected_against_the_site_center() -> None:
    # Longmen at (112.47, 34.56): swapped, (34.56, 112.47) is out of range, so try a site whose
    # swap stays in range: a point near (30, 60) given as (60, 30).
    fc = collection(feature("sw", box(60.0, 30.0, 60.01, 30.01), kind="protection_range"))
    assert problems_of(fc, site_center=(30.005, 60.005)) == [("sw", "lonlat_swapped")]


def test_out_of_range_and_far_away_coordinates_are_reported() -> None:
    fc = collection(feature("oor", box(200, 95, 201, 96), kind="protection_range"),
                    feature("far", box(100.0, 30.0, 100.1, 30.1), kind="protection_range"))
    assert sorted(problems_of(fc, site_center=CENTER)) == [
        ("far", "far_from_site"), ("oor", "coordinates_out_of_range")]


def test_tree_problems_are_reported_by_feature_id_all_at_once(tmp_path: Path) -> None:
    fc = collection(
        feature("pr", PR, kind="protection_range"),
        feature("out", box(94.805, 40.045, 94.815, 40.055), parent="pr"),
        feature("a", box(94.792, 40.032, 94.797, 40.037), parent="pr"),
        feature("b", box(94.795, 40.035, 94.799, 40.039), parent="pr"),
        feature("a", box(94.800, 40.040, 94.801, 40.041), parent="pr"),
        feature("k", box(94.802, 40.032, 94.803, 40.033), parent="pr", kind="shrine"),
        feature("orphan", box(94.804, 40.032, 94.805, 40.033), parent="nowhere"),
        feature("x", box(94.806, 40.032, 94.807, 40.033), parent="y"),
        feature("y", box(94.806, 40.032, 94.807, 40.033), parent="x"),
    )
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps(fc))
    with pytest.raises(ZoneValidationError) as err:
        load_zones(path, site_center=CENTER)
    found = {(p.feature_id, p.code) for p in err.value.problems}
    assert {("out", "child_outside_parent"), ("a", "siblings_overlap"), ("a", "duplicate_id"),
            ("k", "unknown_kind"), ("orphan", "unknown_parent"), ("x", "parent_cycle"),
            ("y", "parent_cycle")} <= found
    assert all(p.source == "bad.geojson" for p in err.value.problems)
    assert "child_outside_parent" in str(err.value)


def test_zones_that_only_touch_are_not_overlapping_siblings(site_fc: dict) -> None:
    assert len(load_zones(site_fc, site_center=CENTER)) == 5


def test_a_feature_id_that_differs_from_properties_id_is_reported(site_fc: dict) -> None:
    site_fc["features"][2]["properties"]["id"] = "va-one"
    assert problems_of(site_fc) == [("va1", "id_mismatch")]


def test_a_child_sharing_part_of_its_parents_edge_is_within_it() -> None:
    fc = collection(feature("pr", PR, kind="protection_range"),
                    feature("t", box(94.795, 40.03, 94.805, 40.04), parent="pr"))
    assert len(load_zones(fc)) == 2


def test_an_overlap_is_measured_in_square_metres() -> None:
    d_lon, d_lat = 10 / (111_320 * math.cos(math.radians(40.04))), 10 / 110_574
    fc = collection(feature("pr", PR, kind="protection_range"),
                    feature("a", box(94.795, 40.035, 94.800, 40.040), parent="pr"),
                    feature("b", box(94.800 - d_lon, 40.040 - d_lat, 94.805, 40.045),
                            parent="pr"))
    with pytest.raises(ZoneValidationError) as err:
        load_zones(fc)
    (p,) = err.value.problems
    assert p.code == "siblings_overlap" and "by 100.0" in p.message
    assert p.location == pytest.approx((94.8 - d_lon / 2, 40.04 - d_lat / 2), abs=1e-4)


def test_bad_attributes_are_reported() -> None:
    fc = collection(feature("p", PR, kind="protection_range", capacity=-3, usable_ratio=1.5,
                            state="ajar"))
    assert sorted(problems_of(fc)) == [("p", "invalid_capacity"), ("p", "invalid_usable_ratio"),
                                       ("p", "unknown_state")]


def test_make_valid_repairs_a_bowtie_and_says_what_changed() -> None:
    bowtie = Polygon([(94.79, 40.03), (94.81, 40.05), (94.81, 40.03), (94.79, 40.05)])
    zones = load_zones(collection(feature("bt", bowtie, kind="protection_range")),
                       make_valid=True)
    (note,) = zones.repairs
    assert note.code == "repaired" and note.feature_id == "bt"
    assert "MultiPolygon" in note.message
    assert zones.frame.geometry.iloc[0].is_valid


def test_unreadable_sources_raise_a_source_error(tmp_path: Path) -> None:
    broken = tmp_path / "zones.geojson"
    broken.write_text("{not json")
    with pytest.raises(ZoneSourceError):
        load_zones(broken)
    with pytest.raises(ZoneSourceError):
        load_zones(tmp_path / "missing.geojson")
    with pytest.raises(TypeError):
        load_zones(42)


def test_every_venue_folder_loads_without_problems() -> None:
    root = Path(__file__).resolve().parents[3] / "venues"
    sites = sorted(root.glob("*/zones.geojson"))
    assert len(sites) == 3  # longmen, mogao, qin_mausoleum
    for path in sites:
        center = json.loads((path.parent / "site.json").read_text())["center"]
        assert len(load_zones(path, site_center=tuple(center))) > 0


def test_the_problem_list_is_json_ready() -> None:
    fc = collection(feature("k", PR, kind="shrine"))
    with pytest.raises(ZoneValidationError) as err:
        load_zones(fc)
    assert json.loads(json.dumps([p.to_dict() for p in err.value.problems]))[0]["code"] == (
        "unknown_kind")


def test_site_features_helper_is_valid() -> None:
    assert not validate_zones(gpd.GeoDataFrame.from_features(
        collection(*site_features()), crs="EPSG:4326").assign(
        id=[f["id"] for f in site_features()]))
