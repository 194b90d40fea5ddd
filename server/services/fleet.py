"""The kiosk fleet in the database: pairing (with expiry), approval, revocation, commands,
heartbeats, sessions."""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, select, update
from sqlalchemy.orm import Session

from server import errors
from server.domain import fleet as rules
from server.domain.access import hash_token, new_token
from server.services import audit
from server.services.zones import current_zones
from server.storage.bulk import Bulk
from server.storage.models import Alert, Experience, Kiosk, KioskCommand, KioskPresence, Site, utcnow

COMMANDS = cast(Table, KioskCommand.__table__)


def kiosk_or_404(session: Session, kiosk_id: str) -> Kiosk:
    kiosk = session.get(Kiosk, kiosk_id)
    if kiosk is None:
        raise errors.NotFound(f"no kiosk {kiosk_id!r}")
    return kiosk


def start_pairing(session: Session, name: str = "", kind: str = "exhibition",
                  site_id: str | None = None) -> Kiosk:
    """A pending kiosk with a short code to show on its screen."""
    if site_id is not None and session.get(Site, site_id) is None:
        raise errors.UnknownSite(f"no site {site_id!r}")
    kiosk = Kiosk(id=f"k-{secrets.token_hex(4)}", name=name[:200], status="pending",
                  kind=kind if kind in rules.KIOSK_KINDS else rules.KIOSK_KINDS[0],
                  site_id=site_id, pairing_code=rules.pairing_code())
    session.add(kiosk)
    session.flush()
    return kiosk


def _pending_or_conflict(session: Session, kiosk_id: str, now: datetime, ttl_s: float) -> Kiosk:
    kiosk = kiosk_or_404(session, kiosk_id)
    # a kiosk past its pairing time is expired even before the sweep has marked it
    if kiosk.status == "expired" or (kiosk.status == "pending" and rules.pairing_expired(
            kiosk.created_at, now, ttl_s)):
        raise errors.PairingExpired(f"kiosk {kiosk_id} waited more than {ttl_s:g} s for approval; "
                                    f"it pairs again with a new code")
    if kiosk.status != "pending":
        raise errors.Conflict(f"kiosk {kiosk_id} is {kiosk.status}, not pending")
    return kiosk


def approve(session: Session, kiosk_id: str, actor: str, code: str, *, site_id: str | None = None,
            zone_id: str | None = None, group: str | None = None, now: datetime | None = None,
            ttl_s: float = 600) -> str:
    """Approve a pending kiosk whose screen shows ``code``; returns its new token (shown once)."""
    kiosk = _pending_or_conflict(session, kiosk_id, now or utcnow(), ttl_s)
    if not rules.pairing_code_matches(code, kiosk.pairing_code):
        raise errors.PairingCodeMismatch(f"{code!r} is not the code on the screen of kiosk {kiosk_id}")
    site_id = site_id or kiosk.site_id
    if site_id is not None and session.get(Site, site_id) is None:
        raise errors.UnknownSite(f"no site {site_id!r}")
    if zone_id is not None:
        if site_id is None:
            raise errors.UnknownZone(f"zone {zone_id!r} needs a site_id")
        if zone_id not in {z.zone_id for z in current_zones(session, site_id)}:
            raise errors.UnknownZone(f"no zone {zone_id!r} at site {site_id!r}")
    token = new_token("kt")
    kiosk.status, kiosk.token_hash, kiosk.pairing_code = "approved", hash_token(token), None
    kiosk.site_id = site_id
    kiosk.zone_id, kiosk.group = zone_id or kiosk.zone_id, group or kiosk.group
    audit.record(session, actor, "approve_kiosk", kiosk_id)
    return token


def reject(session: Session, kiosk_id: str, actor: str) -> None:
    """Remove a pending kiosk."""
    kiosk = kiosk_or_404(session, kiosk_id)
    if kiosk.status != "pending":
        raise errors.Conflict(f"kiosk {kiosk_id} is {kiosk.status}, not pending")
    session.delete(kiosk)
    audit.record(session, actor, "reject_kiosk", kiosk_id, name=kiosk.name)


def expire_pairings(session: Session, now: datetime, ttl_s: float) -> list[Kiosk]:
    """Pending kiosks past their pairing time expire (their code is cleared); expired ones go
    after a day. Returns the kiosks that expired now."""
    cutoff = now - timedelta(seconds=ttl_s)
    session.execute(delete(Kiosk).where(Kiosk.status == "expired",
                                        Kiosk.created_at <= cutoff - timedelta(days=1)))
    stale = list(session.scalars(select(Kiosk).where(Kiosk.status == "pending",
                                                     Kiosk.created_at <= cutoff)))
    for kiosk in stale:
        kiosk.status, kiosk.pairing_code = "expired", None
    session.flush()
    return stale


def revoke(session: Session, kiosk_id: str, actor: str) -> None:
    kiosk = kiosk_or_404(session, kiosk_id)
    kiosk.status, kiosk.token_hash, kiosk.online = "revoked", None, False
    session.execute(update(KioskCommand).where(KioskCommand.kiosk_id == kiosk_id,
                                               KioskCommand.status.in_(rules.OPEN_STATUSES))
                    .values(status="failed", result={"error": "kiosk revoked"}))
    audit.record(session, actor, "revoke_kiosk", kiosk_id)


@dataclass(frozen=True)
class Change:
    """A command that moved to ``status`` (``error``: the kiosk's, when it failed)."""

    id: str
    kiosk_id: str
    seq: int
    action: str
    status: str
    at: datetime
    error: str | None = None


@dataclass(frozen=True)
class Issued:
    id: str
    kiosk_id: str
    seq: int
    action: str
    args: dict[str, Any]


def issue(session: Session, actor: str, action: str, args: dict[str, Any], *,
          kiosk_id: str | None = None, group: str | None = None, exclude: list[str] | None = None,
          ttl_s: float = 300, now: datetime | None = None) -> list[Issued]:
    """Queue one command for each target kiosk, each with the kiosk's next sequence number."""
    # the action and args are valid already: server/services/commands.py validates every command
    try:
        refs = [rules.KioskRef(*row) for row in session.execute(
            select(Kiosk.id, Kiosk.group, Kiosk.status))]
        targets = rules.resolve_targets(refs, kiosk_id=kiosk_id, group=group, exclude=exclude or [])
    except rules.CommandRejected as exc:
        raise errors.InvalidContent(str(exc)) from None
    if kiosk_id and not targets:
        kiosk = session.get(Kiosk, kiosk_id)
        raise (errors.NotFound(f"no kiosk {kiosk_id!r}") if kiosk is None
               else errors.Conflict(f"kiosk {kiosk_id} is {kiosk.status}"))
    now = now or utcnow()
    expires = now + timedelta(seconds=ttl_s)
    # one statement hands out the sequence numbers, atomically, whatever the number of kiosks
    # (driver-level statements: building SQLAlchemy statements with hundreds of parameters
    # cost more than the database's work when one command goes to hundreds of kiosks)
    bulk = Bulk(session)
    seqs = dict(bulk.select_in("UPDATE kiosks SET next_seq = next_seq + 1 WHERE id IN ({in}) "
                               "RETURNING id, next_seq - 1", (), targets))
    issued = [Issued(f"c-{secrets.token_hex(8)}", kid, int(seqs[kid]), action, args)
              for kid in targets]
    if issued:
        fixed = (action, bulk.json(args), actor, bulk.ts(now), bulk.ts(expires), 0, "pending")
        bulk.insert("kiosk_commands", ("id", "kiosk_id", "seq", "action", "args", "issued_by",
                                       "created_at", "expires_at", "attempts", "status"),
                    [(c.id, c.kiosk_id, c.seq, *fixed) for c in issued])
    audit.record(session, actor, "command", kiosk_id or f"group:{group}", action=action, args=args,
                 kiosks=targets, exclude=exclude or [])
    return issued


def claim_for_sending(session: Session, issued: list[Issued], connected: Collection[str],
                      now: datetime) -> list[Issued]:
    """Of commands just issued, those that may go out at once on this process's connections:
    the kiosk is connected here and has no other command pending (so sequence order and the
    in-flight bound hold without reading the queue back). They are marked sent."""
    # (status 'sent' before the emit: the emit follows the commit at once, and a command that
    # misses its connection after all is sent again on the next one, as any sent command is)
    local = {c.id: c for c in issued if c.kiosk_id in connected}
    if not local:
        return []
    bulk = Bulk(session)
    claimed = bulk.select_in(
        "UPDATE kiosk_commands SET status = 'sent', sent_at = ?, attempts = attempts + 1 "
        "WHERE NOT EXISTS (SELECT 1 FROM kiosk_commands AS other WHERE other.kiosk_id = "
        "kiosk_commands.kiosk_id AND other.status IN ('pending', 'sent') "
        "AND other.id <> kiosk_commands.id) AND id IN ({in}) "
        "RETURNING id", (bulk.ts(now),), list(local))
    return [local[cid] for cid, in claimed]


def payload(command: Issued | KioskCommand) -> dict[str, Any]:
    return {"id": command.id, "seq": command.seq, "action": command.action, "args": command.args}


def pending(session: Session, kiosk_id: str, now: datetime) -> list[KioskCommand]:
    """Unacknowledged, unexpired commands of a kiosk, oldest first."""
    return list(session.scalars(select(KioskCommand).where(
        KioskCommand.kiosk_id == kiosk_id, KioskCommand.status.in_(rules.OPEN_STATUSES),
        KioskCommand.expires_at > now).order_by(KioskCommand.seq)))


def acknowledge_through(session: Session, kiosk_id: str, last_seq: int,
                        now: datetime) -> list[Change]:
    """A reconnecting kiosk says it has executed everything up to ``last_seq``; returns the
    commands that this acknowledged."""
    c = COMMANDS.c
    done = session.execute(update(COMMANDS).where(
        c.kiosk_id == kiosk_id, c.status.in_(rules.OPEN_STATUSES), c.seq <= last_seq)
        .values(status="acked", acked_at=now).returning(c.id, c.seq, c.action)).all()
    session.execute(update(Kiosk).where(Kiosk.id == kiosk_id, Kiosk.acked_seq < last_seq)
                    .values(acked_seq=last_seq))
    return [Change(cid, kiosk_id, seq, action, "acked", now) for cid, seq, action in done]


def record_acks(session: Session, acks: list[tuple[str, Any, datetime]]) -> list[Change]:
    """Record a batch of kiosk acks (command id, response, when) in one transaction; returns
    each command's new status."""
    if not acks:
        return []
    by_id = {cid: (response, when) for cid, response, when in acks}
    c = COMMANDS.c
    rows = session.execute(select(c.id, c.kiosk_id, c.seq, c.action).where(
        c.id.in_(list(by_id)), c.status.in_(rules.OPEN_STATUSES))).all()
    updates: list[dict[str, Any]] = []
    changes: list[Change] = []
    acked_seq: dict[str, int] = {}
    loads: dict[str, tuple[int, str]] = {}  # kiosk -> its newest acknowledged load_scene
    for cid, kid, seq, action in rows:
        response, when = by_id[cid]
        ok = isinstance(response, dict) and response.get("ok") is True
        result = response if isinstance(response, dict) else {"ok": False, "error": "no ack"}
        updates.append({"b_id": cid, "status": "acked" if ok else "failed", "acked_at": when,
                        "result": result})
        changes.append(Change(cid, kid, seq, action, "acked" if ok else "failed", when,
                              None if ok else failure(result)))
        if seq > acked_seq.get(kid, 0):
            acked_seq[kid] = seq
        if ok and action == "load_scene" and seq > loads.get(kid, (0, ""))[0]:
            loads[kid] = (seq, cid)
    # one statement each, executed for many rows: a statement per kiosk cost more than the
    # database's work when 500 kiosks acknowledged one command together
    bulk = Bulk(session)
    bulk.execute_many("UPDATE kiosk_commands SET status = ?, acked_at = ?, result = ? WHERE id = ?",
                      [(u["status"], bulk.ts(u["acked_at"]), bulk.json(u["result"]), u["b_id"])
                       for u in updates])
    bulk.execute_many("UPDATE kiosks SET acked_seq = ? WHERE id = ? AND acked_seq < ?",
                      [(s, k, s) for k, s in acked_seq.items()])
    kiosks = cast(Table, Kiosk.__table__)
    if loads:
        args = dict(session.execute(select(c.id, c.args).where(
            c.id.in_([cid for _, cid in loads.values()]))).all())
        session.connection().execute(update(kiosks).where(kiosks.c.id == bindparam("b_id"))
                     .values(experience_id=bindparam("b_exp")),
                     [{"b_id": k, "b_exp": (args.get(cid) or {}).get("experience_id")}
                      for k, (_, cid) in loads.items()])
    return changes


def failure(result: dict[str, Any]) -> str:
    """The kiosk's reason for refusing a command, as one line of text."""
    error = result.get("error")
    return str(error)[:500] if error is not None else "refused without a reason"


def mark_sent(session: Session, command_ids: list[str], now: datetime) -> None:
    """Commands emitted on a kiosk's connection now; one answered meanwhile keeps its answer."""
    c = COMMANDS.c
    session.execute(update(COMMANDS).where(
        c.id.in_(command_ids), c.status.in_(rules.OPEN_STATUSES))
        .values(status="sent", sent_at=now, attempts=c.attempts + 1))


def expire(session: Session, now: datetime) -> list[Change]:
    """Commands not acknowledged within their TTL expire; returns them."""
    c = COMMANDS.c
    gone = session.execute(update(COMMANDS).where(
        c.status.in_(rules.OPEN_STATUSES), c.expires_at <= now).values(status="expired")
        .returning(c.id, c.kiosk_id, c.seq, c.action)).all()
    return [Change(cid, kid, seq, action, "expired", now) for cid, kid, seq, action in gone]


def set_online(session: Session, kiosk_id: str, online: bool, now: datetime) -> Alert | None:
    """Record an online/offline change; going offline raises an alert, coming back clears it."""
    kiosk = session.get(Kiosk, kiosk_id)
    if kiosk is None or kiosk.online == online:
        return None
    if not online:
        alerts = set_offline(session, [kiosk], now)
        return alerts[0] if alerts else None
    kiosk.online, kiosk.last_seen = True, now
    session.add(KioskPresence(kiosk_id=kiosk_id, online=True, ts=now))
    if kiosk.site_id is None:
        return None
    open_alerts = list(session.scalars(select(Alert).where(
        Alert.kind == "kiosk_offline", Alert.subject == kiosk_id, Alert.state == "raised")))
    for alert in open_alerts:
        alert.state, alert.cleared_at = "cleared", now
    return open_alerts[-1] if open_alerts else None


def set_offline(session: Session, kiosks: list[Kiosk], now: datetime) -> list[Alert]:
    """Kiosks gone silent: each goes offline, with a history row and (if it belongs to a site)
    an alert, written in one flush however many went at once (a network outage takes them all)."""
    alerts = []
    for kiosk in kiosks:
        kiosk.online = False
        session.add(KioskPresence(kiosk_id=kiosk.id, online=False, ts=now))
        if kiosk.site_id is not None:
            alerts.append(Alert(site_id=kiosk.site_id, zone_id=kiosk.zone_id, kind="kiosk_offline",
                                subject=kiosk.id, state="raised", raised_at=now,
                                message=f"kiosk {kiosk.name or kiosk.id} is offline (no heartbeat)"))
    session.add_all(alerts)
    session.flush()
    return alerts


def store_heartbeats(session: Session, beats: dict[str, dict[str, Any]]) -> None:
    """Write the latest heartbeat of each kiosk (batched by the hub)."""
    if not beats:
        return
    table = cast(Table, Kiosk.__table__)
    session.connection().execute(
        update(table).where(table.c.id == bindparam("b_id")).values(
            last_seen=bindparam("b_ts"), scene=bindparam("b_scene"), state=bindparam("b_state"),
            fps=bindparam("b_fps"), experience_id=bindparam("b_exp")),
        [{"b_id": kid, "b_ts": b["ts"], "b_scene": b.get("scene"), "b_state": b.get("state"),
          "b_fps": b.get("fps"), "b_exp": b.get("experience_id")} for kid, b in beats.items()])


def store_session_event(session: Session, kiosk: Kiosk, event: dict[str, Any], *,
                        now: datetime | None = None) -> bool:
    """Store a visitor-session event once, received ``now`` (default: the server's clock);
    True if it was new."""
    experience = session.get(Experience, event["experience_id"]) if event.get(
        "experience_id") else None
    bulk = Bulk(session)
    # event ids are unique per kiosk: the (kiosk_id, event_id) index answers at once
    before = bulk.select_in("SELECT event_id FROM kiosk_session_events WHERE kiosk_id = ? "
                            "AND event_id IN ({in})", (kiosk.id,), [event["event_id"]])
    if before:
        return False
    bulk.insert("kiosk_session_events",
                ("event_id", "kiosk_id", "session_id", "event", "experience_id", "zone_id",
                 "substitute_for", "hotspot_id", "completion", "ts", "received_at"),
                [(event["event_id"], kiosk.id, event["session_id"], event["event"],
                  event.get("experience_id"), kiosk.zone_id,
                  experience.substitute_for if experience else None, event.get("hotspot_id"),
                  event.get("completion"), bulk.ts(event["ts"]), bulk.ts(now or utcnow()))])
    return True
