"""Heritage-impact checks on hand-computed cases."""

from __future__ import annotations

import json

import numpy as np
import pytest
from shapely.geometry import Polygon, mapping

from geo import WorkGeometryError, check_impact, load_zones, render_png
from geo.crs import Projector


def square_lonlat(zones, x0: float, y0: float, side: float) -> dict:  # type: ignore[no-untyped-def]
    """A side x side metre square at (x0, y0) in the site's metric CRS, as lon/lat GeoJSON."""
    p = Projector(zones.metric_crs)
    lon, lat = p.to_lonlat(np.array([x0, x0 + side, x0 + side, x0]),
                           np.array([y0, y0, y0 + side, y0 + side]))
    return mapping(Polygon(np.column_stack([lon, lat])))


def cave_corner(zones) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    x0, y0, _, _ = zones.to_metric().set_index("id").geometry["cave1"].bounds
    return x0, y0


def test_a_100_m_square_inside_a_cave_overlaps_10000_m2_of_it_and_its_ancestors(
        site_fc: dict) -> None:
    zones = load_zones(site_fc)
    x0, y0 = cave_corner(zones)
    report = check_impact(zones, square_lonlat(zones, x0 + 10, y0 + 10, 100.0))
    overlap = {t["zone_id"]: t["overlap_m2"] for t in report.touched}
    assert overlap == {"pr": pytest.approx(10_000, abs=0.5), "va1": pytest.approx(10_000, abs=0.5),
                       "cave1": pytest.approx(10_000, abs=0.5)}
    assert report.footprint_area_m2 == pytest.approx(10_000, abs=0.5)
    assert report.distance_to_protection_m == 0.0
    assert report.requires_approval
    assert [r["kind"] for r in report.rules] == ["protection_range", "visitor_area", "cave"]


def test_a_work_50_m_outside_the_protection_range_is_50_m_away_and_in_the_control_zone(
        site_fc: dict) -> None:
    zones = load_zones(site_fc)
    pr = zones.to_metric().set_index("id").geometry["pr"]
    xy = np.asarray(pr.exterior.coords)
    a, b = sorted(xy[:-1], key=lambda p: -p[0])[:2]  # the east edge
    mid, along = (a + b) / 2, (b - a) / np.hypot(*(b - a))
    normal = np.array([along[1], -along[0]]) * (1 if along[1] > 0 else -1)  # points east
    px, py = mid + 50.0 * normal
    lon, lat = Projector(zones.metric_crs).to_lonlat([px], [py])
    point = {"type": "Point", "coordinates": [float(lon[0]), float(lat[0])]}
    report = check_impact(zones, point, limits={"max_height_m": 12, "form": "flat roofs"})
    assert report.distance_to_protection_m == pytest.approx(50.0, abs=0.01)
    assert [t["zone_id"] for t in report.touched] == ["cc"]
    (rule,) = report.rules
    assert rule["kind"] == "construction_control"
    assert rule["limits"] == {"max_height_m": 12, "form": "flat roofs"}
    assert report.requires_approval
    buffered = check_impact(zones, point, buffer_m=20.0)
    assert buffered.distance_to_protection_m == pytest.approx(30.0, abs=0.05)


def test_a_point_with_a_buffer_covers_a_disc_of_pi_r_squared(site_fc: dict) -> None:
    zones = load_zones(site_fc)
    report = check_impact(zones, {"type": "Point", "coordinates": [94.797, 40.037]},
                          buffer_m=10.0)
    assert report.footprint_area_m2 == pytest.approx(np.pi * 100, rel=0.005)
    assert "cave1" in {t["zone_id"] for t in report.touched}


def test_a_line_without_buffer_touches_zones_with_no_area(site_fc: dict) -> None:
    zones = load_zones(site_fc)
    line = {"type": "LineString", "coordinates": [[94.75, 40.04], [94.785, 40.04]]}
    report = check_impact(zones, line)
    assert [(t["zone_id"], t["overlap_m2"]) for t in report.touched] == [("cc", 0.0)]
    assert report.distance_to_protection_m == pytest.approx(
        (94.79 - 94.785) * 111_320 * np.cos(np.radians(40.04)), rel=0.01)


def test_the_report_is_json_ready_and_renders_a_png(site_fc: dict) -> None:
    zones = load_zones(site_fc)
    report = check_impact(zones, {"type": "Point", "coordinates": [94.797, 40.037]}, buffer_m=30)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["footprint"]["type"] == "Polygon"
    png = render_png(zones, report)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000


@pytest.mark.parametrize("bad", [
    {"type": "Polygon", "coordinates": [[[94.79, 40.03], [94.81, 40.05], [94.81, 40.03],
                                         [94.79, 40.05], [94.79, 40.03]]]},
    {"type": "Point", "coordinates": [40.04, 94.8]},
    {"type": "Polygon", "coordinates": []},
    {"type": "GeometryCollection", "geometries": []},
    {"type": "Blob"},
    "{not json",
    42,
])
def test_bad_work_geometries_raise_a_clear_error(site_fc: dict, bad: object) -> None:
    with pytest.raises(WorkGeometryError):
        check_impact(load_zones(site_fc), bad)


def test_a_negative_buffer_is_refused(site_fc: dict) -> None:
    with pytest.raises(WorkGeometryError):
        check_impact(load_zones(site_fc), {"type": "Point", "coordinates": [94.8, 40.04]},
                     buffer_m=-1)
