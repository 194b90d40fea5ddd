"""Operators log in with a form (CSRF-protected) and get an HttpOnly SameSite session cookie."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from server import auth as auth_module
from server.panel.redirects import same_site_path
from server.storage.models import AuditLog, LoginSession, User
from tests.conftest import PASSWORD, AuthActions, make_app


def test_login_sets_a_httponly_samesite_cookie_and_opens_the_panel(auth, client) -> None:  # type: ignore[no-untyped-def]
    auth.create("olga", "operator")
    response = auth.login("olga")
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/panel")
    assert page.status_code == 200 and b"olga" in page.data


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(auth, client) -> None:  # type: ignore[no-untyped-def]
    auth.create("olga")
    response = auth.login("olga", "not the password")
    assert response.status_code == 401
    assert b"Unknown user name or wrong password" in response.data
    assert client.get("/panel").status_code == 302


def test_login_form_without_csrf_token_is_refused(auth, client) -> None:  # type: ignore[no-untyped-def]
    auth.create("olga")
    response = client.post("/login", data={"username": "olga", "password": "correct horse battery"})
    assert response.status_code == 401
    assert client.get("/panel").status_code == 302


def test_panel_redirects_to_login_when_signed_out(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/panel")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_session_api_writes_need_the_csrf_header(auth, client, loaded) -> None:  # type: ignore[no-untyped-def]
    auth.create("olga", "operator")
    auth.login("olga")
    url = "/api/v1/sites/testsite/zones/t-cave-01/state"
    refused = client.post(url, json={"state": "closed"})
    assert refused.status_code == 400
    token = auth.csrf("/panel")
    accepted = client.post(url, json={"state": "closed"}, headers={"X-CSRFToken": token})
    assert accepted.status_code == 200


def test_a_viewer_session_may_read_but_not_operate(auth, client, loaded) -> None:  # type: ignore[no-untyped-def]
    auth.create("vera", "viewer")
    auth.login("vera")
    assert client.get("/api/v1/sites").status_code == 200
    token = auth.csrf("/panel")
    response = client.post("/api/v1/sites/testsite/zones/t-cave-01/state", json={"state": "closed"},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 403


def test_logout_ends_the_session_and_login_is_audited(auth, client, db) -> None:  # type: ignore[no-untyped-def]
    auth.create("olga")
    auth.login("olga")
    token = auth.csrf("/panel")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/panel").status_code == 302
    with db.open_session() as session:
        assert session.scalars(select(AuditLog.actor).where(AuditLog.action == "login")).all() == ["olga"]


# --- failed sign-ins are rate-limited, and answer alike for known and unknown names -----------

def test_after_five_wrong_passwords_for_a_name_even_the_right_one_is_refused(auth, client) -> None:  # type: ignore[no-untyped-def]
    auth.create("olga")
    for i in range(5):  # each from another address: the name's own limit holds
        assert auth.login("olga", "guess", address=f"10.0.0.{i + 1}").status_code == 401
    refused = auth.login("olga", PASSWORD, address="10.0.0.99")
    assert refused.status_code == 429
    assert b"Too many failed sign-ins" in refused.data
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert client.get("/panel").status_code == 302
    # another name from the same address is not affected
    auth.create("omar")
    assert auth.login("omar", PASSWORD, address="10.0.0.99").status_code == 302


def test_an_address_trying_many_names_is_refused_after_ten_failures(auth, client) -> None:  # type: ignore[no-untyped-def]
    auth.create("olga")
    for i in range(10):
        assert auth.login(f"guess{i}", "guess").status_code == 401
    refused = auth.login("olga", PASSWORD)
    assert refused.status_code == 429 and b"Too many failed sign-ins" in refused.data
    assert client.get("/panel").status_code == 302
    assert auth.login("olga", PASSWORD, address="10.1.1.1").status_code == 302


def test_successful_sign_ins_do_not_count_against_the_limits(auth) -> None:  # type: ignore[no-untyped-def]
    auth.create("olga")
    for _ in range(12):
        assert auth.login("olga", PASSWORD).status_code == 302


def test_the_login_limits_come_from_the_settings(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(tmp_path, LANTERN_LOGIN_USER_RATE="2 per minute")
    try:
        auth = AuthActions(app.test_client(), app.extensions["lantern"].db)
        auth.create("olga")
        assert [auth.login("olga", "guess").status_code for _ in range(3)] == [401, 401, 429]
    finally:
        app.extensions["lantern"].db.dispose()


def test_a_failed_login_is_audited_with_the_address_and_without_the_password(auth, db) -> None:  # type: ignore[no-untyped-def]
    auth.create("olga")
    auth.login("olga", "hunter2-secret", address="192.0.2.7")
    auth.login("nobody", "other-secret", address="192.0.2.8")
    with db.open_session() as session:
        rows = session.scalars(select(AuditLog).where(AuditLog.action == "login_failed")
                               .order_by(AuditLog.id)).all()
        assert [(r.actor, r.detail["remote"]) for r in rows] == [("olga", "192.0.2.7"),
                                                                  ("nobody", "192.0.2.8")]
        stored = repr([(r.actor, r.target, r.detail) for r in rows])
    assert "hunter2" not in stored and "other-secret" not in stored


def test_an_unknown_name_costs_a_password_hash_like_a_known_one(auth, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    auth.create("olga")
    checked: list[tuple[str, str]] = []
    real = auth_module.check_password_hash

    def spy(pwhash: str, password: str) -> bool:
        checked.append((pwhash, password))
        return real(pwhash, password)

    monkeypatch.setattr(auth_module, "check_password_hash", spy)
    assert auth.login("nobody", "a guess").status_code == 401
    assert auth.login("olga", "a guess").status_code == 401
    (dummy, p1), (real_hash, p2) = checked
    assert p1 == p2 == "a guess"
    # the same method and cost, so both take as long
    assert dummy.rsplit("$", 2)[0] == real_hash.rsplit("$", 2)[0]


# --- after signing in, only a path of this site ------------------------------------------------

@pytest.mark.parametrize("target", ["/%09/evil.example", "//evil.example", "/%5Cevil.example",
                                    "https://evil.example/", "%20//evil.example", "/%0A/evil.example",
                                    "javascript:alert(1)", "%00//evil.example", "evil.example"])
def test_login_never_redirects_to_another_site(auth, target: str) -> None:  # type: ignore[no-untyped-def]
    auth.create("olga")
    response = auth.login("olga", PASSWORD, path=f"/login?next={target}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/panel"


def test_login_follows_a_path_of_this_site(auth) -> None:  # type: ignore[no-untyped-def]
    auth.create("olga")
    response = auth.login("olga", PASSWORD, path="/login?next=/panel%23mogao")
    assert response.headers["Location"] == "/panel#mogao"


@pytest.mark.parametrize("target", ["/\t/evil.example", "/\\evil.example", " /panel", "/pan\nel",
                                    "http:/evil.example", "/\u3000/evil.example"])
def test_a_target_with_whitespace_a_backslash_or_a_scheme_is_refused(target: str) -> None:
    assert same_site_path(target) is None


# --- logging out ends the login session on the server -----------------------------------------

def test_a_session_cookie_copied_before_logout_is_refused_after_it(auth, client, app) -> None:  # type: ignore[no-untyped-def]
    auth.create("olga")
    auth.login("olga")
    copied = client.get_cookie("session").value
    assert client.get("/api/v1/kiosks").status_code == 200
    assert client.post("/logout", data={"csrf_token": auth.csrf("/panel")}).status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", copied)
    page = thief.get("/panel")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    assert thief.get("/api/v1/kiosks").status_code == 401


def test_logout_records_when_the_login_session_ended(auth, client, db) -> None:  # type: ignore[no-untyped-def]
    auth.create("olga")
    auth.login("olga")
    with db.open_session() as session:
        row = session.scalars(select(LoginSession)).one()
        assert row.ended_at is None and row.remote == "127.0.0.1" and len(row.id) >= 40
    client.post("/logout", data={"csrf_token": auth.csrf("/panel")})
    with db.open_session() as session:
        assert session.scalars(select(LoginSession)).one().ended_at is not None


def test_a_deactivated_user_is_signed_out_at_the_next_request(auth, client, db) -> None:  # type: ignore[no-untyped-def]
    auth.create("olga")
    auth.login("olga")
    with db.transaction() as session:
        session.scalars(select(User)).one().active = False
    assert client.get("/api/v1/kiosks").status_code == 401


def test_last_seen_is_written_at_most_once_a_minute(auth, client, db) -> None:  # type: ignore[no-untyped-def]
    auth.create("olga")
    auth.login("olga")
    with db.open_session() as session:
        first = session.scalars(select(LoginSession.last_seen_at)).one()
    client.get("/api/v1/kiosks")
    with db.transaction() as session:
        row = session.scalars(select(LoginSession)).one()
        assert row.last_seen_at == first
        row.last_seen_at = first - timedelta(minutes=2)
    client.get("/api/v1/kiosks")
    with db.open_session() as session:
        assert session.scalars(select(LoginSession.last_seen_at)).one() >= first


def test_logout_disconnects_the_control_sockets_of_that_login(auth, client, app) -> None:  # type: ignore[no-untyped-def]
    from server.extensions import socketio

    auth.create("olga")
    auth.login("olga")
    live = socketio.test_client(app, namespace="/control", flask_test_client=client)
    other = app.test_client()
    AuthActions(other, app.extensions["lantern"].db).login("olga")  # another browser of olga's
    elsewhere = socketio.test_client(app, namespace="/control", flask_test_client=other)
    assert live.is_connected("/control") and elsewhere.is_connected("/control")
    client.post("/logout", data={"csrf_token": auth.csrf("/panel")})
    assert not live.is_connected("/control")
    assert elsewhere.is_connected("/control")
    again = socketio.test_client(app, namespace="/control", flask_test_client=client)
    assert not again.is_connected("/control")


def test_logout_without_a_csrf_token_is_a_400_that_says_why(auth, client) -> None:  # type: ignore[no-untyped-def]
    auth.create("olga")
    auth.login("olga")
    response = client.post("/logout", data={})
    assert response.status_code == 400
    assert b"CSRF token is missing" in response.data and b"still signed in" in response.data
    assert client.get("/panel").status_code == 200
