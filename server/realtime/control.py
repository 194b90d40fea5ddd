"""/control: operators with a login session watch the venue and command kiosks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_login import current_user
from flask_socketio import ConnectionRefusedError, Namespace, join_room  # its message reaches the client

from server import errors
from server.auth import PERMISSIONS
from server.realtime.hub import Hub
from server.realtime.packets import AnswersErrors
from server.services.commands import issue_and_wake

NAMESPACE = "/control"


def session_room(login_session_id: str) -> str:
    """The room of every /control connection opened under one login session."""
    return f"login:{login_session_id}"


def sign_out(socketio: Any, login_session_id: str) -> None:
    """A login session ended: tell its pages, and close its /control connections here.

    The event reaches pages on every server process (through the message queue); a process
    knows only its own connections, so those are the ones closed at once. A connection on
    another process can no longer command (its requests find the login session ended).
    """
    room = session_room(login_session_id)
    socketio.emit("signed_out", {}, namespace=NAMESPACE, to=room)
    server = socketio.server
    for sid, _ in list(server.manager.get_participants(NAMESPACE, room)):
        server.disconnect(sid, namespace=NAMESPACE)


def sign_out_sessions(socketio: Any, login_session_ids: Iterable[str]) -> None:
    """Several login sessions ended at once (a user disabled, given another role or a new
    password): :func:`sign_out` each, so that their open pages stop at once."""
    for login_session_id in login_session_ids:
        sign_out(socketio, login_session_id)


class ControlNamespace(AnswersErrors, Namespace):
    def __init__(self, namespace: str, hub: Hub) -> None:
        super().__init__(namespace)
        self.hub = hub

    def on_connect(self, auth: Any = None) -> None:
        if not current_user.is_authenticated:
            raise ConnectionRefusedError("log in first")
        join_room("operators")
        join_room(session_room(current_user.id))

    def on_command(self, data: Any = None) -> dict[str, Any]:
        """{"kiosk_id" | "group", "exclude", "action", "args"} -> {"ok", "commands"}."""
        if not current_user.is_authenticated:
            raise errors.Unauthenticated("log in first")
        if current_user.role not in PERMISSIONS["operate"]:
            raise errors.Forbidden("your role may not command kiosks")
        return {"ok": True, "commands": issue_and_wake(self.hub, current_user.username, data)}
