"""/control: operators with a login session watch the venue and command kiosks."""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from flask_socketio import Namespace, join_room

from server import errors, fleet
from server.auth import PERMISSIONS


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


def issue_and_wake(hub: Any, actor: str, data: dict[str, Any]) -> list[dict[str, Any]]:
    """Queue a command for its targets, then deliver it; shared by REST and /control."""
    args = data.get("args") or {}
    exclude = data.get("exclude") or []
    if not isinstance(args, dict) or not isinstance(exclude, list):
        raise errors.InvalidContent("args must be an object and exclude a list")
    kiosk_id, group = data.get("kiosk_id"), data.get("group")
    with hub.db.session() as session:
        issued = fleet.issue(session, actor, str(data.get("action")), args,
                             kiosk_id=kiosk_id if isinstance(kiosk_id, str) else None,
                             group=group if isinstance(group, str) else None,
                             exclude=[str(e) for e in exclude],
                             ttl_s=float(hub.settings["LANTERN_COMMAND_TTL_S"]))
        out = [{**fleet.payload(c), "kiosk_id": c.kiosk_id} for c in issued]
    hub.wake({c["kiosk_id"] for c in out})
    return out
