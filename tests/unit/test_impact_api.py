"""POST /api/v1/sites/<site>/impact: the geo engine's check over REST."""

from __future__ import annotations

from tests.conftest import bearer
from tests.helpers import square, zigzag


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


def refused(loaded, tokens, body: dict | str) -> dict:  # type: ignore[no-untyped-def]
    """The error of a check refused with 422 (``body`` as JSON, or raw JSON text)."""
    kw = {"data": body, "content_type": "application/json"} if isinstance(body, str) else \
        {"json": body}
    response = loaded.test_client().post("/api/v1/sites/testsite/impact",
                                         headers=bearer(tokens["planner"]), **kw)
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    return response.get_json()["error"]  # type: ignore[no-any-return]


def test_a_work_over_the_vertex_bound_is_refused_before_any_geometry_work(loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    error = refused(loaded, tokens, {"geometry": zigzag(1001), "buffer_m": 5000})
    assert error["code"] == "invalid_geometry"
    assert error["message"] == "the work geometry has 1001 vertices; at most 1000 are accepted"


def test_the_vertex_bound_follows_the_setting(tmp_path, mini_venues) -> None:  # type: ignore[no-untyped-def]
    from server.services.tokens import create_token
    from server.services.venues import import_venues
    from tests.conftest import make_app

    app = make_app(tmp_path, LANTERN_IMPACT_MAX_VERTICES=10)
    with app.extensions["lantern"].db.transaction() as session:
        import_venues(session, mini_venues)
        token = create_token(session, "planner")
    response = app.test_client().post("/api/v1/sites/testsite/impact",
                                      json={"geometry": zigzag(11, amplitude_m=5)},
                                      headers=bearer(token))
    assert response.status_code == 422
    assert "at most 10" in response.get_json()["error"]["message"]


def test_an_unclosed_ring_is_refused_instead_of_closed_silently(loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    ring = square(0, 0, 20)["coordinates"][0][:-1]
    error = refused(loaded, tokens, {"geometry": {"type": "Polygon", "coordinates": [ring]}})
    assert error["code"] == "invalid_geometry"
    assert error["message"].startswith("coordinates[0]: the ring is not closed")


def test_string_coordinates_are_refused_instead_of_read_as_numbers(loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    work = square(0, 0, 20)
    work["coordinates"][0][1] = [str(v) for v in work["coordinates"][0][1]]
    error = refused(loaded, tokens, {"geometry": work})
    assert error["code"] == "invalid_geometry"
    assert error["message"].startswith("coordinates[0][1]: coordinates must be numbers")


def test_deeply_nested_coordinates_are_a_422_not_a_server_error(loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    body = '{"geometry": {"type": "Polygon", "coordinates": ' + "[" * 12 + "100, 30" + \
        "]" * 12 + "}}"
    error = refused(loaded, tokens, body)
    assert error["code"] == "invalid_geometry"
    assert "nested deeper than the geometry type has" in error["message"]
    error = refused(loaded, tokens, {"geometry": {"type": "Feature", "properties": {
        "a": [[[[[[[[[[1]]]]]]]]]]}, "geometry": square(0, 0, 20)}})
    assert "nested more than 8 levels deep" in error["message"]
    deepest = '{"geometry": {"type": "Polygon", "coordinates": ' + "[" * 100_000 + \
        "]" * 100_000 + "}}"
    response = loaded.test_client().post("/api/v1/sites/testsite/impact", data=deepest,
                                         content_type="application/json",
                                         headers=bearer(tokens["planner"]))
    assert response.status_code in (400, 422) and "error" in response.get_json()
    # deeper than any body of the API: refused before validation, whatever the endpoint
    body = '{"geometry": {"type": "Polygon", "coordinates": ' + "[" * 600 + "100, 30" + \
        "]" * 600 + "}}"
    response = loaded.test_client().post("/api/v1/sites/testsite/impact", data=body,
                                         content_type="application/json",
                                         headers=bearer(tokens["planner"]))
    assert response.status_code == 400 and "nested too deeply" in response.get_json()[
        "error"]["message"]


def test_a_buffer_over_5_km_is_refused(loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    error = refused(loaded, tokens, {"geometry": square(0, 0, 20), "buffer_m": 5001})
    assert "buffer_m" in error["message"]


def test_the_map_of_a_refused_work_is_refused_alike(loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    response = loaded.test_client().post("/api/v1/sites/testsite/impact/map.png",
                                         json={"geometry": zigzag(1001)},
                                         headers=bearer(tokens["planner"]))
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "invalid_geometry"


def test_a_work_higher_than_the_site_limit_names_the_height_rule(loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    body = loaded.test_client().post("/api/v1/sites/testsite/impact",
                                     json={"geometry": square(250, -10, 20), "height_m": 15},
                                     headers=bearer(tokens["planner"])).get_json()
    (rule,) = [r for r in body["rules"] if r["kind"] == "height"]
    assert (rule["limit_m"], rule["height_m"]) == (9, 15)  # the test site allows 9 m
    assert body["requires_approval"] is True


def test_a_work_within_the_site_height_limit_breaks_no_height_rule(loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    body = loaded.test_client().post("/api/v1/sites/testsite/impact",
                                     json={"geometry": square(250, -10, 20), "height_m": 9},
                                     headers=bearer(tokens["planner"])).get_json()
    assert [r for r in body["rules"] if r["kind"] == "height"] == []
