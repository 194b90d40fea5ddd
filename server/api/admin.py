"""Administration over REST: API tokens."""

from __future__ import annotations

from flask import current_app, request
from spectree import Response

from server import audit
from server.api import api
from server.auth import create_token, current_principal, require
from server.extensions import api_spec
from server.schemas import ErrorEnvelope, TokenOut, TokenRequest

ERRORS = {f"HTTP_{s}": ErrorEnvelope for s in (400, 401, 403, 413, 422)}


@api.post("/tokens")
@require("admin")
@api_spec.validate(json=TokenRequest, resp=Response(HTTP_201=TokenOut, **ERRORS), tags=["admin"])
def new_token():  # type: ignore[no-untyped-def]
    """Create an API token with a role; it is shown once and stored hashed."""
    principal = current_principal()
    assert principal is not None
    json: TokenRequest = request.context.json  # type: ignore[attr-defined]
    with current_app.extensions["lantern"].db.session() as session:
        token = create_token(session, json.role, json.name)
        audit.record(session, principal.name, "create_token", token[:8], role=json.role,
                     remote=request.remote_addr)
    return {"token": token, "role": json.role}, 201
