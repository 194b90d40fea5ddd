"""The kiosk handler rules every server in the benchmark shares.

The servers differ only in how they wrap these two functions, so a difference in the
figures is a difference of the stack, not of the work done per event.
"""

from __future__ import annotations

from typing import Any

NAMESPACE = "/kiosk"
HEARTBEAT = {"scene": "mogao_cave", "state": "playing", "fps": 30.0}


def is_authorized(auth: Any) -> bool:
    """Tell whether a connect ``auth`` carries a ``kiosk_id`` and a ``token``."""
    return isinstance(auth, dict) and bool(auth.get("kiosk_id")) and bool(auth.get("token"))


def heartbeat_ack(data: Any) -> dict[str, Any]:
    """Answer a kiosk ``heartbeat``: ``{"ok": True}`` for a mapping, else an error."""
    if not isinstance(data, dict):
        return {"ok": False, "error": "heartbeat must be an object"}
    return {"ok": True}
