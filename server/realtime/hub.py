"""The hub: this process's kiosk connections, command delivery with retry, and operator updates.

Commands live in the database; the process that holds a kiosk's connection delivers them (only it
can receive the kiosk's ack). Another process that issues a command wakes the owner through the
bus. A background loop retries unacknowledged commands, expires old ones, writes heartbeats in
batches, marks silent kiosks offline, ends sessions whose time is up and sends operators at most
one occupancy update per site per interval.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server.realtime.bus import RedisBus
from server.realtime.inflight import InFlight
from server.realtime.loop_health import LoopHealth
from server.services import fleet
from server.services.preservation import alert_dict
from server.storage.database import Database
from server.storage.models import Kiosk, KioskCommand, utcnow

log = logging.getLogger(__name__)
MAX_INFLIGHT = 32  # unacknowledged commands sent to one kiosk at a time


class Hub:
    def __init__(self, socketio: Any, db: Database, settings: dict[str, Any]) -> None:
        self.socketio = socketio
        self.db = db
        self.settings = settings
        self.local: dict[str, str] = {}  # kiosk id -> sid, connections held by this process
        self.pairing: dict[str, str] = {}  # pending kiosk id -> sid of its pairing connection
        self.inflight = InFlight(MAX_INFLIGHT, int(settings["LANTERN_KIOSK_INFLIGHT_BYTES"]))
        self.beats: dict[str, dict[str, Any]] = {}
        self.acks: list[tuple[str, Any, datetime]] = []
        self.shown: dict[str, dict[str, Any]] = {}  # last kiosk_status sent to operators
        self.last_beat: dict[str, dict[str, Any]] = {}  # each local kiosk's latest heartbeat
        self.dirty_sites: set[str] = set()
        self.lock = threading.Lock()
        self.bus = RedisBus(settings["SOCKETIO_MESSAGE_QUEUE"]) if settings.get(
            "SOCKETIO_MESSAGE_QUEUE") else None
        # what the app registers (server/app.py): see on_start, every_second, on_token_revoked,
        # emit_occupancy_with and add_step
        self.start_tasks: list[Callable[[], Any]] = []
        self.second_tasks: list[Callable[[Session, datetime], Any]] = []
        self.token_listeners: list[Callable[[int], None]] = []
        self.occupancy_emitter: Callable[[str], None] | None = None
        self.health = LoopHealth()
        # the loop's steps: (name, every how many seconds, f()); each runs on its own, so one
        # that fails does not hold up the others, and health reports each one
        self.steps: list[tuple[str, float, Callable[[], Any]]] = [
            ("command_acks", 0.0, self.flush_acks),
            ("heartbeat_flush", 0.5, self._flush_beats),
            ("occupancy_emit", float(settings["LANTERN_OCCUPANCY_EMIT_S"]), self._emit_occupancy),
            ("command_delivery", 1.0, lambda: self.tick(utcnow())),
        ]
        self._started = False

    # -- what the app registers -------------------------------------------------------------
    def add_step(self, name: str, every_s: float, step: Callable[[], Any]) -> None:
        """Run ``step`` in the loop every ``every_s`` seconds (0: every turn, about 0.1 s)."""
        self.steps.append((name, every_s, step))

    def on_start(self, task: Callable[[], Any]) -> None:
        """Run ``task`` once, before the loop starts."""
        self.start_tasks.append(task)

    def every_second(self, task: Callable[[Session, datetime], Any]) -> None:
        """Run ``task(session, now)`` once a second, in the session of the delivery tick."""
        self.second_tasks.append(task)

    def on_token_revoked(self, listener: Callable[[int], None]) -> None:
        """Tell ``listener(token_id)`` of each revoked API token, wherever it was revoked."""
        self.token_listeners.append(listener)

    def emit_occupancy_with(self, emitter: Callable[[str], None]) -> None:
        """``emitter(site_id)`` sends a site's occupancy, at most once per interval."""
        self.occupancy_emitter = emitter

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        if self._started:
            return
        self._started = True
        for task in self.start_tasks:
            task()
        self.socketio.start_background_task(self._loop)
        if self.bus is not None:
            self.socketio.start_background_task(self.bus.listen, self._on_bus, self.socketio.sleep)

    def _on_bus(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "wake":
            self.deliver(message.get("kiosks", []))
        elif kind == "revoke":
            self._drop(message["kiosk_id"])
        elif kind == "revoke_token":
            self._token_dropped(int(message["token_id"]))
        elif kind == "unpair":
            sid = self.pairing.pop(message["kiosk_id"], None)
            if sid is not None:
                self.socketio.server.disconnect(sid, namespace="/kiosk")

    # -- kiosk connections -------------------------------------------------------------------
    def connected(self, kiosk_id: str, sid: str) -> None:
        with self.lock:
            old = self.local.get(kiosk_id)
            self.local[kiosk_id] = sid
        if old and old != sid:
            self.socketio.server.disconnect(old, namespace="/kiosk")

    def disconnected(self, kiosk_id: str, sid: str) -> None:
        with self.lock:
            if self.local.get(kiosk_id) == sid:
                del self.local[kiosk_id]
                self.last_beat.pop(kiosk_id, None)
        self.inflight.forget(sid)

    def heartbeat(self, kiosk_id: str, beat: dict[str, Any]) -> None:
        with self.lock:
            self.beats[kiosk_id] = self.last_beat[kiosk_id] = {**beat, "ts": utcnow()}

    # -- commands ----------------------------------------------------------------------------
    def wake(self, kiosk_ids: Iterable[str]) -> None:
        """Deliver now the pending commands of these kiosks, wherever they are connected."""
        kiosk_ids = list(kiosk_ids)
        self.deliver(kiosk_ids)
        if self.bus is not None and any(k not in self.local for k in kiosk_ids):
            self.bus.publish({"type": "wake", "kiosks": [k for k in kiosk_ids
                                                        if k not in self.local]})

    def deliver(self, kiosk_ids: Iterable[str]) -> int:
        """Send the kiosks connected here, in sequence order, their pending commands not yet sent
        on their current connection, as far as the in-flight bounds allow; returns how many.

        A connection delivers a command or drops: sending it again on the same connection only
        piles copies up behind a kiosk that stopped reading. So a command goes again only on the
        kiosk's next connection.
        """
        targets = {k: self.local[k] for k in kiosk_ids if k in self.local}
        if not targets:
            return 0
        now = utcnow()
        sent: list[tuple[str, dict[str, Any]]] = []
        c = KioskCommand.__table__.c
        with self.db.transaction() as session:
            rows = session.execute(select(c.id, c.kiosk_id, c.seq, c.action, c.args)
                                   .where(c.kiosk_id.in_(list(targets)),
                                          c.status == "pending", c.expires_at > now)
                                   .order_by(c.kiosk_id, c.seq)).all()
            self.inflight.settle(targets.values(), {cid for cid, *_ in rows})
            full: set[str] = set()  # kiosks whose connection has no room left: order is kept
            for cid, kid, seq, action, args in rows:
                sid = targets[kid]
                if kid in full or self.inflight.was_sent(sid, cid):
                    continue
                data = {"id": cid, "seq": seq, "action": action, "args": args}
                if not self.inflight.claim(sid, data):
                    full.add(kid)
                    continue
                sent.append((sid, data))
            if sent:
                session.execute(update(KioskCommand).where(
                    KioskCommand.id.in_([d["id"] for _, d in sent]))
                    .values(sent_at=now, attempts=KioskCommand.attempts + 1))
        self._emit_commands(sent)
        return len(sent)

    def send_now(self, commands: Iterable[dict[str, Any]]) -> int:
        """Emit commands already claimed for sending (``fleet.claim_for_sending``) to the kiosks
        connected here; one that finds no room on its connection waits for ``deliver``."""
        sent = []
        for command in commands:
            sid = self.local.get(command["kiosk_id"])
            data = {k: command[k] for k in ("id", "seq", "action", "args")}
            if sid is not None and self.inflight.claim(sid, data):
                sent.append((sid, data))
        self._emit_commands(sent)
        if sent:
            self.socketio.sleep(0)  # the connections write them now, before the caller goes on
        return len(sent)

    def _emit_commands(self, sent: list[tuple[str, dict[str, Any]]]) -> None:
        for sid, data in sent:
            # python-socketio directly: Flask-SocketIO's wrapper would build a request context
            # for every ack, and the kiosk is connected to this very process
            self.socketio.server.emit("command", data, to=sid, namespace="/kiosk",
                                      callback=self._ack_callback(sid, data["id"]))

    def _ack_callback(self, sid: str, command_id: str):  # type: ignore[no-untyped-def]
        def on_ack(response: Any = None) -> None:
            # written in batches by the loop: one transaction for many acks
            with self.lock:
                self.acks.append((command_id, response, utcnow()))
            self.inflight.acked(sid, command_id)
        return on_ack

    def flush_acks(self) -> None:
        with self.lock:
            acks, self.acks = self.acks, []
        if acks:
            with self.db.transaction() as session:
                fleet.record_acks(session, acks)

    def paired(self, kiosk_id: str, token: str) -> None:
        """Hand an approved kiosk its token on its pairing connection, then close that."""
        self.socketio.emit("paired", {"kiosk_id": kiosk_id, "token": token},
                           to=f"pair:{kiosk_id}", namespace="/kiosk")
        self.socketio.start_background_task(self._close_pairing, kiosk_id)

    def pairing_ended(self, kiosk_id: str, status: str) -> None:
        """A pending kiosk was rejected or expired: its pairing connection closes (the kiosk then
        asks again with a new code), and operators get the partial ``kiosk_status`` that makes a
        panel read the fleet again."""
        self.to_operators("kiosk_status", {"kiosk_id": kiosk_id, "status": status})
        self.socketio.start_background_task(self._close_pairing, kiosk_id, 0.0)

    def expire_pairings(self, session: Session, now: datetime) -> None:
        """Pending kiosks past LANTERN_PAIRING_TTL_S expire."""
        for kiosk in fleet.expire_pairings(session, now, float(self.settings["LANTERN_PAIRING_TTL_S"])):
            self.pairing_ended(kiosk.id, "expired")

    def _close_pairing(self, kiosk_id: str, delay_s: float = 0.5) -> None:
        self.socketio.sleep(delay_s)
        sid = self.pairing.pop(kiosk_id, None)
        if sid is not None:
            self.socketio.server.disconnect(sid, namespace="/kiosk")
        elif self.bus is not None:
            self.bus.publish({"type": "unpair", "kiosk_id": kiosk_id})

    def revoke(self, kiosk_id: str) -> None:
        self._drop(kiosk_id)
        if self.bus is not None:
            self.bus.publish({"type": "revoke", "kiosk_id": kiosk_id})

    def _drop(self, kiosk_id: str) -> None:
        sid = self.local.get(kiosk_id)
        if sid:
            self.socketio.emit("revoked", {"kiosk_id": kiosk_id}, to=sid, namespace="/kiosk")
            self.socketio.server.disconnect(sid, namespace="/kiosk")

    def token_revoked(self, token_id: int) -> None:
        """An API token was revoked: close the sockets opened with it, here and elsewhere."""
        self._token_dropped(token_id)
        if self.bus is not None:
            self.bus.publish({"type": "revoke_token", "token_id": token_id})

    def _token_dropped(self, token_id: int) -> None:
        for listener in self.token_listeners:
            listener(token_id)

    # -- operators ---------------------------------------------------------------------------
    def to_operators(self, event: str, data: Any) -> None:
        self.socketio.emit(event, data, namespace="/control", to="operators")

    def occupancy_changed(self, site_id: str) -> None:
        with self.lock:
            self.dirty_sites.add(site_id)

    # -- the loop ----------------------------------------------------------------------------
    def _loop(self) -> None:
        started = time.monotonic()
        last = {name: started for name, _, _ in self.steps}
        for name, every_s, _ in self.steps:
            self.health.expect(name, max(every_s, 0.1))
        while True:
            self.socketio.sleep(0.1)
            for name, every_s, step in self.steps:
                now_m = time.monotonic()
                if now_m - last[name] >= every_s:
                    last[name] = now_m
                    self.health.run(name, step)

    def tick(self, now: datetime) -> None:
        """Once a second: deliver what now fits in flight, expire commands and pairings, mark
        silent kiosks offline, run the extra tasks (session timers)."""
        self.deliver(list(self.local))
        offline_after = float(self.settings["LANTERN_KIOSK_OFFLINE_AFTER_S"])
        with self.db.transaction() as session:
            fleet.expire(session, now)
            self.expire_pairings(session, now)
            silent = list(session.scalars(select(Kiosk).where(
                Kiosk.online.is_(True), Kiosk.last_seen < now - timedelta(seconds=offline_after))))
            alerts = fleet.set_offline(session, silent, now) if silent else []
            for kiosk in silent:
                self.announce(kiosk)
            for alert in alerts:
                self.to_operators("alert", alert_dict(alert, "raised"))
            for task in self.second_tasks:
                task(session, now)

    def _flush_beats(self) -> None:
        with self.lock:
            beats, self.beats = self.beats, {}
        if not beats:
            return
        with self.db.transaction() as session:
            fleet.store_heartbeats(session, beats)
            for kiosk in session.scalars(select(Kiosk).where(Kiosk.id.in_(list(beats)))):
                if not kiosk.online:
                    alert = fleet.set_online(session, kiosk.id, True, utcnow())
                    if alert is not None:
                        self.to_operators("alert", alert_dict(alert, "cleared"))
                self.announce(kiosk, only_changes=True)  # operators hear of changes, not beats

    def announce(self, kiosk: Kiosk, only_changes: bool = False) -> None:
        """Tell operators how a kiosk is now. Its scene, state and fps come from its latest
        heartbeat when that is newer than the row the caller read: heartbeats are stored half
        a second late, and a status built from an older read would otherwise show a scene the
        kiosk has left, and keep showing it (later beats of the same scene are not news)."""
        status = kiosk_status(kiosk)
        with self.lock:
            beat = self.last_beat.get(kiosk.id)
        if beat is not None and (kiosk.last_seen is None or beat["ts"] > kiosk.last_seen):
            status.update({field: beat.get(field) for field in BEAT_FIELDS},
                          last_seen=beat["ts"].isoformat())
        shown = {k: v for k, v in status.items() if k != "last_seen"}
        if only_changes and self.shown.get(kiosk.id) == shown:
            return
        self.shown[kiosk.id] = shown
        self.to_operators("kiosk_status", status)

    def _emit_occupancy(self) -> None:
        with self.lock:
            sites, self.dirty_sites = self.dirty_sites, set()
        emitter = self.occupancy_emitter
        failed: Exception | None = None
        for site_id in sites:
            if emitter is None:
                continue
            try:
                emitter(site_id)
            except Exception as exc:  # noqa: BLE001 - the other sites still hear; retried next turn
                failed = exc
                with self.lock:
                    self.dirty_sites.add(site_id)
        if failed is not None:
            raise failed


BEAT_FIELDS = ("scene", "state", "fps", "experience_id")  # what a heartbeat reports


def kiosk_status(kiosk: Kiosk) -> dict[str, Any]:
    return {"kiosk_id": kiosk.id, "site_id": kiosk.site_id, "name": kiosk.name,
            "status": kiosk.status, "online": kiosk.online, "scene": kiosk.scene,
            "state": kiosk.state, "fps": kiosk.fps, "experience_id": kiosk.experience_id,
            "featured": kiosk.featured, "zone_id": kiosk.zone_id, "group": kiosk.group,
            "lon": kiosk.lon, "lat": kiosk.lat,
            # the code is shown on the kiosk's own screen only: an operator who approves must
            # read it there, so a flood of pending kiosks cannot be approved from the panel
            "pairing_code": None,
            "last_seen": kiosk.last_seen.isoformat() if kiosk.last_seen else None}
