"""API tokens: issued with a role, a name and an optional expiry, listed by id, revoked by id.

The secret is shown once, when the token is issued, and stored only as a SHA-256 hash. Each
token has an id, so that an admin can revoke it without knowing the secret; revoking one also
closes the ``/ingest`` sockets opened with it, in every server process (server/realtime/hub.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server import errors
from server.domain.access import TOKEN_ROLES, Principal, hash_token, new_token
from server.services import audit
from server.storage.models import ApiToken, utcnow

TOUCH_EVERY = timedelta(minutes=1)  # last_used_at is written at most this often per token


@dataclass(frozen=True)
class Issued:
    """A new token: its id and the secret, which nothing can show again."""

    id: int
    token: str
    prefix: str
    role: str
    name: str | None
    expires_at: datetime | None


def issue(session: Session, role: str, name: str | None = None,
          expires_at: datetime | None = None, *, actor: str = "cli",
          now: datetime | None = None) -> Issued:
    """Create a token with ``role`` (audited as ``actor``); the secret is in the answer only."""
    if role not in TOKEN_ROLES:
        raise errors.InvalidContent(f"unknown role {role!r}; choose one of {', '.join(TOKEN_ROLES)}")
    now = now or utcnow()
    if expires_at is not None and expires_at <= now:
        raise errors.InvalidContent("expires_at must lie in the future")
    token = new_token()
    row = ApiToken(token_hash=hash_token(token), prefix=token[:8], role=role, name=name,
                   created_at=now, expires_at=expires_at)
    session.add(row)
    session.flush()
    audit.record(session, actor, "create_token", str(row.id), prefix=row.prefix, role=role,
                 name=name, expires_at=expires_at.isoformat() if expires_at else None)
    return Issued(row.id, token, row.prefix, role, name, expires_at)


def create_token(session: Session, role: str, name: str | None = None) -> str:
    """Issue a token and return only its secret (for scripts and tests)."""
    return issue(session, role, name).token


def describe(row: ApiToken) -> dict[str, Any]:
    """A token as listed: never its secret or its hash."""
    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value is not None else None

    return {"id": row.id, "prefix": row.prefix, "role": row.role, "name": row.name,
            "created_at": iso(row.created_at), "last_used_at": iso(row.last_used_at),
            "expires_at": iso(row.expires_at), "revoked_at": iso(row.revoked_at)}


def listing(session: Session) -> list[dict[str, Any]]:
    """Every token, newest first."""
    return [describe(r) for r in session.scalars(select(ApiToken).order_by(ApiToken.id.desc()))]


def revoke(session: Session, token_id: int, actor: str) -> tuple[dict[str, Any], bool]:
    """Revoke a token by id; returns it and whether it changed (revoking twice changes nothing)."""
    row = session.get(ApiToken, token_id) if 0 < token_id < 2**63 else None
    if row is None:
        raise errors.NotFound(f"no token {token_id}")
    if row.revoked_at is not None:
        return describe(row), False
    row.revoked_at = utcnow()
    audit.record(session, actor, "revoke_token", str(row.id), prefix=row.prefix, role=row.role)
    return describe(row), True


def revoke_secret(session: Session, token: str) -> bool:
    """Revoke the token with this secret (its holder giving it up); False if none or done."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    return True


@dataclass(frozen=True)
class TokenHolder:
    """Who presented a valid token: the principal, and the token's id and expiry."""

    principal: Principal
    token_id: int
    expires_at: datetime | None

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at


def authenticate(session: Session, token: str, now: datetime | None = None) -> TokenHolder:
    """The holder of a valid token; unknown, revoked and expired tokens are refused alike.
    Records the token's use (at most once a minute)."""
    now = now or utcnow()
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None:
        raise errors.Unauthenticated("the API token is unknown or revoked")
    if row.expires_at is not None and now >= row.expires_at:
        raise errors.Unauthenticated("the API token has expired")
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
        row.last_used_at = now
    return TokenHolder(Principal(name=f"token:{row.prefix}", role=row.role, via="token"),
                       row.id, row.expires_at)


def holder_of(db: Any, token: str) -> TokenHolder:
    """:func:`authenticate` in a transaction of its own."""
    with db.transaction() as session:
        return authenticate(session, token)
