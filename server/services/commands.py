"""Sending kiosk commands: the one place a command is validated, then queued for its targets
and delivered; REST and /control alike.

Each action's arguments are defined once, by the models of ``server.schemas.fleet.ARGS_OF``
(which also build the OpenAPI document); :func:`parse_command` applies them."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Protocol

from pydantic import ValidationError
from sqlalchemy.orm import Session

from server import errors
from server.schemas.fleet import ARGS_OF, MAX_ARGS_BYTES
from server.services import fleet
from server.storage.database import Database
from server.storage.models import Experience, utcnow


def args_size(args: Any) -> int:
    """Bytes of ``args`` as compact UTF-8 JSON (what is stored and sent)."""
    try:
        return len(json.dumps(args, ensure_ascii=False, separators=(",", ":")).encode())
    except (TypeError, ValueError):  # not JSON at all, or text no encoding can carry
        raise errors.InvalidContent("invalid command: args must be plain JSON") from None


def parse_command(action: Any, args: Any) -> dict[str, Any]:
    """The arguments of a valid command, as stored and sent; else InvalidContent saying why."""
    if not isinstance(action, str) or action not in ARGS_OF:
        named = f"unknown action {action[:64]!r}" if isinstance(action, str) else "no action"
        raise errors.InvalidContent(f"invalid command: {named}; one of {', '.join(ARGS_OF)}")
    if not isinstance(args, dict):
        raise errors.InvalidContent("invalid command: args must be an object")
    # measured before validation: the bound also keeps huge payloads from being parsed further
    if args_size(args) > MAX_ARGS_BYTES:
        raise errors.InvalidContent(f"invalid command: {action} args take more than "
                                    f"{MAX_ARGS_BYTES} bytes as JSON")
    try:
        valid = ARGS_OF[action].model_validate(args)
    except ValidationError as exc:
        problems = [{"field": ".".join(["args", *(str(p) for p in e["loc"])]), "message": e["msg"]}
                    for e in exc.errors(include_url=False)]
        summary = "; ".join(f"{p['field']}: {p['message']}" for p in problems[:5])
        raise errors.InvalidContent(f"invalid command: {action} {summary}",
                                    details=problems) from None
    return valid.model_dump(exclude_none=True)


def with_scene(session: Session, action: str, args: dict[str, Any]) -> dict[str, Any]:
    """A ``load_scene`` names an experience that exists, and its scene unless one is given."""
    if action != "load_scene":
        return args
    experience = session.get(Experience, args["experience_id"])
    if experience is None:
        raise errors.UnknownExperience(f"no experience {args['experience_id']!r}")
    return {**args, "scene": args.get("scene") or experience.scene}


class Delivery(Protocol):
    """What sending a command needs of the realtime hub (server/realtime/hub.py): the
    database, the settings, which kiosks are connected here, and the two ways to deliver."""

    db: Database
    settings: dict[str, Any]
    local: dict[str, str]

    def send_now(self, commands: Iterable[dict[str, Any]]) -> int: ...

    def wake(self, kiosk_ids: Iterable[str]) -> None: ...

    def commands_changed(self, changes: Iterable[fleet.Change]) -> None: ...


def issue_and_wake(hub: Delivery, actor: str, data: Any) -> list[dict[str, Any]]:
    """Validate a command ``{"kiosk_id" | "group", "exclude", "action", "args"}``, queue it for
    its targets, then deliver it; shared by REST and /control."""
    if not isinstance(data, dict):
        raise errors.BadRequest("send a JSON object")
    args = parse_command(data.get("action"), data.get("args", {}))
    action = str(data["action"])
    exclude = data.get("exclude", [])
    if not isinstance(exclude, list) or not all(isinstance(e, str) for e in exclude):
        raise errors.InvalidContent("invalid command: exclude must be a list of kiosk ids")
    kiosk_id, group = data.get("kiosk_id"), data.get("group")
    for name, value in (("kiosk_id", kiosk_id), ("group", group)):
        if value is not None and not (isinstance(value, str) and 0 < len(value) <= 64):
            raise errors.InvalidContent(f"invalid command: {name} must be a text of 1 to 64 "
                                        f"characters")
    with hub.db.transaction() as session:
        args = with_scene(session, action, args)
        issued = fleet.issue(session, actor, action, args,
                             kiosk_id=kiosk_id, group=group, exclude=exclude,
                             ttl_s=float(hub.settings["LANTERN_COMMAND_TTL_S"]))
        now = utcnow()
        ready = {c.id for c in fleet.claim_for_sending(session, issued, set(hub.local), now)}
        out = [{**fleet.payload(c), "kiosk_id": c.kiosk_id} for c in issued]
    # operators hear of each command; those going out at once are heard of as sent instead
    hub.commands_changed(fleet.Change(c.id, c.kiosk_id, c.seq, c.action, "pending", now)
                         for c in issued if c.id not in ready)
    # the common case, kiosks connected here with nothing else queued, goes out at once;
    # the rest is read back from the queue (here, or by the process a kiosk is connected to)
    hub.send_now(c for c in out if c["id"] in ready)
    rest = {c["kiosk_id"] for c in out if c["id"] not in ready}
    if rest:
        hub.wake(rest)
    return out
