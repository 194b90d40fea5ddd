"""API tokens have ids: issued with a role, a name and an optional expiry, listed with their
last use (never the secret), revoked by id."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from server.storage.models import ApiToken, AuditLog
from tests.conftest import bearer


def issue(client, admin: str, **body):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/tokens", json={"role": "viewer", **body}, headers=bearer(admin))


def test_issuing_a_token_answers_its_id_prefix_and_the_secret_once(client, tokens, db) -> None:  # type: ignore[no-untyped-def]
    response = issue(client, tokens["admin"], name="wall display")
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"id", "token", "prefix", "role", "name", "expires_at"}
    assert body["token"].startswith(body["prefix"]) and body["name"] == "wall display"
    listed = client.get("/api/v1/tokens", headers=bearer(tokens["admin"])).get_json()["tokens"]
    mine = next(t for t in listed if t["id"] == body["id"])
    assert body["token"] not in str(listed)
    assert mine["last_used_at"] is None and mine["revoked_at"] is None
    assert client.get("/api/v1/sites", headers=bearer(body["token"])).status_code == 200
    listed = client.get("/api/v1/tokens", headers=bearer(tokens["admin"])).get_json()["tokens"]
    assert next(t for t in listed if t["id"] == body["id"])["last_used_at"] is not None


def test_a_token_revoked_by_id_is_refused_at_once_and_the_revocation_is_audited(
        client, tokens, db) -> None:  # type: ignore[no-untyped-def]
    body = issue(client, tokens["admin"]).get_json()
    assert client.get("/api/v1/sites", headers=bearer(body["token"])).status_code == 200
    revoked = client.post(f"/api/v1/tokens/{body['id']}/revoke", headers=bearer(tokens["admin"]))
    assert revoked.status_code == 200 and revoked.get_json()["revoked_at"] is not None
    assert client.get("/api/v1/sites", headers=bearer(body["token"])).status_code == 401
    again = client.post(f"/api/v1/tokens/{body['id']}/revoke", headers=bearer(tokens["admin"]))
    assert again.get_json()["revoked_at"] == revoked.get_json()["revoked_at"]
    with db.open_session() as session:
        assert session.scalars(select(AuditLog.target).where(
            AuditLog.action == "revoke_token")).all() == [str(body["id"])]


def test_revoking_an_unknown_token_is_a_404_and_only_admins_may(client, tokens) -> None:  # type: ignore[no-untyped-def]
    assert client.post("/api/v1/tokens/999999/revoke",
                       headers=bearer(tokens["admin"])).status_code == 404
    assert client.post("/api/v1/tokens/1/revoke",
                       headers=bearer(tokens["operator"])).status_code == 403
    assert client.get("/api/v1/tokens", headers=bearer(tokens["viewer"])).status_code == 403


def test_an_expired_token_is_refused_and_an_expiry_in_the_past_cannot_be_set(
        client, tokens, db) -> None:  # type: ignore[no-untyped-def]
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    assert issue(client, tokens["admin"], expires_at=past).status_code == 422
    soon = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    body = issue(client, tokens["admin"], expires_at=soon).get_json()
    assert client.get("/api/v1/sites", headers=bearer(body["token"])).status_code == 200
    with db.transaction() as session:
        session.get(ApiToken, body["id"]).expires_at = datetime.now(UTC) - timedelta(seconds=1)
    refused = client.get("/api/v1/sites", headers=bearer(body["token"]))
    assert refused.status_code == 401 and "expired" in refused.get_json()["error"]["message"]


def test_a_token_request_with_unknown_fields_or_roles_is_refused(client, tokens) -> None:  # type: ignore[no-untyped-def]
    assert issue(client, tokens["admin"], role="root").status_code == 422
    assert issue(client, tokens["admin"], scope="all").status_code == 422
