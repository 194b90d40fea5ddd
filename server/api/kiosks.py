"""The kiosk fleet over REST: list, approve, revoke, rotate tokens, command, and timed visitor
sessions."""

from __future__ import annotations

from flask import request
from spectree import Response
from sqlalchemy import select

from server import errors
from server.api import actor, api, lantern
from server.auth import require
from server.extensions import api_spec
from server.schemas import (
    ApproveIn,
    CommandIn,
    CommandsOut,
    CommandStates,
    Done,
    ErrorEnvelope,
    ExtendIn,
    GroupCommandIn,
    KioskCreated,
    KioskIn,
    KioskList,
    PresenceHistory,
    SessionIn,
    SessionList,
    SessionOut,
)
from server.schemas.fleet import KioskTokenOut
from server.services import audit, fleet
from server.services import sessions as kiosk_sessions
from server.services.commands import issue_and_wake
from server.services.kiosks import create_kiosk, rotate_token
from server.storage.models import Kiosk, KioskCommand, KioskPresence

ERRORS = {f"HTTP_{s}": ErrorEnvelope for s in (400, 401, 403, 404, 409, 413, 422)}


def _ttl() -> float:
    return float(lantern().settings["LANTERN_COMMAND_TTL_S"])


@api.get("/kiosks")
@require("read")
@api_spec.validate(resp=Response(HTTP_200=KioskList, **ERRORS), tags=["kiosks"])
def list_kiosks():  # type: ignore[no-untyped-def]
    """Every kiosk: pending, approved or revoked (not expired pairings), online state, scene, fps."""
    state = lantern()
    with state.db.open_session() as session:
        return {"kiosks": [state.hub.status(k) for k in session.scalars(
            select(Kiosk).where(Kiosk.status != "expired").order_by(Kiosk.id))]}


@api.post("/kiosks")
@require("admin")
@api_spec.validate(json=KioskIn, resp=Response(HTTP_201=KioskCreated, **ERRORS), tags=["kiosks"])
def register_kiosk():  # type: ignore[no-untyped-def]
    """Register an approved kiosk at a place; its token is shown once."""
    body: KioskIn = request.context.json  # type: ignore[attr-defined]
    state = lantern()
    with state.db.transaction() as session:
        kiosk_id, token = create_kiosk(session, body.site_id, body.lon, body.lat, body.kind,
                                       body.name, body.group, zones=state.zone_index)
        audit.record(session, actor(), "create_kiosk", kiosk_id, site=body.site_id)
        status = state.hub.status(session.get_one(Kiosk, kiosk_id))
    # the map shows the new kiosk in its zone now, not after a reload
    state.hub.to_operators("kiosk_status", status)
    return {"kiosk_id": kiosk_id, "token": token}, 201


@api.post("/kiosks/<kiosk_id>/approve")
@require("operate")
@api_spec.validate(json=ApproveIn, resp=Response(HTTP_200=Done, **ERRORS), tags=["kiosks"])
def approve_kiosk(kiosk_id: str):  # type: ignore[no-untyped-def]
    """Approve a pending kiosk with the code on its screen; it receives its token on its
    pairing connection."""
    body: ApproveIn = request.context.json  # type: ignore[attr-defined]
    state = lantern()
    with state.db.transaction() as session:
        token = fleet.approve(session, kiosk_id, actor(), body.code, site_id=body.site_id,
                              zone_id=body.zone_id, group=body.group,
                              ttl_s=float(state.settings["LANTERN_PAIRING_TTL_S"]))
    state.hub.paired(kiosk_id, token)
    return {"ok": True}


@api.post("/kiosks/<kiosk_id>/reject")
@require("operate")
@api_spec.validate(resp=Response(HTTP_200=Done, **ERRORS), tags=["kiosks"])
def reject_kiosk(kiosk_id: str):  # type: ignore[no-untyped-def]
    """Remove a pending kiosk and close its pairing connection."""
    state = lantern()
    with state.db.transaction() as session:
        fleet.reject(session, kiosk_id, actor())
    state.hub.pairing_ended(kiosk_id, "rejected")
    return {"ok": True}


@api.post("/kiosks/<kiosk_id>/revoke")
@require("operate")
@api_spec.validate(resp=Response(HTTP_200=Done, **ERRORS), tags=["kiosks"])
def revoke_kiosk(kiosk_id: str):  # type: ignore[no-untyped-def]
    """Revoke a kiosk: it is disconnected now and refused from then on."""
    state = lantern()
    with state.db.transaction() as session:
        fleet.revoke(session, kiosk_id, actor())
    state.hub.revoke(kiosk_id)
    return {"ok": True}


@api.post("/kiosks/<kiosk_id>/token")
@require("admin")
@api_spec.validate(resp=Response(HTTP_200=KioskTokenOut, **ERRORS), tags=["kiosks"])
def rotate_kiosk_token(kiosk_id: str):  # type: ignore[no-untyped-def]
    """Issue or rotate an approved kiosk's token (shown once): the old one stops working and
    the kiosk's connection closes now; its pending commands wait for it."""
    state = lantern()
    with state.db.transaction() as session:
        token = rotate_token(session, kiosk_id, actor())
    state.hub.disconnect(kiosk_id)  # after the commit: a reconnect must find the new token
    return {"kiosk_id": kiosk_id, "token": token}


# The command views document their bodies but leave validating them to issue_and_wake, so that
# REST and /control refuse a bad command with the same code and message.
@api.post("/kiosks/<kiosk_id>/commands")
@require("operate")
@api_spec.validate(json=CommandIn, resp=Response(HTTP_202=CommandsOut, **ERRORS), tags=["kiosks"],
                   skip_validation=True)
def command_kiosk(kiosk_id: str):  # type: ignore[no-untyped-def]
    """Send one kiosk a command; it is retried until acknowledged or its TTL passes."""
    body = _json_object()
    commands = issue_and_wake(lantern().hub, actor(),
                              {"action": body.get("action"), "args": body.get("args", {}),
                               "kiosk_id": kiosk_id})
    return {"commands": commands}, 202


@api.post("/commands")
@require("operate")
@api_spec.validate(json=GroupCommandIn, resp=Response(HTTP_202=CommandsOut, **ERRORS),
                   tags=["kiosks"], skip_validation=True)
def command_group():  # type: ignore[no-untyped-def]
    """Send a command to a group of kiosks (``*`` for all), minus the excluded ones."""
    body = _json_object()
    if not isinstance(body.get("group"), str):
        raise errors.InvalidContent("invalid command: name a group (* for all)")
    commands = issue_and_wake(lantern().hub, actor(),
                              {k: body.get(k) for k in ("group", "exclude", "action", "args")
                               if k in body})
    return {"commands": commands}, 202


def _json_object() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise errors.BadRequest("send a JSON object")
    return body


def _session_out(row) -> dict:  # type: ignore[no-untyped-def]
    return {"id": row.id, "kiosk_id": row.kiosk_id, "status": row.status,
            "duration_s": row.duration_s, "experience_id": row.experience_id,
            "started_at": row.started_at.isoformat() if row.started_at else None,
            "ends_at": row.ends_at.isoformat() if row.ends_at else None}


@api.get("/kiosks/<kiosk_id>/sessions")
@require("read")
@api_spec.validate(resp=Response(HTTP_200=SessionList, **ERRORS), tags=["sessions"])
def list_sessions(kiosk_id: str):  # type: ignore[no-untyped-def]
    """The running session and the queue of a kiosk."""
    with lantern().db.open_session() as session:
        fleet.kiosk_or_404(session, kiosk_id)
        return {"sessions": [_session_out(r) for r in kiosk_sessions.queue_of(session, kiosk_id)]}


@api.post("/kiosks/<kiosk_id>/sessions")
@require("operate")
@api_spec.validate(json=SessionIn, resp=Response(HTTP_201=SessionOut, **ERRORS), tags=["sessions"])
def start_session(kiosk_id: str):  # type: ignore[no-untyped-def]
    """Queue a timed visitor session; it starts now if the kiosk is free."""
    body: SessionIn = request.context.json  # type: ignore[attr-defined]
    state = lantern()
    with state.db.transaction() as session:
        row = kiosk_sessions.request(session, kiosk_id, body.duration_s, body.experience_id,
                                     actor(), _ttl())
        out = _session_out(row)
    state.hub.wake([kiosk_id])
    return out, 201


@api.post("/kiosks/<kiosk_id>/sessions/current/extend")
@require("operate")
@api_spec.validate(json=ExtendIn, resp=Response(HTTP_200=SessionOut, **ERRORS), tags=["sessions"])
def extend_session(kiosk_id: str):  # type: ignore[no-untyped-def]
    """Give the running session more time."""
    body: ExtendIn = request.context.json  # type: ignore[attr-defined]
    state = lantern()
    with state.db.transaction() as session:
        out = _session_out(kiosk_sessions.extend(session, kiosk_id, body.seconds, actor(), _ttl()))
    state.hub.wake([kiosk_id])
    return out


@api.post("/kiosks/<kiosk_id>/sessions/current/end")
@require("operate")
@api_spec.validate(resp=Response(HTTP_200=SessionOut, **ERRORS), tags=["sessions"])
def end_session(kiosk_id: str):  # type: ignore[no-untyped-def]
    """End the running session now; the next queued one starts."""
    state = lantern()
    with state.db.transaction() as session:
        out = _session_out(kiosk_sessions.end(session, kiosk_id, actor(), _ttl()))
    state.hub.wake([kiosk_id])
    return out


@api.get("/kiosks/<kiosk_id>/commands")
@require("read")
@api_spec.validate(resp=Response(HTTP_200=CommandStates, **ERRORS), tags=["kiosks"])
def kiosk_commands(kiosk_id: str):  # type: ignore[no-untyped-def]
    """The kiosk's latest 100 commands, newest first, with delivery state."""
    with lantern().db.open_session() as session:
        fleet.kiosk_or_404(session, kiosk_id)
        rows = session.scalars(select(KioskCommand).where(KioskCommand.kiosk_id == kiosk_id)
                               .order_by(KioskCommand.seq.desc()).limit(100))
        return {"commands": [
            {"id": c.id, "seq": c.seq, "action": c.action, "args": c.args, "status": c.status,
             "attempts": c.attempts, "issued_by": c.issued_by,
             "created_at": c.created_at.isoformat(),
             "acked_at": c.acked_at.isoformat() if c.acked_at else None, "result": c.result}
            for c in rows]}


@api.get("/kiosks/<kiosk_id>/presence")
@require("read")
@api_spec.validate(resp=Response(HTTP_200=PresenceHistory, **ERRORS), tags=["kiosks"])
def kiosk_presence(kiosk_id: str):  # type: ignore[no-untyped-def]
    """The kiosk's online/offline history, newest first (at most 200 changes)."""
    with lantern().db.open_session() as session:
        fleet.kiosk_or_404(session, kiosk_id)
        rows = session.scalars(select(KioskPresence).where(KioskPresence.kiosk_id == kiosk_id)
                               .order_by(KioskPresence.id.desc()).limit(200))
        return {"kiosk_id": kiosk_id,
                "changes": [{"online": r.online, "ts": r.ts.isoformat()} for r in rows]}
