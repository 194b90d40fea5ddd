"""Sending kiosk commands: queue them for their targets, then deliver; REST and /control alike."""

from __future__ import annotations

from typing import Any

from server import errors, fleet
from server.models import utcnow


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
        ready = {c.id for c in fleet.claim_for_sending(session, issued, set(hub.local), utcnow())}
        out = [{**fleet.payload(c), "kiosk_id": c.kiosk_id} for c in issued]
    # the common case, kiosks connected here with nothing else queued, goes out at once;
    # the rest is read back from the queue (here, or by the process a kiosk is connected to)
    hub.send_now(c for c in out if c["id"] in ready)
    rest = {c["kiosk_id"] for c in out if c["id"] not in ready}
    if rest:
        hub.wake(rest)
    return out
