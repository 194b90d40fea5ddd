"""The impact map a planner forwards (geo/render.py) and the heritage-impact report's tables.

Tiny zones with an explicit CRS: a protection range 'pr' > visitor area 'va' > caves.
"""

from __future__ import annotations

import io

import pytest
from analytics_fixtures import TinySite
from PIL import Image

from analytics_notebooks import display, heritage_impact
from analytics_notebooks.report import open_report
from geo import check_impact
from geo.render import impact_figure, render_impact_png

INSIDE = {"type": "Polygon", "coordinates": [[[94.8041, 40.0341], [94.8046, 40.0341],
                                              [94.8046, 40.0345], [94.8041, 40.0345],
                                              [94.8041, 40.0341]]]}
OUTSIDE = {"type": "Point", "coordinates": [94.812, 40.035]}  # east of the protection range


@pytest.fixture
def impact(tiny: TinySite, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(display, "show_html", lambda markup: None)
    r = open_report("heritage_impact", tiny.url, "testsite", "2026-10-01", "2026-10-01", "en")
    yield r, heritage_impact.site_zones(r)
    r.close()


def texts(fig) -> list[str]:  # type: ignore[no-untyped-def]
    out = []
    for ax in fig.axes:
        out += [t.get_text() for t in ax.texts] + [ax.get_title(), ax.get_xlabel(),
                                                    ax.get_ylabel()]
        legend = ax.get_legend()
        if legend is not None:
            out += [t.get_text() for t in legend.get_texts()]
    return [t for t in out if t]


def test_the_map_has_labels_legend_scale_bar_north_arrow_and_metre_ticks(impact) -> None:  # type: ignore[no-untyped-def]
    r, zones = impact
    report = check_impact(zones, INSIDE, buffer_m=5)
    got = texts(impact_figure(zones, report, size_px=700))
    assert {"Zone c2", "Zone va", "Zone pr"} <= set(got)  # zones labelled, not over the work
    assert {"cave", "visitor area", "protection range", "proposed work", "touched zone"} <= set(got)
    assert "N" in got
    assert any(t.endswith(" m") and t[0].isdigit() for t in got)  # the scale bar
    assert any(t.startswith("Easting (m), WGS 84 / UTM zone 46N") for t in got)
    assert "Northing (m)" in got
    assert any(t.startswith("Proposed work:") for t in got)


def test_the_map_speaks_chinese(impact) -> None:  # type: ignore[no-untyped-def]
    r, zones = impact
    got = texts(impact_figure(zones, check_impact(zones, INSIDE), language="zh"))
    assert {"区域c2", "洞窟", "游览区", "保护范围", "拟建工程", "北", "北向坐标（米）"} <= set(got)


def test_a_work_outside_the_protection_range_shows_its_distance(impact) -> None:  # type: ignore[no-untyped-def]
    r, zones = impact
    report = check_impact(zones, OUTSIDE)
    assert report.distance_to_protection_m and report.distance_to_protection_m > 100
    got = texts(impact_figure(zones, report))
    assert f"{report.distance_to_protection_m:,.0f} m" in got
    assert "distance to protection range" in got


def test_the_png_is_the_size_asked_for_and_the_server_default_still_works(impact) -> None:  # type: ignore[no-untyped-def]
    from geo import render_png

    r, zones = impact
    report = check_impact(zones, OUTSIDE, buffer_m=20)
    png = render_impact_png(zones, report, size_px=600, language="zh")
    width, height = Image.open(io.BytesIO(png)).size
    assert 450 <= width <= 650 and 450 <= height <= 650
    assert render_png(zones, report).startswith(b"\x89PNG")


def test_the_impact_report_lists_touched_and_nearby_zones_with_distances(impact) -> None:  # type: ignore[no-untyped-def]
    r, zones = impact
    report = check_impact(zones, INSIDE)
    table = heritage_impact.distances(zones, report).set_index("zone_id")
    assert set(table.index) == {"pr", "va", "c1", "c2"}
    assert (table.loc[["pr", "va", "c1"], "distance_m"] == 0).all()
    touched = {t["zone_id"]: t["overlap_m2"] for t in report.touched}
    assert table.loc["c1", "overlap_m2"] == pytest.approx(touched["c1"])
    assert table.loc["pr", "overlap_m2"] == pytest.approx(report.footprint_area_m2)
    assert bool(table.loc["pr", "within"]) and not bool(table.loc["c1", "within"])
    assert 50 < table.loc["c2", "distance_m"] < 200


def test_the_height_is_compared_with_the_sites_limit(impact) -> None:  # type: ignore[no-untyped-def]
    r, zones = impact
    work = '{"type": "Point", "coordinates": [94.812, 40.035]}'
    _, high = heritage_impact.check(r, work, 9.0, 0.0)
    assert [(x["limit_m"], x["height_m"]) for x in high.rules if x["kind"] == "height"] == [
        (6.0, 9.0)]
    _, low = heritage_impact.check(r, work, 0.0, 0.0)  # 0: no height given
    assert not [x for x in low.rules if x["kind"] == "height"]
    saved = heritage_impact.save_results(r, high, 9.0)
    assert saved["broken_rules"][-1]["kind"] == "height"
    assert saved["touched_zones"] == [] and saved["height_m"] == 9.0
