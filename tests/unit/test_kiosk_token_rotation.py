"""Issuing and rotating a kiosk's token, over REST and the CLI, on a real SQLite database: the
new token works, the old one stops at once, only an approved kiosk gets one, only admins may
issue, and every issue is audited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from server.cli import main as cli
from server.services import fleet
from server.services.kiosks import create_kiosk, kiosk_for_token
from server.storage.models import AuditLog
from tests.conftest import bearer


@pytest.fixture
def kiosk(loaded) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    with loaded.extensions["lantern"].db.transaction() as session:
        return create_kiosk(session, "testsite", 100.0, 29.999, "vr")


def rotate(app, kiosk_id: str, token: str):  # type: ignore[no-untyped-def]
    return app.test_client().post(f"/api/v1/kiosks/{kiosk_id}/token", headers=bearer(token))


def accepts(db, kiosk_id: str, token: str) -> bool:  # type: ignore[no-untyped-def]
    with db.open_session() as session:
        return kiosk_for_token(session, kiosk_id, token) is not None


def test_a_rotated_token_works_and_the_old_one_stops_at_once(loaded, kiosk, tokens, db) -> None:  # type: ignore[no-untyped-def]
    kiosk_id, old = kiosk
    done = rotate(loaded, kiosk_id, tokens["admin"])
    assert done.status_code == 200, done.get_json()
    body = done.get_json()
    assert body["kiosk_id"] == kiosk_id and body["token"].startswith("kt_")
    assert body["token"] != old
    assert accepts(db, kiosk_id, body["token"])
    assert not accepts(db, kiosk_id, old)
    again = rotate(loaded, kiosk_id, tokens["admin"]).get_json()["token"]
    assert accepts(db, kiosk_id, again) and not accepts(db, kiosk_id, body["token"])


def test_rotating_is_audited_without_the_secret(loaded, kiosk, tokens, db) -> None:  # type: ignore[no-untyped-def]
    kiosk_id, _ = kiosk
    token = rotate(loaded, kiosk_id, tokens["admin"]).get_json()["token"]
    with db.open_session() as session:
        entries = session.scalars(select(AuditLog).where(
            AuditLog.action == "rotate_kiosk_token")).all()
    assert [e.target for e in entries] == [kiosk_id]
    assert token not in json.dumps(entries[0].detail)
    assert entries[0].actor.startswith("token:")


def test_a_kiosk_with_no_token_yet_gets_its_first(loaded, tokens, db) -> None:  # type: ignore[no-untyped-def]
    from server.storage.models import Kiosk

    with db.transaction() as session:  # as load-venues creates the venues' kiosks
        session.add(Kiosk(id="k-venue-01", site_id="testsite", name="venue kiosk", kind="vr",
                          status="approved"))
    token = rotate(loaded, "k-venue-01", tokens["admin"]).get_json()["token"]
    assert accepts(db, "k-venue-01", token)


def test_an_unknown_kiosk_is_404_and_a_pending_or_revoked_one_409(loaded, kiosk, tokens, db) -> None:  # type: ignore[no-untyped-def]
    unknown = rotate(loaded, "k-nobody", tokens["admin"])
    assert unknown.status_code == 404 and unknown.get_json()["error"]["code"] == "not_found"
    with db.transaction() as session:
        pending = fleet.start_pairing(session, "pending kiosk", "vr", "testsite").id
        fleet.revoke(session, kiosk[0], "test")
    for kiosk_id, status in ((pending, "pending"), (kiosk[0], "revoked")):
        refused = rotate(loaded, kiosk_id, tokens["admin"])
        assert refused.status_code == 409, refused.get_json()
        assert refused.get_json()["error"]["code"] == "conflict"
        assert status in refused.get_json()["error"]["message"]


@pytest.mark.parametrize("role", ["operator", "planner", "viewer", "ingest"])
def test_only_an_admin_may_issue_a_kiosk_token(loaded, kiosk, tokens, db, role: str) -> None:  # type: ignore[no-untyped-def]
    refused = rotate(loaded, kiosk[0], tokens[role])
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    assert accepts(db, *kiosk)


def test_the_openapi_document_lists_the_token_endpoint(client) -> None:  # type: ignore[no-untyped-def]
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/kiosks/{kiosk_id}/token"]["post"]
    assert {"200", "403", "404", "409"} <= set(operation["responses"])
    schema = json.dumps(spec["components"]["schemas"])
    assert "KioskTokenOut" in schema


def test_the_cli_rotates_a_token_and_prints_it_as_json(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from server import create_app

    env = {"LANTERN_INSTANCE_PATH": str(tmp_path / "instance"),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "LANTERN_ASYNC_MODE": "threading",
           "LANTERN_LOG_LEVEL": "WARNING", "LANTERN_VENUES_PATH": str(
               Path(__file__).resolve().parents[1] / "fixtures" / "venues_min")}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    runner = CliRunner()
    assert runner.invoke(cli, ["load-venues"]).exit_code == 0
    made = runner.invoke(cli, ["create-kiosk", "--site", "testsite", "--lon", "100",
                               "--lat", "29.999", "--json"])
    kiosk_id, old = json.loads(made.output)["kiosk_id"], json.loads(made.output)["token"]
    done = runner.invoke(cli, ["kiosk-token", kiosk_id, "--json"])
    assert done.exit_code == 0, done.output
    body = json.loads(done.output)
    assert body["kiosk_id"] == kiosk_id and body["token"] != old
    plain = runner.invoke(cli, ["kiosk-token", kiosk_id])
    assert plain.exit_code == 0 and plain.output.strip().startswith("kt_")
    app = create_app()
    db = app.extensions["lantern"].db
    assert accepts(db, kiosk_id, plain.output.strip())
    assert not accepts(db, kiosk_id, body["token"])
    db.dispose()
    unknown = runner.invoke(cli, ["kiosk-token", "k-nobody"])
    assert unknown.exit_code == 2 and "no kiosk 'k-nobody'" in unknown.output
