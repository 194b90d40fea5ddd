"""Users over REST and the CLI: admins create, list, re-role, disable and reset them; the last
active admin stays; taking rights away ends the user's sign-ins and live pages at once;
everyone signed in changes their own password; every change is audited."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from server.cli import main
from server.extensions import socketio
from server.storage.models import AuditLog
from tests.conftest import PASSWORD, AuthActions, bearer


@pytest.fixture
def admin(client, tokens) -> Any:  # type: ignore[no-untyped-def]
    """Calls as an admin's API token."""
    def call(method: str, path: str, **kw: Any) -> Any:
        return client.open(f"/api/v1{path}", method=method, headers=bearer(tokens["admin"]), **kw)

    return call


def signed_in(app, username: str, password: str = PASSWORD) -> Any:  # type: ignore[no-untyped-def]
    """A browser of ``username`` signed in through the form, or None if refused."""
    browser = app.test_client()
    auth = AuthActions(browser, app.extensions["lantern"].db)
    done = auth.login(username, password)
    return browser if done.status_code == 302 else None


def csrf_headers(app, browser) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"X-CSRFToken": AuthActions(browser, app.extensions["lantern"].db).csrf("/panel")}


def audited(db, action: str) -> list[AuditLog]:  # type: ignore[no-untyped-def]
    with db.open_session() as session:
        return list(session.scalars(select(AuditLog).where(AuditLog.action == action)))


def test_a_user_created_without_a_password_gets_one_generated_and_shown_once(app, admin) -> None:  # type: ignore[no-untyped-def]
    made = admin("POST", "/users", json={"username": "olga", "role": "operator"})
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert (body["username"], body["role"], body["active"]) == ("olga", "operator", True)
    assert len(body["password"]) >= 16
    assert signed_in(app, "olga", body["password"]) is not None
    listed = admin("GET", "/users").get_json()["users"]
    assert [u["username"] for u in listed] == ["olga"]
    assert "password" not in listed[0] and listed[0]["last_sign_in"] is not None


def test_a_given_password_is_kept_and_not_answered(app, admin) -> None:  # type: ignore[no-untyped-def]
    made = admin("POST", "/users", json={"username": "pia", "role": "viewer",
                                         "password": PASSWORD})
    assert made.status_code == 201 and made.get_json()["password"] is None
    assert signed_in(app, "pia") is not None
    assert admin("GET", "/users").get_json()["users"][0]["last_sign_in"] is not None


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"username": "olga", "role": "operator"}, 409, "conflict"),
    ({"username": "a b", "role": "operator"}, 422, "invalid"),
    ({"username": "x", "role": "ingest"}, 422, "invalid"),
    ({"username": "x", "role": "viewer", "password": "short"}, 422, "invalid"),
    ({"username": "x", "role": "viewer", "is_admin": True}, 422, "invalid"),
])
def test_bad_or_duplicate_users_are_refused_with_the_envelope(admin, body, status, code) -> None:  # type: ignore[no-untyped-def]
    admin("POST", "/users", json={"username": "olga", "role": "operator"})
    refused = admin("POST", "/users", json=body)
    assert refused.status_code == status
    assert refused.get_json()["error"]["code"] == code


def test_only_admins_manage_users(client, tokens) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/v1/users").status_code == 401
    for role in ("operator", "planner", "viewer", "ingest"):
        assert client.get("/api/v1/users", headers=bearer(tokens[role])).status_code == 403
        made = client.post("/api/v1/users", headers=bearer(tokens[role]),
                           json={"username": "z", "role": "admin"})
        assert made.status_code == 403


def test_the_last_active_admin_can_be_neither_demoted_nor_disabled(admin) -> None:  # type: ignore[no-untyped-def]
    admin("POST", "/users", json={"username": "ada", "role": "admin"})
    for change in ({"role": "viewer"}, {"active": False}):
        refused = admin("PATCH", "/users/ada", json=change)
        assert refused.status_code == 409
        assert refused.get_json()["error"]["code"] == "last_admin"
    admin("POST", "/users", json={"username": "bea", "role": "admin"})
    assert admin("PATCH", "/users/ada", json={"role": "viewer"}).status_code == 200
    assert admin("PATCH", "/users/bea", json={"active": False}).get_json()["error"]["code"] == \
        "last_admin"


def test_disabling_a_user_ends_their_sign_ins_and_closes_their_live_pages_at_once(app, admin) -> None:  # type: ignore[no-untyped-def]
    admin("POST", "/users", json={"username": "olga", "role": "operator", "password": PASSWORD})
    browser = signed_in(app, "olga")
    live = socketio.test_client(app, namespace="/control", flask_test_client=browser)
    assert live.is_connected("/control") and browser.get("/api/v1/kiosks").status_code == 200
    done = admin("PATCH", "/users/olga", json={"active": False})
    assert done.status_code == 200 and done.get_json()["sessions_ended"] == 1
    assert not live.is_connected("/control")
    assert browser.get("/api/v1/kiosks").status_code == 401
    assert signed_in(app, "olga") is None
    assert admin("PATCH", "/users/olga", json={"active": True}).get_json()["active"] is True
    assert signed_in(app, "olga") is not None


def test_a_new_role_ends_the_sign_ins_and_the_next_one_has_the_new_role(app, admin) -> None:  # type: ignore[no-untyped-def]
    admin("POST", "/users", json={"username": "olga", "role": "operator", "password": PASSWORD})
    browser = signed_in(app, "olga")
    live = socketio.test_client(app, namespace="/control", flask_test_client=browser)
    changed = admin("PATCH", "/users/olga", json={"role": "viewer"}).get_json()
    assert (changed["role"], changed["sessions_ended"]) == ("viewer", 1)
    assert not live.is_connected("/control")
    again = signed_in(app, "olga")
    state = {"state": "closed", "reason": "test"}
    refused = again.post("/api/v1/sites/x/zones/y/state", json=state,
                         headers=csrf_headers(app, again))
    assert refused.status_code == 403


def test_changing_nothing_ends_nothing_and_is_not_audited(app, admin, db) -> None:  # type: ignore[no-untyped-def]
    admin("POST", "/users", json={"username": "olga", "role": "operator", "password": PASSWORD})
    signed_in(app, "olga")
    same = admin("PATCH", "/users/olga", json={"role": "operator", "active": True}).get_json()
    assert same["sessions_ended"] == 0
    assert audited(db, "update_user") == []
    assert admin("PATCH", "/users/nobody", json={"active": False}).status_code == 404


def test_a_reset_password_is_shown_once_replaces_the_old_and_ends_sign_ins(app, admin, db) -> None:  # type: ignore[no-untyped-def]
    admin("POST", "/users", json={"username": "olga", "role": "operator", "password": PASSWORD})
    browser = signed_in(app, "olga")
    reset = admin("POST", "/users/olga/password")
    assert reset.status_code == 200
    body = reset.get_json()
    assert body["sessions_ended"] == 1 and len(body["password"]) >= 16
    assert browser.get("/api/v1/kiosks").status_code == 401
    assert signed_in(app, "olga") is None
    assert signed_in(app, "olga", body["password"]) is not None
    assert admin("POST", "/users/nobody/password").status_code == 404
    assert body["password"] not in str([e.detail for e in audited(db, "reset_password")])


def test_a_user_changes_their_own_password_and_their_other_sign_ins_end(app, admin, db) -> None:  # type: ignore[no-untyped-def]
    admin("POST", "/users", json={"username": "olga", "role": "viewer", "password": PASSWORD})
    here, elsewhere = signed_in(app, "olga"), signed_in(app, "olga")
    change = {"current": PASSWORD, "new": "a much longer secret"}
    done = here.post("/api/v1/me/password", json=change, headers=csrf_headers(app, here))
    assert done.status_code == 200, done.get_json()
    assert done.get_json() == {"ok": True, "sessions_ended": 1}
    assert here.get("/api/v1/kiosks").status_code == 200
    assert elsewhere.get("/api/v1/kiosks").status_code == 401
    assert signed_in(app, "olga") is None
    assert signed_in(app, "olga", "a much longer secret") is not None
    assert [e.detail["sessions_ended"] for e in audited(db, "change_password")] == [1]


def test_a_wrong_current_password_is_refused_clearly_and_the_refusal_is_audited(app, admin, db) -> None:  # type: ignore[no-untyped-def]
    admin("POST", "/users", json={"username": "olga", "role": "viewer", "password": PASSWORD})
    browser = signed_in(app, "olga")
    wrong = browser.post("/api/v1/me/password", json={"current": "guess-guess", "new": "x" * 12},
                         headers=csrf_headers(app, browser))
    assert wrong.status_code == 403
    assert wrong.get_json()["error"]["code"] == "wrong_password"
    assert [e.actor for e in audited(db, "change_password_refused")] == ["olga"]
    short = browser.post("/api/v1/me/password", json={"current": PASSWORD, "new": "short"},
                         headers=csrf_headers(app, browser))
    assert short.status_code == 422
    no_csrf = browser.post("/api/v1/me/password", json={"current": PASSWORD, "new": "x" * 12})
    assert no_csrf.status_code == 400
    assert signed_in(app, "olga") is not None  # nothing changed


def test_an_api_token_has_no_password_to_change(admin) -> None:  # type: ignore[no-untyped-def]
    refused = admin("POST", "/me/password", json={"current": "x", "new": "y" * 10})
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"


def test_every_change_to_users_is_in_the_audit_log(app, admin, db) -> None:  # type: ignore[no-untyped-def]
    admin("POST", "/users", json={"username": "olga", "role": "operator"})
    admin("PATCH", "/users/olga", json={"role": "planner"})
    admin("POST", "/users/olga/password")
    entries = admin("GET", "/audit?limit=3").get_json()["entries"]
    assert [(e["action"], e["target"]) for e in entries] == [
        ("reset_password", "olga"), ("update_user", "olga"), ("create_user", "olga")]
    assert entries[1]["detail"]["role"] == ["operator", "planner"]
    assert all(e["actor"].startswith("token:lt_") for e in entries)


def test_the_users_commands_of_the_cli(tmp_path: Path) -> None:
    env = {"LANTERN_INSTANCE_PATH": str(tmp_path / "instance"), "LANTERN_LOG_LEVEL": "WARNING",
           "LANTERN_ASYNC_MODE": "threading", "DATABASE_URL": None}

    def cli(*args: str, stdin: str = "") -> Any:
        return CliRunner().invoke(main, list(args), input=stdin, env=env)

    assert cli("create-user", "ada", "--role", "admin", stdin=PASSWORD + "\n").exit_code == 0
    made = cli("users", "create", "olga", "--role", "operator")
    assert made.exit_code == 0 and "password: " in made.stdout
    assert cli("users", "set-role", "olga", "planner").exit_code == 0
    assert cli("users", "disable", "olga").exit_code == 0
    last = cli("users", "disable", "ada")
    assert last.exit_code == 2 and "last active admin" in last.stderr
    reset = cli("users", "reset-password", "olga")
    assert reset.exit_code == 0 and "password: " in reset.stdout
    listed = cli("users", "list")
    assert "olga" in listed.stdout and "planner" in listed.stdout and "disabled" in listed.stdout
    assert "ada" in listed.stdout and "never" in listed.stdout


def test_two_admins_demoting_each_other_at_once_leave_one_admin(database_url: str,
                                                                tmp_path: Path) -> None:
    import threading

    from server.services import users
    from tests.conftest import make_app

    app = make_app(tmp_path, DATABASE_URL=database_url)
    db = app.extensions["lantern"].db
    with db.transaction() as session:
        for name in ("ada", "bea"):
            users.create_user(session, name, PASSWORD, "admin")
    go = threading.Barrier(2)
    outcomes: list[str] = []

    def demote(name: str) -> None:
        go.wait()
        try:
            with db.transaction() as session:
                users.update(session, name, role="viewer", actor="test")
            outcomes.append("done")
        except users.LastAdmin:
            outcomes.append("last_admin")

    threads = [threading.Thread(target=demote, args=(n,)) for n in ("ada", "bea")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    with db.open_session() as session:
        admins = [u["username"] for u in users.listing(session) if u["role"] == "admin"]
    db.dispose()
    assert sorted(outcomes) == ["done", "last_admin"] and len(admins) == 1


def test_a_change_without_a_body_is_a_400(admin) -> None:  # type: ignore[no-untyped-def]
    admin("POST", "/users", json={"username": "olga", "role": "operator"})
    refused = admin("PATCH", "/users/olga")
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "bad_request"
