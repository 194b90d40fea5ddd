"""Roles, what each may do, and the credentials' secrets: plain rules, no framework.

Users have one of :data:`USER_ROLES`; API tokens one of :data:`TOKEN_ROLES` (the extra
``ingest`` role is for gateways). A view or an event asks for a permission, never a role.
Secrets are random and stored only as their SHA-256 hash.

>>> Principal("olga", "operator", "session").may("operate")
True
>>> Principal("token:lt_ab", "ingest", "token").may("read")
False
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

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
    """The stored form of a secret."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(kind: str = "lt") -> str:
    """A new secret: ``lt_...`` for API tokens, ``kt_...`` for kiosks."""
    return f"{kind}_{secrets.token_urlsafe(32)}"


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: a user with a login session or a machine with a token."""

    name: str
    role: str
    via: str  # "session" or "token"

    def may(self, permission: str) -> bool:
        return self.role in PERMISSIONS[permission]
