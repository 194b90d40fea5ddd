"""/kiosk: kiosks connect with their token (or to pair), send heartbeats and session events."""

from __future__ import annotations

import re
import time
from typing import Any, TypeVar

from flask import request

# (this ConnectionRefusedError reaches the client with its message; the builtin one would
# be answered with a generic "Connection refused by server")
from flask_socketio import ConnectionRefusedError, Namespace, join_room
from pydantic import BaseModel, Field, ValidationError

from server import errors
from server.domain.fleet import MAX_SEQ
from server.realtime.hub import Hub, kiosk_status
from server.realtime.packets import AnswersErrors, error_ack, refusal
from server.schemas.fleet import RenderFacts
from server.schemas.presence import Timestamp
from server.services import fleet
from server.services.intake import check_event_times, event_window
from server.services.kiosks import kiosk_for_token
from server.storage.models import Kiosk, utcnow


class Heartbeat(BaseModel):
    scene: str | None = Field(default=None, max_length=128)
    state: str | None = Field(default=None, max_length=16)
    fps: float | None = Field(default=None, ge=0, le=1000)
    session_id: str | None = Field(default=None, max_length=128)
    experience_id: str | None = Field(default=None, max_length=128)
    render: RenderFacts | None = None  # optional: older kiosks do not send it


class SessionEvent(BaseModel):
    event_id: str = Field(min_length=1, max_length=128)
    event: str = Field(pattern="^(started|hotspot|ended)$")
    session_id: str = Field(min_length=1, max_length=128)
    experience_id: str | None = Field(default=None, max_length=128)
    ts: Timestamp
    hotspot_id: str | None = Field(default=None, max_length=128)
    completion: float | None = Field(default=None, ge=0, le=1)


class RateLimiter:
    """A token bucket per connection: ``rate`` events a second, bursts up to twice that."""

    def __init__(self, rate: float) -> None:
        self.rate, self.buckets = rate, {}  # type: ignore[var-annotated]

    def allow(self, sid: str) -> bool:
        now = time.monotonic()
        tokens, last = self.buckets.get(sid, (2 * self.rate, now))
        tokens = min(2 * self.rate, tokens + (now - last) * self.rate)
        if tokens < 1:
            self.buckets[sid] = (tokens, now)
            return False
        self.buckets[sid] = (tokens - 1, now)
        return True

    def forget(self, sid: str) -> None:
        self.buckets.pop(sid, None)


RATE = re.compile(r"(?P<amount>\d+)\s*(?:/|per)\s*(?P<multiple>\d+)?\s*"
                  r"(?P<unit>second|minute|hour|day)s?")
UNIT_S = {"second": 1.0, "minute": 60.0, "hour": 3600.0, "day": 86400.0}


def parse_rate(text: str) -> tuple[int, float]:
    """A rate such as ``"5 per minute"`` or ``"10/hour"`` as (attempts, seconds)."""
    try:
        from limits import parse
    except ImportError:  # not installed: the common forms are read here
        return read_rate(text)
    try:
        item = parse(text)
    except ValueError:
        raise ValueError(f"cannot read the rate {text!r}; write it like '5 per minute'") from None
    return int(item.amount), float(item.get_expiry())


def read_rate(text: str) -> tuple[int, float]:
    """``parse_rate`` without the ``limits`` package."""
    match = RATE.fullmatch(text.strip().lower())
    if match is None or int(match["amount"]) < 1:
        raise ValueError(f"cannot read the rate {text!r}; write it like '5 per minute'")
    return int(match["amount"]), int(match["multiple"] or 1) * UNIT_S[match["unit"]]


class AttemptLimiter:
    """A token bucket per client address: ``amount`` attempts, refilled over ``per_s`` seconds."""

    def __init__(self, amount: int, per_s: float) -> None:
        self.amount, self.refill = amount, amount / per_s  # attempts regained a second
        self.buckets: dict[str, tuple[float, float]] = {}  # address -> (attempts left, when)

    def wait(self, address: str) -> float:
        """Take one attempt for ``address``: 0 if allowed, else the seconds until the next one."""
        now = time.monotonic()
        left, last = self.buckets.get(address, (float(self.amount), now))
        left = min(float(self.amount), left + (now - last) * self.refill)
        if left < 1:
            self.buckets[address] = (left, now)
            return (1 - left) / self.refill
        self.buckets[address] = (left - 1, now)
        if len(self.buckets) > 10_000:  # many addresses: forget those whose bucket is full again
            self.buckets = {a: (n, t) for a, (n, t) in self.buckets.items()
                            if n + (now - t) * self.refill < self.amount}
        return 0.0


class KioskNamespace(AnswersErrors, Namespace):
    def __init__(self, namespace: str, hub: Hub) -> None:
        super().__init__(namespace)
        self.hub = hub
        self.limiter = RateLimiter(float(hub.settings["LANTERN_SOCKET_RATE"]))
        self.pairing_limiter = AttemptLimiter(*parse_rate(hub.settings["LANTERN_PAIRING_RATE"]))
        self.kiosk_of: dict[str, str] = {}  # sid -> kiosk id

    def trigger_event(self, event: str, *args: Any) -> Any:
        if event not in ("connect", "disconnect") and not self.limiter.allow(args[0]):
            return refusal("rate_limited", "rate limited")
        if event == "heartbeat":
            # the busiest event touches only memory: no Flask request context for it (building
            # one cost a quarter of the server's time under 100 kiosks' heartbeats), so it is
            # outside Flask-SocketIO's error handler and answers its errors itself
            try:
                return self.heartbeat(*args)
            except errors.LanternError as exc:
                return error_ack(exc)
        return super().trigger_event(event, *args)

    def on_connect(self, auth: Any = None) -> None:
        if not isinstance(auth, dict):
            raise ConnectionRefusedError("unauthorized")
        if auth.get("pair") is True:
            return self._pair(auth)
        kiosk_id, token = auth.get("kiosk_id"), auth.get("token")
        if not isinstance(kiosk_id, str) or not isinstance(token, str):
            raise ConnectionRefusedError("unauthorized")
        last_seq = auth.get("last_seq", 0)
        if isinstance(last_seq, bool) or not isinstance(last_seq, int) or not 0 <= last_seq < MAX_SEQ:
            raise ConnectionRefusedError("last_seq must be a whole number from 0 to 2**62 - 1")
        with self.hub.db.transaction() as session:
            kiosk = kiosk_for_token(session, kiosk_id, token)
            if kiosk is None:
                raise ConnectionRefusedError("unauthorized")
            now = utcnow()
            acked = fleet.acknowledge_through(session, kiosk_id, last_seq, now)
            fleet.set_online(session, kiosk_id, True, now)
            kiosk.last_seen = now
        self.hub.commands_changed(acked)
        sid = request.sid  # type: ignore[attr-defined]
        self.kiosk_of[sid] = kiosk_id
        join_room(f"kiosk:{kiosk_id}")
        self.hub.connected(kiosk_id, sid)
        # replay after the handshake completes: emits from inside connect may precede it
        self.hub.socketio.start_background_task(self._replay, kiosk_id)
        return None

    def _replay(self, kiosk_id: str) -> None:
        self.hub.socketio.sleep(0.05)
        self.hub.deliver([kiosk_id])

    def _pair(self, auth: dict[str, Any]) -> None:
        address = request.remote_addr or "?"
        wait_s = self.pairing_limiter.wait(address)
        if wait_s > 0:
            raise ConnectionRefusedError(f"too many pairing attempts from {address}; "
                                         f"try again in {wait_s:.0f} s")
        site = auth.get("site")
        if site is not None and not isinstance(site, str):
            raise ConnectionRefusedError("site must be a site id")
        with self.hub.db.transaction() as session:
            try:
                kiosk = fleet.start_pairing(session, str(auth.get("name", ""))[:200],
                                            str(auth.get("kind", "exhibition")), site)
            except errors.LanternError as exc:
                raise ConnectionRefusedError(f"cannot pair: {exc.message}") from None
            kiosk_id, code = kiosk.id, kiosk.pairing_code
            status = kiosk_status(kiosk)
        join_room(f"pair:{kiosk_id}")
        self.hub.pairing[kiosk_id] = request.sid  # type: ignore[attr-defined]
        self.hub.to_operators("kiosk_status", status)
        self.hub.socketio.start_background_task(self._send_code, request.sid, kiosk_id, code)  # type: ignore[attr-defined]

    def _send_code(self, sid: str, kiosk_id: str, code: str) -> None:
        self.hub.socketio.sleep(0.05)
        self.hub.socketio.emit("pairing", {"kiosk_id": kiosk_id, "code": code,
                                           "expires_in": self.hub.settings["LANTERN_PAIRING_TTL_S"]},
                               to=sid, namespace="/kiosk")

    def on_disconnect(self, reason: Any = None) -> None:
        sid = request.sid  # type: ignore[attr-defined]
        self.limiter.forget(sid)
        for pending, psid in list(self.hub.pairing.items()):
            if psid == sid:
                self.hub.pairing.pop(pending, None)
        kiosk_id = self.kiosk_of.pop(sid, None)
        if kiosk_id:
            self.hub.disconnected(kiosk_id, sid)

    def heartbeat(self, sid: str, data: Any = None, *_: Any) -> dict[str, Any]:
        kiosk_id = self.kiosk_of.get(sid)
        if kiosk_id is None:
            raise errors.Unauthenticated("not a paired kiosk")
        beat = _valid(Heartbeat, data)
        self.hub.heartbeat(kiosk_id, beat.model_dump())
        return {"ok": True}

    def on_session(self, data: Any = None) -> dict[str, Any]:
        kiosk_id = self.kiosk_of.get(request.sid)  # type: ignore[attr-defined]
        if kiosk_id is None:
            raise errors.Unauthenticated("not a paired kiosk")
        event = _valid(SessionEvent, data)
        # refused with its code: the kiosk's outbox drops an event refused for good instead of
        # resending it forever
        check_event_times(event_window(self.hub.settings), "session", [event.event_id],
                          [event.ts.timestamp()])
        with self.hub.db.transaction() as session:
            kiosk = session.get(Kiosk, kiosk_id)
            assert kiosk is not None
            new = fleet.store_session_event(session, kiosk, event.model_dump())
        if new:
            self.hub.to_operators("session_event", {"kiosk_id": kiosk_id,
                                                    **event.model_dump(mode="json")})
        return {"ok": True, "duplicate": not new}


Model = TypeVar("Model", bound=BaseModel)


def _valid(model: type[Model], data: Any) -> Model:
    """``data`` as ``model``, or InvalidContent naming its first problem."""
    try:
        return model.model_validate(data or {})
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in err["loc"]) or "data"
        raise errors.InvalidContent(f"{where}: {err['msg']}") from None
