"""POST /api/v1/sites/<site>/impact: the geo engine's check over REST."""

from __future__ import annotations

import math

from tests.conftest import bearer

M_LON = 1 / (111320 * math.cos(math.radians(30)))
M_LAT = 1 / 111320


def square(x0: float, y0: float, side: float) -> dict:
    """A square ``side`` metres wide, its corner ``x0, y0`` metres from the test site's centre."""
    pts = [(x0, y0), (x0 + side, y0), (x0 + side, y0 + side), (x0, y0 + side), (x0, y0)]
    return {"type": "Polygon", "coordinates": [[[100 + x * M_LON, 30 + y * M_LAT] for x, y in pts]]}


def test_a_work_inside_the_protection_range_needs_approval(loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    response = loaded.test_client().post("/api/v1/sites/testsite/impact",
                                         json={"geometry": square(-10, -10, 20)},
                                         headers=bearer(tokens["planner"]))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["requires_approval"] is True
    assert body["distance_to_protection_m"] == 0
    touched = {t["zone_id"]: t["overlap_m2"] for t in body["touched"]}
    assert abs(touched["t-pr"] - 400) < 8  # 20 m x 20 m, within 2 %


def test_a_work_in_the_construction_control_ring_reports_its_distance(loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    body = loaded.test_client().post("/api/v1/sites/testsite/impact",
                                     json={"geometry": square(250, -10, 20), "height_m": 15},
                                     headers=bearer(tokens["planner"])).get_json()
    assert [t["zone_id"] for t in body["touched"]] == ["t-cc"]
    assert abs(body["distance_to_protection_m"] - 50) < 1.5


def test_the_map_is_a_png(loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    response = loaded.test_client().post("/api/v1/sites/testsite/impact/map.png",
                                         json={"geometry": square(0, 0, 30), "buffer_m": 5},
                                         headers=bearer(tokens["planner"]))
    assert response.status_code == 200 and response.data[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_bad_geometry_is_a_422_envelope(loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    response = loaded.test_client().post("/api/v1/sites/testsite/impact",
                                         json={"geometry": {"type": "Polygon", "coordinates": "x"}},
                                         headers=bearer(tokens["planner"]))
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "invalid_geometry"


def test_viewers_may_not_run_impact_checks(loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    response = loaded.test_client().post("/api/v1/sites/testsite/impact",
                                         json={"geometry": square(0, 0, 1)},
                                         headers=bearer(tokens["viewer"]))
    assert response.status_code == 403
