"""Bounds on a proposed work's GeoJSON, and the byte form a check crosses processes in."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from geo import WorkGeometryError, check_impact, check_work_geojson, load_zones
from geo.wire import answer_impact_request, decode_impact_answer, encode_impact_request

ROOT = Path(__file__).resolve().parents[3]
RING = [[94.805, 40.035], [94.806, 40.035], [94.806, 40.036], [94.805, 40.036], [94.805, 40.035]]


def line(n: int) -> dict[str, Any]:
    return {"type": "LineString",
            "coordinates": [[94.80 + i * 1e-5, 40.03 + (i % 2) * 1e-3] for i in range(n)]}


def refusal(geometry: Any, **kw: Any) -> str:
    with pytest.raises(WorkGeometryError) as caught:
        check_work_geojson(geometry, **kw)
    return str(caught.value)


def test_a_work_at_the_vertex_bound_passes_and_one_more_vertex_is_refused() -> None:
    assert check_work_geojson(line(1000))["type"] == "LineString"
    assert "1001 vertices; at most 1000" in refusal(line(1001))
    assert "at most 10" in refusal(line(11), max_vertices=10)


def test_vertices_of_every_part_and_ring_count_towards_the_bound() -> None:
    multi = {"type": "MultiPolygon", "coordinates": [[RING, RING], [RING]]}
    assert check_work_geojson(multi, max_vertices=15) is multi
    assert "16 vertices" in refusal({"type": "MultiLineString",
                                     "coordinates": [RING, RING, RING, [RING[0]]]},
                                    max_vertices=15)


def test_a_huge_work_is_refused_without_reading_its_positions() -> None:
    huge = {"type": "LineString", "coordinates": [["not", "numbers"]] * 2_000_000}
    started = time.perf_counter()
    assert "2000000 vertices" in refusal(huge)
    assert time.perf_counter() - started < 0.5


def test_an_unclosed_polygon_ring_is_refused() -> None:
    message = refusal({"type": "Polygon", "coordinates": [RING[:-1] + [[94.8055, 40.0365]]]})
    assert message.startswith("coordinates[0]: the ring is not closed")


def test_a_ring_of_three_positions_is_refused_even_when_closed() -> None:
    message = refusal({"type": "Polygon", "coordinates": [[RING[0], RING[1], RING[0]]]})
    assert "coordinates[0]: a polygon ring needs at least 4 positions" in message


def test_string_boolean_and_non_finite_coordinates_are_refused() -> None:
    for bad in ("94.8", True, None, float("nan"), float("inf")):
        ring: list[list[Any]] = [list(p) for p in RING]
        ring[2][0] = bad
        message = refusal({"type": "Polygon", "coordinates": [ring]})
        assert message.startswith("coordinates[0][2]: coordinates must be"), message


def test_positions_out_of_lon_lat_range_are_refused_and_swapped_ones_are_named() -> None:
    assert "not lon/lat" in refusal({"type": "Point", "coordinates": [500000.0, 4400000.0]})
    assert "looks like [lat, lon]" in refusal({"type": "Point", "coordinates": [40.03, 94.8]})


def test_nesting_deeper_than_the_cap_is_refused_without_recursion() -> None:
    deep: Any = [94.8, 40.03]
    for _ in range(100_000):
        deep = [deep]
    assert "nested deeper than the geometry type has" in refusal({"type": "Polygon",
                                                                  "coordinates": deep})
    assert "nested more than 8 levels deep" in refusal(
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [0, 0]},
         "properties": {"note": deep}})
    assert "nested more than 8 levels deep" in refusal({"type": "Point", "coordinates": [0, 0],
                                                        "bbox": [[[[[[[[[0]]]]]]]]]})


def test_the_nesting_must_match_the_geometry_type() -> None:
    assert "coordinates[0][0]: expected a position [lon, lat], got lists nested deeper" in refusal(
        {"type": "MultiLineString", "coordinates": [[RING]]})
    assert "coordinates[1]: expected a position [lon, lat], got a list of 4" in refusal(
        {"type": "LineString", "coordinates": [RING[0], [94.8, 40.0, 0.0, 1.0]]})
    assert "coordinates[0]: expected a list, got 94.805" in refusal(
        {"type": "MultiPolygon", "coordinates": [94.805, 40.035]})


def test_unsupported_types_lines_of_one_position_and_empty_works_are_refused() -> None:
    assert "'GeometryCollection' is not supported" in refusal(
        {"type": "GeometryCollection", "geometries": []})
    assert "a line needs at least 2 positions" in refusal({"type": "LineString",
                                                           "coordinates": [RING[0]]})
    assert "is empty" in refusal({"type": "MultiPolygon", "coordinates": []})
    assert "has no 'coordinates'" in refusal({"type": "Point"})


def test_a_feature_is_read_for_its_geometry() -> None:
    feature = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon",
                                                                 "coordinates": [RING]}}
    assert check_work_geojson(feature) == {"type": "Polygon", "coordinates": [RING]}


def test_a_check_through_the_wire_answers_what_the_check_in_place_answers(site_fc: dict) -> None:
    zones = load_zones(site_fc)
    work = {"type": "Polygon", "coordinates": [RING]}
    data = encode_impact_request(zones, work, buffer_m=25, limits={"max_height_m": 9})
    remote = json.loads(decode_impact_answer(answer_impact_request(data)))
    local = check_impact(zones, work, buffer_m=25, limits={"max_height_m": 9}).to_dict()
    assert remote == json.loads(json.dumps(local))


def test_a_work_the_check_refuses_crosses_the_wire_as_its_error(site_fc: dict) -> None:
    bowtie = {"type": "Polygon", "coordinates": [[RING[0], RING[2], RING[1], RING[3], RING[0]]]}
    answer = answer_impact_request(encode_impact_request(load_zones(site_fc), bowtie))
    with pytest.raises(WorkGeometryError, match="invalid: Self-intersection"):
        decode_impact_answer(answer)


def test_the_impact_command_answers_a_check_read_from_stdin(site_fc: dict) -> None:
    data = encode_impact_request(load_zones(site_fc), {"type": "Point",
                                                       "coordinates": RING[0]}, output="png")
    done = subprocess.run([sys.executable, "-m", "geo", "impact", "--map"], input=data, cwd=ROOT,
                          capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    assert decode_impact_answer(done.stdout)[:8] == b"\x89PNG\r\n\x1a\n"
