"""The demo's users, one of each role, created once; their passwords are kept in the instance
folder (readable by its owner only) so that every start prints the same logins."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from server.domain.access import USER_ROLES
from server.services import audit
from server.storage.database import Database
from server.storage.models import User

LOGINS_FILE = "demo_logins.json"
OLD_ADMIN_FILE = "demo_login"  # earlier demos kept the admin's password alone here

CreateUser = Callable[[Session, str, str, str], object]


def _kept(instance: Path) -> dict[str, str]:
    path = instance / LOGINS_FILE
    try:
        kept = json.loads(path.read_text())
    except (OSError, ValueError):
        kept = {}
    old = instance / OLD_ADMIN_FILE
    if "admin" not in kept and old.exists():
        kept["admin"] = old.read_text().strip()
    return {k: v for k, v in kept.items() if isinstance(k, str) and isinstance(v, str)}


def ensure_logins(db: Database, instance: Path, create_user: CreateUser) -> dict[str, str]:
    """Username -> password of the demo users (named after their roles: admin, operator,
    planner, viewer). A missing user is created; one whose password was not kept gets a new
    one."""
    kept = _kept(instance)
    logins: dict[str, str] = {}
    with db.transaction() as session:
        for role in USER_ROLES:
            user = session.scalar(select(User).where(User.username == role))
            password = kept.get(role)
            if user is not None and password is not None:
                logins[role] = password
                continue
            password = secrets.token_urlsafe(9)
            if user is None:
                create_user(session, role, password, role)
                audit.record(session, "demo", "create_user", role, role=role)
            else:
                user.password_hash = generate_password_hash(password)
                audit.record(session, "demo", "reset_password", role)
            logins[role] = password
    path = instance / LOGINS_FILE
    instance.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(json.dumps(logins, indent=1))
    return logins
