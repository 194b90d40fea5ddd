"""Operators log in with a form (CSRF-protected) and get an HttpOnly SameSite session cookie."""

from __future__ import annotations

from sqlalchemy import select

from server.models import AuditLog


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
    with db.sessions() as session:
        assert session.scalars(select(AuditLog.actor).where(AuditLog.action == "login")).all() == ["olga"]
