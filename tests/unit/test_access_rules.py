"""Roles and permissions are plain rules: a permission names the roles that hold it, and the
front doors ask for permissions, never for roles."""

from __future__ import annotations

import subprocess
import sys

from server.domain import access


def test_the_access_rules_load_no_framework() -> None:
    code = ("import sys, server.domain.access, server.domain.event_window; "
            "print(any(m in sys.modules for m in ('flask', 'flask_socketio', 'sqlalchemy')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False", done.stderr


def test_viewers_read_gateways_ingest_and_only_admins_administer() -> None:
    holders = {p: {r for r in access.TOKEN_ROLES if access.Principal("x", r, "token").may(p)}
               for p in access.PERMISSIONS}
    assert holders["read"] == {"admin", "operator", "planner", "viewer"}
    assert holders["ingest"] == {"admin", "operator", "ingest"}
    assert holders["admin"] == {"admin"}


def test_a_secret_is_stored_as_its_hash_and_never_twice_the_same() -> None:
    one, two = access.new_token(), access.new_token("kt")
    assert one.startswith("lt_") and two.startswith("kt_") and one != two
    assert access.hash_token(one) == access.hash_token(one) != one
