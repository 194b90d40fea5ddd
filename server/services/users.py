"""Users: created with a role, listed, given another role, disabled or enabled, and their
passwords set, reset or changed; every change audited.

A change that takes rights away (a new role, disabling) or replaces a password ends the user's
login sessions here, in the database; the caller closes their live /control sockets
(server/realtime/control.py). The last active admin cannot be demoted or disabled, so that
someone can always administer the venue. Passwords are stored as werkzeug hashes only.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from server import errors
from server.domain.access import USER_ROLES
from server.services import audit
from server.storage.models import LoginSession, User, utcnow

MIN_PASSWORD = 8
MAX_PASSWORD = 200  # the login form takes no longer one
USERNAME_PATTERN = r"^[^\W_][\w.@-]{0,79}$"
USERNAME = re.compile(USERNAME_PATTERN)
USERNAME_RULE = "1 to 80 letters, digits, '.', '_', '@' or '-', starting with a letter or digit"


class LastAdmin(errors.Conflict):
    """The change would leave the venue without an active admin."""

    code = "last_admin"


class WrongPassword(errors.Forbidden):
    """The current password given to change one's own password is not the user's."""

    code = "wrong_password"


@dataclass(frozen=True)
class NewUser:
    """A created user; ``password`` is the generated one, shown this once (None if given)."""

    user: User
    password: str | None


def generate_password() -> str:
    """A random password of 16 URL-safe characters (96 bits), for a new user or a reset."""
    return secrets.token_urlsafe(12)


def check_password_rule(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise errors.InvalidContent(f"password must have at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise errors.InvalidContent(f"password must have at most {MAX_PASSWORD} characters")


def create_user(session: Session, username: str, password: str, role: str) -> User:
    """Add a user with a password chosen by the caller (not audited: the caller says who)."""
    if role not in USER_ROLES:
        raise errors.InvalidContent(f"unknown role {role!r}; choose one of {', '.join(USER_ROLES)}")
    if not USERNAME.fullmatch(username):
        raise errors.InvalidContent(f"user name {username!r} is not {USERNAME_RULE}")
    check_password_rule(password)
    if session.scalar(select(User.id).where(User.username == username)):
        raise errors.Conflict(f"user {username!r} exists")
    user = User(username=username, password_hash=generate_password_hash(password), role=role)
    session.add(user)
    session.flush()
    return user


def add_user(session: Session, username: str, role: str, password: str | None = None, *,
             actor: str) -> NewUser:
    """Create a user, with a generated password when none is given; audited as ``actor``."""
    generated = generate_password() if password is None else None
    user = create_user(session, username, password or generated or "", role)
    audit.record(session, actor, "create_user", username, role=role,
                 password="generated" if generated else "given")
    return NewUser(user, generated)


def describe(user: User, last_sign_in: datetime | None) -> dict[str, Any]:
    """A user as listed: never the password hash."""
    return {"username": user.username, "role": user.role, "active": user.active,
            "created_at": user.created_at.isoformat(),
            "last_sign_in": last_sign_in.isoformat() if last_sign_in else None}


def listing(session: Session) -> list[dict[str, Any]]:
    """Every user by name, with when they last signed in (their newest login session)."""
    signed_in = (select(LoginSession.user_id, func.max(LoginSession.created_at).label("at"))
                 .group_by(LoginSession.user_id).subquery())
    rows = session.execute(select(User, signed_in.c.at)
                           .outerjoin(signed_in, signed_in.c.user_id == User.id)
                           .order_by(User.username))
    return [describe(user, at) for user, at in rows]


def get(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise errors.NotFound(f"no user {username!r}")
    return user


def last_sign_in(session: Session, user: User) -> datetime | None:
    return session.scalar(select(func.max(LoginSession.created_at))
                          .where(LoginSession.user_id == user.id))


def update(session: Session, username: str, *, role: str | None = None,
           active: bool | None = None, actor: str) -> tuple[User, list[str]]:
    """Change a user's role and/or whether they may sign in; returns the user and the login
    sessions ended (a new role or disabling ends them all: the user signs in again, or not).
    Changing nothing changes nothing and is not audited."""
    user = get(session, username)
    if role is not None and role not in USER_ROLES:
        raise errors.InvalidContent(f"unknown role {role!r}; choose one of {', '.join(USER_ROLES)}")
    new_role = role if role is not None else user.role
    new_active = active if active is not None else user.active
    if (new_role, new_active) == (user.role, user.active):
        return user, []
    demoting = user.role == "admin" and user.active and (new_role != "admin" or not new_active)
    if demoting:
        _lock_admins(session)
    changes: dict[str, Any] = {}
    if new_role != user.role:
        changes["role"] = [user.role, new_role]
    if new_active != user.active:
        changes["active"] = [user.active, new_active]
    user.role, user.active = new_role, new_active
    if demoting:
        _keep_an_admin(session, user)
    # enabling a user alone takes no right away: nothing to end
    ended = end_sessions(session, user) if "role" in changes or not new_active else []
    audit.record(session, actor, "update_user", username, **changes,
                 sessions_ended=len(ended))
    return user, ended


def _lock_admins(session: Session) -> None:
    """On PostgreSQL, lock the active admins' rows (in one order, so that two changes wait
    for each other instead of deadlocking); the second change then sees the first."""
    session.scalars(select(User.id).where(User.role == "admin", User.active.is_(True))
                    .order_by(User.id).with_for_update()).all()


def _keep_an_admin(session: Session, user: User) -> None:
    """Refuse a change that left no active admin. Checked after the change is written, so
    that on SQLite it holds the one write lock and two admins demoting each other at once
    cannot both succeed."""
    session.flush()
    left = session.scalar(select(func.count()).select_from(User).where(
        User.role == "admin", User.active.is_(True)))
    if not left:
        raise LastAdmin(f"{user.username!r} is the last active admin: make another user admin "
                        f"first")


def end_sessions(session: Session, user: User, *, keep: str | None = None) -> list[str]:
    """End every login session of ``user`` still open (but ``keep``); returns their ids."""
    rows = session.scalars(select(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))).all()
    now = utcnow()
    ended = []
    for row in rows:
        if row.id != keep:
            row.ended_at = now
            ended.append(row.id)
    return ended


def reset_password(session: Session, username: str, *, actor: str) -> tuple[str, list[str]]:
    """Give a user a new generated password (shown once) and end their login sessions."""
    user = get(session, username)
    password = generate_password()
    user.password_hash = generate_password_hash(password)
    ended = end_sessions(session, user)
    audit.record(session, actor, "reset_password", username, sessions_ended=len(ended))
    return password, ended


def change_own_password(session: Session, username: str, current: str, new: str, *,
                        login_session: str | None = None) -> list[str]:
    """A signed-in user replaces their password, proving they know the current one; their
    other login sessions end (``login_session``, the one asking, stays)."""
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if user is None or not check_password_hash(user.password_hash, current):
        raise WrongPassword("the current password is not right")
    check_password_rule(new)
    if new == current:
        raise errors.InvalidContent("the new password must differ from the current one")
    user.password_hash = generate_password_hash(new)
    ended = end_sessions(session, user, keep=login_session)
    audit.record(session, username, "change_password", username, sessions_ended=len(ended))
    return ended


def set_password(session: Session, username: str, password: str, *, actor: str) -> list[str]:
    """Set a user's password to one the caller chose (the CLI); their login sessions end."""
    user = get(session, username)
    check_password_rule(password)
    user.password_hash = generate_password_hash(password)
    ended = end_sessions(session, user)
    audit.record(session, actor, "reset_password", username, sessions_ended=len(ended),
                 password="given")
    return ended
