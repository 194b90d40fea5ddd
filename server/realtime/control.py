"""/control: operators with a login session watch the venue and command kiosks."""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from flask_socketio import Namespace, join_room

from server import errors
from server.auth import PERMISSIONS
from server.commands import issue_and_wake


class ControlNamespace(Namespace):
    def __init__(self, namespace: str, hub: Any) -> None:
        super().__init__(namespace)
        self.hub = hub

    def on_connect(self, auth: Any = None) -> None:
        if not current_user.is_authenticated:
            raise ConnectionRefusedError("log in first")
        join_room("operators")

    def on_command(self, data: Any = None) -> dict[str, Any]:
        """{"kiosk_id" | "group", "exclude", "action", "args"} -> {"ok", "commands"}."""
        if not current_user.is_authenticated or current_user.role not in PERMISSIONS["operate"]:
            return {"ok": False, "error": "your role may not command kiosks"}
        if not isinstance(data, dict):
            return {"ok": False, "error": "send an object"}
        try:
            commands = issue_and_wake(self.hub, current_user.username, data)
        except errors.LanternError as exc:
            return {"ok": False, "error": exc.message}
        return {"ok": True, "commands": commands}
