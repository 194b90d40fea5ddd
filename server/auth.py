"""Who is calling, in a request: sign-in checks and login sessions, bearer tokens, role checks,
CSRF. The roles, permissions and secrets themselves are plain rules in server/domain/access.py;
managing users (create, roles, passwords) is server/services/users.py."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import current_app, g, request
from flask_login import UserMixin, current_user
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from server import errors
from server.domain.access import (  # noqa: F401  (re-exported for the front doors)
    PERMISSIONS,
    TOKEN_ROLES,
    USER_ROLES,
    Principal,
    hash_token,
    new_token,
)
from server.extensions import csrf, login_manager
from server.services.users import create_user  # noqa: F401  (the CLI, the demo and tests use it here)
from server.storage.models import LoginSession, User, utcnow

# A login session's last_seen_at is written at most this often (not on every request).
LAST_SEEN_EVERY = timedelta(minutes=1)


class LoginUser(UserMixin):
    """A signed-in browser. Flask-Login's id is the login session's id, not the user's, so
    the session cookie names a row that logging out ends."""

    def __init__(self, user: User, login_session_id: str) -> None:
        self.id = login_session_id
        self.user_id = user.id
        self.username = user.username
        self.role = user.role


def check_login(session: Session, username: str, password: str) -> User | None:
    """The active user with this name and password, or None.

    An unknown or inactive name is checked against a dummy hash, so that the answer takes as
    long as for a real user and its timing does not tell which names exist.
    """
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


@functools.cache
def _dummy_hash() -> str:
    """A hash made like a real user's (same method and cost) of a password nobody knows."""
    return generate_password_hash(secrets.token_urlsafe(24))


def start_login_session(session: Session, user: User, remote: str | None) -> str:
    """Record a new signed-in browser of ``user``; returns the id its session cookie keeps."""
    row = LoginSession(id=secrets.token_urlsafe(32), user_id=user.id, last_seen_at=utcnow(),
                       remote=remote[:64] if remote else None)
    session.add(row)
    session.flush()
    return row.id


def end_login_session(session: Session, login_session_id: str) -> bool:
    """End a login session: its cookie, and every copy of it, no longer signs anyone in."""
    row = session.get(LoginSession, login_session_id)
    if row is None or row.ended_at is not None:
        return False
    row.ended_at = utcnow()
    return True


@login_manager.user_loader
def _load_user(login_session_id: str) -> LoginUser | None:
    """The user of a login session that has not ended, if the user is still active."""
    db = current_app.extensions["lantern"].db
    with db.transaction() as session:
        row = session.get(LoginSession, login_session_id)
        if row is None or row.ended_at is not None:
            return None
        user = session.get(User, row.user_id)
        if user is None or not user.active:
            return None
        now = utcnow()
        if row.last_seen_at is None or now - row.last_seen_at >= LAST_SEEN_EVERY:
            row.last_seen_at = now
        return LoginUser(user, row.id)


def current_principal() -> Principal | None:
    """The caller of this request, or None; a bad bearer token is an error, not anonymity."""
    if "principal" in g:
        return g.principal  # type: ignore[no-any-return]
    principal: Principal | None = None
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise errors.Unauthenticated("use 'Authorization: Bearer <token>'")
        from server.services.tokens import holder_of

        principal = holder_of(current_app.extensions["lantern"].db, token.strip()).principal
    elif current_user.is_authenticated:
        principal = Principal(name=current_user.username, role=current_user.role, via="session")
    g.principal = principal
    return principal


def require(permission: str) -> Callable:
    """View decorator: the caller must be authenticated and hold ``permission``."""
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            principal = current_principal()
            if principal is None:
                raise errors.Unauthenticated("log in or send 'Authorization: Bearer <token>'")
            if principal.via == "session" and request.method not in ("GET", "HEAD", "OPTIONS"):
                csrf.protect()
            if not principal.may(permission):
                raise errors.Forbidden(f"role {principal.role!r} may not {permission}")
            return view(*args, **kwargs)

        wrapped.permission = permission  # type: ignore[attr-defined]
        return wrapped

    return decorate
