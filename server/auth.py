"""Who is calling and what their role may do: users, API tokens, role checks, CSRF."""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app, g, request
from flask_login import UserMixin, current_user
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from server import errors
from server.extensions import csrf, login_manager
from server.models import ApiToken, User, utcnow

USER_ROLES = ("admin", "operator", "planner", "viewer")
TOKEN_ROLES = USER_ROLES + ("ingest",)

# permission -> roles that hold it
PERMISSIONS: dict[str, frozenset[str]] = {
    "read": frozenset({"admin", "operator", "planner", "viewer"}),
    "ingest": frozenset({"admin", "operator", "ingest"}),
    "operate": frozenset({"admin", "operator"}),
    "plan": frozenset({"admin", "operator", "planner"}),
    "admin": frozenset({"admin"}),
}


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(kind: str = "lt") -> str:
    return f"{kind}_{secrets.token_urlsafe(32)}"


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: a user with a login session or a machine with a token."""

    name: str
    role: str
    via: str  # "session" or "token"

    def may(self, permission: str) -> bool:
        return self.role in PERMISSIONS[permission]


class LoginUser(UserMixin):
    def __init__(self, user: User) -> None:
        self.id = str(user.id)
        self.username = user.username
        self.role = user.role


def create_user(session: Session, username: str, password: str, role: str) -> User:
    if role not in USER_ROLES:
        raise errors.InvalidContent(f"unknown role {role!r}; choose one of {', '.join(USER_ROLES)}")
    if len(password) < 8:
        raise errors.InvalidContent("password must have at least 8 characters")
    if session.scalar(select(User).where(User.username == username)):
        raise errors.Conflict(f"user {username!r} exists")
    user = User(username=username, password_hash=generate_password_hash(password), role=role)
    session.add(user)
    session.flush()
    return user


def check_login(session: Session, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if user and check_password_hash(user.password_hash, password):
        return user
    return None


def create_token(session: Session, role: str, name: str | None = None) -> str:
    """Create an API token; returns the token, which is stored only as a hash."""
    if role not in TOKEN_ROLES:
        raise errors.InvalidContent(f"unknown role {role!r}; choose one of {', '.join(TOKEN_ROLES)}")
    token = new_token()
    session.add(ApiToken(token_hash=hash_token(token), prefix=token[:8], role=role, name=name))
    return token


def revoke_token(session: Session, token: str) -> bool:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    return True


@login_manager.user_loader
def _load_user(user_id: str) -> LoginUser | None:
    db = current_app.extensions["lantern"].db
    with db.sessions() as session:
        user = session.get(User, int(user_id))
        return LoginUser(user) if user and user.active else None


def _token_principal(token: str) -> Principal:
    db = current_app.extensions["lantern"].db
    with db.sessions() as session:
        row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None:
        raise errors.Unauthenticated("the API token is unknown or revoked")
    return Principal(name=f"token:{row.prefix}", role=row.role, via="token")


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
        principal = _token_principal(token.strip())
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
