"""REST basics: health, sites, zones as GeoJSON, and the error envelope everywhere."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.storage.models import ApiToken, AuditLog
from tests.conftest import bearer


def error_of(response) -> dict:  # type: ignore[no-untyped-def]
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"])
    return body["error"]  # type: ignore[no-any-return]


def test_health_answers_without_credentials(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"
    assert response.get_json()["database"] == "ok"


def test_sites_list_basin_timezone_and_capacities(loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    response = loaded.test_client().get("/api/v1/sites", headers=bearer(tokens["viewer"]))
    assert response.status_code == 200
    [site] = response.get_json()["sites"]
    assert site["id"] == "testsite" and site["basin_id"] == "testbasin"
    assert site["basin_name_en"] == "Test Basin"
    assert site["timezone"] == "Asia/Shanghai"
    assert site["daily_capacity"] == 1000 and site["instantaneous_capacity"] == 300
    assert [t["level"] for t in site["capacity_tiers"]] == ["normal", "divert", "stop"]


def test_zones_are_a_geojson_feature_collection_with_contract_properties(loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    response = loaded.test_client().get("/api/v1/sites/testsite/zones",
                                        headers=bearer(tokens["viewer"]))
    body = response.get_json()
    assert body["type"] == "FeatureCollection"
    assert len(body["features"]) == 6
    cave = next(f for f in body["features"] if f["id"] == "t-cave-01")
    assert cave["geometry"]["type"] == "Polygon"
    assert {"id", "name", "kind", "capacity", "state", "occupancy"} <= set(cave["properties"])
    assert cave["properties"]["kind"] == "cave" and cave["properties"]["state"] == "open"


@pytest.mark.parametrize("path", ["/api/v1/sites/atlantis", "/api/v1/sites/atlantis/zones",
                                  "/api/v1/sites/atlantis/sensors"])
def test_unknown_site_is_a_404_envelope(loaded, tokens, path: str) -> None:  # type: ignore[no-untyped-def]
    response = loaded.test_client().get(path, headers=bearer(tokens["viewer"]))
    assert response.status_code == 404
    assert "atlantis" in error_of(response)["message"]


def test_unknown_path_and_wrong_method_use_the_envelope(client) -> None:  # type: ignore[no-untyped-def]
    assert error_of(client.get("/api/v1/nothing-here"))["code"] == "not_found"
    response = client.delete("/api/v1/health")
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"


def test_an_unexpected_failure_is_a_500_envelope_without_details(app) -> None:  # type: ignore[no-untyped-def]
    @app.get("/api/v1/_boom")
    def boom():  # type: ignore[no-untyped-def]
        raise RuntimeError("secret internals")

    response = app.test_client().get("/api/v1/_boom")
    assert response.status_code == 500
    assert error_of(response) == {"code": "internal", "message": "internal server error"}


def _count(db, model) -> int:  # type: ignore[no-untyped-def]
    with db.open_session() as session:
        return session.scalar(select(func.count()).select_from(model))  # type: ignore[no-any-return]


def test_bad_token_requests_get_the_right_status_and_write_nothing(app, db, tokens) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    before = (_count(db, ApiToken), _count(db, AuditLog))
    admin = bearer(tokens["admin"])
    cases = [
        (client.post("/api/v1/tokens", data="{not json", content_type="application/json",
                     headers=admin), 400, "bad_request"),
        (client.post("/api/v1/tokens", data="role=viewer",
                     content_type="application/x-www-form-urlencoded", headers=admin),
         400, "bad_request"),
        (client.post("/api/v1/tokens", json={"role": 7}, headers=admin), 422, "invalid"),
        (client.post("/api/v1/tokens", json={"role": "emperor"}, headers=admin), 422, "invalid"),
        (client.post("/api/v1/tokens", json={"role": "viewer"}), 401, "unauthenticated"),
        (client.post("/api/v1/tokens", json={"role": "viewer"}, headers=bearer("lt_wrong")),
         401, "unauthenticated"),
        (client.post("/api/v1/tokens", json={"role": "viewer"},
                     headers={"Authorization": "Basic abc"}), 401, "unauthenticated"),
        (client.post("/api/v1/tokens", json={"role": "viewer"}, headers=bearer(tokens["operator"])),
         403, "forbidden"),
        (client.post("/api/v1/tokens", json={"role": "viewer", "name": "x" * 3_000_000},
                     headers=admin), 413, "too_large"),
    ]
    for response, status, code in cases:
        assert response.status_code == status, response.get_json()
        assert error_of(response)["code"] == code
    assert (_count(db, ApiToken), _count(db, AuditLog)) == before


def test_an_admin_token_creates_a_token_that_works_and_is_audited(app, db, tokens) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    response = client.post("/api/v1/tokens", json={"role": "viewer", "name": "wall display"},
                           headers=bearer(tokens["admin"]))
    assert response.status_code == 201
    new = response.get_json()["token"]
    assert client.get("/api/v1/sites", headers=bearer(new)).status_code == 200
    with db.open_session() as session:
        stored = session.scalars(select(ApiToken.token_hash)).all()
        entry = session.scalars(select(AuditLog).where(
            AuditLog.action == "create_token", AuditLog.actor != "cli")).one()
    assert new not in stored, "tokens are stored only as hashes"
    assert entry.actor.startswith("token:") and entry.detail["role"] == "viewer"


def test_a_revoked_token_is_refused(app, db, tokens) -> None:  # type: ignore[no-untyped-def]
    from server.services.tokens import revoke_secret

    with db.transaction() as session:
        assert revoke_secret(session, tokens["viewer"])
    response = app.test_client().get("/api/v1/sites", headers=bearer(tokens["viewer"]))
    assert response.status_code == 401


@pytest.mark.parametrize("role,status", [("viewer", 403), ("planner", 403), ("ingest", 403),
                                         ("operator", 200), ("admin", 200)])
def test_only_operators_and_admins_change_zone_state(loaded, tokens, role: str, status: int) -> None:  # type: ignore[no-untyped-def]
    response = loaded.test_client().post("/api/v1/sites/testsite/zones/t-cave-01/state",
                                         json={"state": "closed", "reason": "CO2"},
                                         headers=bearer(tokens[role]))
    assert response.status_code == status


def test_a_closed_zone_shows_state_closed_and_capacity_zero(loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    client = loaded.test_client()
    client.post("/api/v1/sites/testsite/zones/t-cave-01/state", json={"state": "closed"},
                headers=bearer(tokens["operator"]))
    body = client.get("/api/v1/sites/testsite/zones", headers=bearer(tokens["viewer"])).get_json()
    cave = next(f for f in body["features"] if f["id"] == "t-cave-01")["properties"]
    assert (cave["state"], cave["capacity"]) == ("closed", 0)


def test_zone_state_for_unknown_zone_is_404(loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    response = loaded.test_client().post("/api/v1/sites/testsite/zones/nope/state",
                                         json={"state": "closed"}, headers=bearer(tokens["admin"]))
    assert response.status_code == 404


def test_openapi_document_lists_the_contract_paths(client) -> None:  # type: ignore[no-untyped-def]
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    for path in ("/api/v1/health", "/api/v1/sites", "/api/v1/sites/{site_id}/zones"):
        assert path in doc["paths"]
    assert "bearer" in doc["components"]["securitySchemes"]


@pytest.mark.parametrize("path", ["/api/v1/sites/testsite/impact",
                                  "/api/v1/sites/testsite/sensor-readings", "/api/v1/tokens",
                                  "/api/v1/sites/testsite/positions", "/api/v1/kiosks/k/commands"])
def test_json_nested_too_deeply_is_a_400_not_a_crash(loaded, tokens, path: str) -> None:  # type: ignore[no-untyped-def]
    deep = '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = loaded.test_client().post(path, data=deep, content_type="application/json",
                                         headers=bearer(tokens["admin"]))
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"
