"""The hub: this process's kiosk connections, command delivery with retry, and operator updates.

Commands live in the database; the process that holds a kiosk's connection delivers them (only it
can receive the kiosk's ack). Another process that issues a command wakes the owner through the
bus. A background loop retries unacknowledged commands, expires old ones, writes heartbeats in
batches, marks silent kiosks offline, ends sessions whose time is up and sends operators at most
one occupancy update per site per interval and a few command-status updates a second.

What a kiosk's status says beyond its row (how it renders, when its last screenshot was taken)
is kept in memory by every process, told to the others over the bus.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.domain.fleet import OPEN_STATUSES
from server.realtime.bus import RedisBus
from server.realtime.command_status import CommandStatusFeed
from server.realtime.inflight import InFlight
from server.realtime.loop_health import LoopHealth
from server.services import fleet
from server.services.fleet import Change
from server.services.preservation import alert_dict
from server.services.screenshots import screenshot_times
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
        self.render: dict[str, dict[str, Any]] = {}  # online kiosk -> its render facts
        self.screenshot_at: dict[str, str] = {}  # kiosk -> when its last screenshot was taken
        self.command_status = CommandStatusFeed(
            lambda data: self.to_operators("command_status", data))
        self.lock = threading.Lock()
        self.bus = RedisBus(settings["SOCKETIO_MESSAGE_QUEUE"]) if settings.get(
            "SOCKETIO_MESSAGE_QUEUE") else None
        # what the app registers (server/app.py): see on_start, every_second, on_token_revoked,
        # emit_occupancy_with and add_step
        self.start_tasks: list[Callable[[], Any]] = []
        self.second_tasks: list[Callable[[Session, datetime], Any]] = []
        self.token_listeners: list[Callable[[int], None]] = []
        self.occupancy_emitter: Callable[[str], None] | None = None
        self.alert_listener: Callable[[dict[str, Any]], None] = partial(self.to_operators, "alert")
        self.health = LoopHealth()
        # the loop's steps: (name, every how many seconds, f()); each runs on its own, so one
        # that fails does not hold up the others, and health reports each one
        self.steps: list[tuple[str, float, Callable[[], Any]]] = [
            ("command_acks", 0.0, self.flush_acks),
            ("heartbeat_flush", 0.5, self._flush_beats),
            ("occupancy_emit", float(settings["LANTERN_OCCUPANCY_EMIT_S"]), self._emit_occupancy),
            ("command_delivery", 1.0, lambda: self.tick(utcnow())),
            ("command_status", 0.25, self.command_status.send),
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

    def alert_with(self, listener: Callable[[dict[str, Any]], None]) -> None:
        """``listener(alert)`` hears the alerts the hub raises and clears (kiosks offline):
        by default operators only; the app adds the webhook."""
        self.alert_listener = listener

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        if self._started:
            return
        self._started = True
        with self.db.open_session() as session:
            self.screenshot_at.update(screenshot_times(session))
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
        elif kind == "disconnect":
            self._disconnect(message["kiosk_id"])
        elif kind == "revoke_token":
            self._token_dropped(int(message["token_id"]))
        elif kind == "facts":
            self._facts(message["kiosk_id"], **{k: message[k] for k in ("render", "screenshot_at")
                                                if k in message})
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
            gone = self.local.get(kiosk_id) == sid
            if gone:
                del self.local[kiosk_id]
                self.last_beat.pop(kiosk_id, None)
        self.inflight.forget(sid)
        if gone and kiosk_id in self.render:
            self.tell_facts(kiosk_id, render=None)

    def heartbeat(self, kiosk_id: str, beat: dict[str, Any]) -> None:
        with self.lock:
            self.beats[kiosk_id] = self.last_beat[kiosk_id] = {**beat, "ts": utcnow()}
        render = beat.get("render")
        if render is not None and self.render.get(kiosk_id) != render:  # news only on a change
            self.tell_facts(kiosk_id, render=render)

    # -- what a status says beyond the kiosk's row ------------------------------------------
    def tell_facts(self, kiosk_id: str, **facts: Any) -> None:
        """Record a kiosk's ``render`` facts (None: gone offline) or ``screenshot_at`` here,
        and in every other process."""
        self._facts(kiosk_id, **facts)
        if self.bus is not None:
            self.bus.publish({"type": "facts", "kiosk_id": kiosk_id, **facts})

    def _facts(self, kiosk_id: str, render: Any = False, screenshot_at: Any = None) -> None:
        with self.lock:
            if render is None:
                self.render.pop(kiosk_id, None)
            elif render is not False:
                self.render[kiosk_id] = render
            if screenshot_at is not None:
                self.screenshot_at[kiosk_id] = screenshot_at

    def status(self, kiosk: Kiosk) -> dict[str, Any]:
        """The kiosk's status as operators see it: its row, its render facts while online and
        the time of its last screenshot (``GET /api/v1/kiosks`` lists these)."""
        with self.lock:
            render = self.render.get(kiosk.id) if kiosk.online else None
            taken = self.screenshot_at.get(kiosk.id)
        return kiosk_status(kiosk, screenshot_at=taken, render=render)

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
        targets_of = {sid: k for k, sid in targets.items()}
        now = utcnow()
        sent: list[tuple[str, dict[str, Any]]] = []
        c = KioskCommand.__table__.c
        with self.db.transaction() as session:
            rows = session.execute(select(c.id, c.kiosk_id, c.seq, c.action, c.args)
                                   .where(c.kiosk_id.in_(list(targets)),
                                          c.status.in_(OPEN_STATUSES), c.expires_at > now)
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
                fleet.mark_sent(session, [d["id"] for _, d in sent], now)
        self._emit_commands(sent)
        self._sent([(targets_of[sid], data) for sid, data in sent], now)
        return len(sent)

    def send_now(self, commands: Iterable[dict[str, Any]]) -> int:
        """Emit commands already claimed for sending (``fleet.claim_for_sending``) to the kiosks
        connected here; one that finds no room on its connection waits for ``deliver``."""
        sent, kiosks = [], []
        for command in commands:
            sid = self.local.get(command["kiosk_id"])
            data = {k: command[k] for k in ("id", "seq", "action", "args")}
            if sid is not None and self.inflight.claim(sid, data):
                sent.append((sid, data))
                kiosks.append(command["kiosk_id"])
        self._emit_commands(sent)
        if sent:
            self.socketio.sleep(0)  # the connections write them now, before the caller goes on
        self._sent(list(zip(kiosks, (data for _, data in sent), strict=True)), utcnow())
        return len(sent)

    def _sent(self, sent: list[tuple[str, dict[str, Any]]], now: datetime) -> None:
        self.commands_changed(Change(d["id"], kid, d["seq"], d["action"], "sent", now)
                              for kid, d in sent)

    def commands_changed(self, changes: Iterable[Change]) -> None:
        """Tell operators, in the next ``command_status``, that these commands moved on."""
        self.command_status.add(changes)

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
                changes = fleet.record_acks(session, acks)
            self.commands_changed(changes)

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

    def disconnect(self, kiosk_id: str) -> None:
        """Close the kiosk's connection, here and in every other process (its token changed:
        it comes back with the new one, or not at all); pending commands stay pending."""
        self._disconnect(kiosk_id)
        if self.bus is not None:
            self.bus.publish({"type": "disconnect", "kiosk_id": kiosk_id})

    def _disconnect(self, kiosk_id: str) -> None:
        sid = self.local.get(kiosk_id)
        if sid:
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
            self.commands_changed(fleet.expire(session, now))
            self.expire_pairings(session, now)
            silent = list(session.scalars(select(Kiosk).where(
                Kiosk.online.is_(True), Kiosk.last_seen < now - timedelta(seconds=offline_after))))
            alerts = fleet.set_offline(session, silent, now) if silent else []
            for kiosk in silent:
                self.announce(kiosk)
            for alert in alerts:
                self.alert_listener(alert_dict(alert, "raised"))
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
                        self.alert_listener(alert_dict(alert, "cleared"))
                self.announce(kiosk, only_changes=True)  # operators hear of changes, not beats

    def announce(self, kiosk: Kiosk, only_changes: bool = False) -> None:
        """Tell operators how a kiosk is now. Its scene, state and fps come from its latest
        heartbeat when that is newer than the row the caller read: heartbeats are stored half
        a second late, and a status built from an older read would otherwise show a scene the
        kiosk has left, and keep showing it (later beats of the same scene are not news)."""
        status = self.status(kiosk)
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


BEAT_FIELDS = ("scene", "state", "fps", "experience_id")  # what a heartbeat reports (and stores)


def kiosk_status(kiosk: Kiosk, *, screenshot_at: str | None = None,
                 render: dict[str, Any] | None = None) -> dict[str, Any]:
    """A kiosk as operators see it; ``Hub.status`` adds what only the hub knows."""
    return {"kiosk_id": kiosk.id, "site_id": kiosk.site_id, "name": kiosk.name, "kind": kiosk.kind,
            "status": kiosk.status, "online": kiosk.online, "scene": kiosk.scene,
            "state": kiosk.state, "fps": kiosk.fps, "experience_id": kiosk.experience_id,
            "featured": kiosk.featured, "zone_id": kiosk.zone_id, "group": kiosk.group,
            "lon": kiosk.lon, "lat": kiosk.lat,
            # the code is shown on the kiosk's own screen only: an operator who approves must
            # read it there, so a flood of pending kiosks cannot be approved from the panel
            "pairing_code": None,
            "last_seen": kiosk.last_seen.isoformat() if kiosk.last_seen else None,
            "screenshot_at": screenshot_at, "render": render}
