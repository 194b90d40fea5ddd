"""Users over REST: admins list, create, change and reset them; everyone signed in changes
their own password. The rules are server/services/users.py; ended login sessions lose their
/control sockets here, at once."""

from __future__ import annotations

from flask import request
from flask_login import current_user
from spectree import Response

from server import errors
from server.api import actor, api, lantern
from server.auth import current_principal, require
from server.extensions import api_spec, socketio
from server.realtime.control import sign_out_sessions
from server.schemas import ErrorEnvelope
from server.schemas.accounts import (
    NewPassword,
    OwnPasswordChanged,
    OwnPasswordIn,
    UserChanged,
    UserCreated,
    UserIn,
    UserList,
    UserPatch,
)
from server.services import audit, users

ERRORS = {f"HTTP_{s}": ErrorEnvelope for s in (400, 401, 403, 404, 409, 413, 422)}


@api.get("/users")
@require("admin")
@api_spec.validate(resp=Response(HTTP_200=UserList, **ERRORS), tags=["admin"])
def list_users():  # type: ignore[no-untyped-def]
    """Every user by name: role, whether active, when created and when last signed in."""
    with lantern().db.open_session() as session:
        return {"users": users.listing(session)}


@api.post("/users")
@require("admin")
@api_spec.validate(json=UserIn, resp=Response(HTTP_201=UserCreated, **ERRORS), tags=["admin"])
def create_user():  # type: ignore[no-untyped-def]
    """Create a user; without a password one is generated and answered this once."""
    body: UserIn = request.context.json  # type: ignore[attr-defined]
    with lantern().db.transaction() as session:
        made = users.add_user(session, body.username, body.role, body.password, actor=actor())
        out = users.describe(made.user, None)
    return {**out, "password": made.password}, 201


@api.patch("/users/<username>")
@require("admin")
@api_spec.validate(json=UserPatch, resp=Response(HTTP_200=UserChanged, **ERRORS),
                   tags=["admin"])
def change_user(username: str):  # type: ignore[no-untyped-def]
    """Give a user another role, or disable or enable them; a new role or disabling ends
    their login sessions and closes their live pages at once (409 ``last_admin`` for the
    last active admin)."""
    if not request.content_length:  # every field is optional, but the body is not
        raise errors.BadRequest('send a JSON body: {"role"?, "active"?}')
    body: UserPatch = request.context.json  # type: ignore[attr-defined]
    with lantern().db.transaction() as session:
        user, ended = users.update(session, username, role=body.role, active=body.active,
                                   actor=actor())
        out = users.describe(user, users.last_sign_in(session, user))
    sign_out_sessions(socketio, ended)
    return {**out, "sessions_ended": len(ended)}


@api.post("/users/<username>/password")
@require("admin")
@api_spec.validate(resp=Response(HTTP_200=NewPassword, **ERRORS), tags=["admin"])
def reset_password(username: str):  # type: ignore[no-untyped-def]
    """Reset a user's password to a generated one, answered this once; their login sessions
    end."""
    with lantern().db.transaction() as session:
        password, ended = users.reset_password(session, username, actor=actor())
    sign_out_sessions(socketio, ended)
    return {"password": password, "sessions_ended": len(ended)}


@api.post("/me/password")
@require("read")
@api_spec.validate(json=OwnPasswordIn, resp=Response(HTTP_200=OwnPasswordChanged, **ERRORS),
                   tags=["admin"])
def change_own_password():  # type: ignore[no-untyped-def]
    """Change one's own password (signed-in users): the current one, then the new one (403
    ``wrong_password`` if the current one is not right); one's other login sessions end."""
    principal = current_principal()
    if principal is None or principal.via != "session":
        raise errors.Forbidden("only a signed-in user has a password to change; an API token "
                               "has none")
    body: OwnPasswordIn = request.context.json  # type: ignore[attr-defined]
    db = lantern().db
    try:
        with db.transaction() as session:
            ended = users.change_own_password(session, principal.name, body.current, body.new,
                                              login_session=current_user.id)
    except users.WrongPassword:
        with db.transaction() as session:  # the refusal is kept, though nothing changed
            audit.record(session, principal.name, "change_password_refused", principal.name,
                         remote=request.remote_addr)
        raise
    sign_out_sessions(socketio, ended)
    return {"ok": True, "sessions_ended": len(ended)}
