"""Administration over REST: API tokens (issue, list, revoke) and the audit log; users are
server/api/users.py."""

from __future__ import annotations

from flask import request
from spectree import Response

from server.api import actor, api, lantern
from server.auth import require
from server.extensions import api_spec
from server.schemas import ErrorEnvelope, TokenInfo, TokenList, TokenOut, TokenRequest
from server.schemas.accounts import AuditPage, AuditQuery
from server.services import audit, tokens

ERRORS = {f"HTTP_{s}": ErrorEnvelope for s in (400, 401, 403, 404, 413, 422)}


@api.post("/tokens")
@require("admin")
@api_spec.validate(json=TokenRequest, resp=Response(HTTP_201=TokenOut, **ERRORS), tags=["admin"])
def new_token():  # type: ignore[no-untyped-def]
    """Issue an API token with a role, a name and an optional expiry; the secret is shown once."""
    body: TokenRequest = request.context.json  # type: ignore[attr-defined]
    with lantern().db.transaction() as session:
        issued = tokens.issue(session, body.role, body.name, body.expires_at, actor=actor())
    return {"id": issued.id, "token": issued.token, "prefix": issued.prefix, "role": issued.role,
            "name": issued.name,
            "expires_at": issued.expires_at.isoformat() if issued.expires_at else None}, 201


@api.get("/tokens")
@require("admin")
@api_spec.validate(resp=Response(HTTP_200=TokenList, **ERRORS), tags=["admin"])
def list_tokens():  # type: ignore[no-untyped-def]
    """Every API token, newest first, with its last use; never the secret."""
    with lantern().db.open_session() as session:
        return {"tokens": tokens.listing(session)}


@api.post("/tokens/<int:token_id>/revoke")
@require("admin")
@api_spec.validate(resp=Response(HTTP_200=TokenInfo, **ERRORS), tags=["admin"])
def revoke_token(token_id: int):  # type: ignore[no-untyped-def]
    """Revoke a token: refused from now on, and its open /ingest sockets are closed at once."""
    state = lantern()
    with state.db.transaction() as session:
        row, changed = tokens.revoke(session, token_id, actor())
    if changed:
        state.hub.token_revoked(token_id)
    return row


@api.get("/audit")
@require("admin")
@api_spec.validate(query=AuditQuery, resp=Response(HTTP_200=AuditPage, **ERRORS), tags=["admin"])
def audit_log():  # type: ignore[no-untyped-def]
    """The audit log, newest first, filtered by actor, action and time; older pages with
    ``before`` (the previous page's ``next_before``)."""
    query: AuditQuery = request.context.query  # type: ignore[attr-defined]
    with lantern().db.open_session() as session:
        entries, next_before = audit.page(session, actor=query.actor, action=query.action,
                                          start=query.from_, end=query.to, limit=query.limit,
                                          before=query.before)
    return {"entries": entries, "next_before": next_before}
