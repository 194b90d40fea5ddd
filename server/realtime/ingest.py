"""/ingest: gateways stream position and reading batches with an API token; each batch is acked
with the same answer the REST endpoints give, or refused with the error ack of every namespace
(server/realtime/packets.py).

A socket lives no longer than its token: revoking the token closes it at once (through the hub,
in every process), and each batch re-checks a token last checked more than ``RECHECK_S`` ago,
so a revocation made elsewhere (the CLI without a message queue) or an expiry ends it too."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from flask import current_app, request
from flask_socketio import ConnectionRefusedError, Namespace  # its message reaches the client

from server import errors
from server.realtime.packets import AnswersErrors, refusal
from server.services import intake as ingest
from server.services.tokens import holder_of
from server.storage.models import ApiToken, utcnow

RECHECK_S = 5.0


@dataclass
class _Gateway:
    name: str
    token_id: int
    checked: float


class IngestNamespace(AnswersErrors, Namespace):
    def __init__(self, namespace: str, limiter: Any) -> None:
        super().__init__(namespace)
        self.limiter = limiter
        self.gateways: dict[str, _Gateway] = {}  # sid -> who sent it

    def trigger_event(self, event: str, *args: Any) -> Any:
        if event not in ("connect", "disconnect") and not self.limiter.allow(args[0]):
            return refusal("rate_limited", "too many batches")
        return super().trigger_event(event, *args)

    def on_connect(self, auth: Any = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        if not isinstance(token, str) or len(token) > 200:
            raise ConnectionRefusedError("unauthorized")
        try:
            holder = holder_of(current_app.extensions["lantern"].db, token)
        except errors.Unauthenticated:
            raise ConnectionRefusedError("unauthorized") from None
        if not holder.principal.may("ingest"):
            raise ConnectionRefusedError("this token's role may not ingest")
        self.gateways[request.sid] = _Gateway(holder.principal.name, holder.token_id,  # type: ignore[attr-defined]
                                              time.monotonic())

    def on_disconnect(self, reason: Any = None) -> None:
        self.gateways.pop(request.sid, None)  # type: ignore[attr-defined]
        self.limiter.forget(request.sid)  # type: ignore[attr-defined]

    def drop_token(self, token_id: int) -> None:
        """Close every socket opened with ``token_id`` (it was revoked)."""
        for sid, gateway in list(self.gateways.items()):
            if gateway.token_id == token_id:
                self.gateways.pop(sid, None)
                self.socketio.server.disconnect(sid, namespace=self.namespace)

    def _close_soon(self, sid: str) -> None:
        self.socketio.sleep(0.2)
        self.socketio.server.disconnect(sid, namespace=self.namespace)

    def on_positions(self, data: Any = None) -> dict[str, Any]:
        """{"site_id", "positions": [...]} -> {"ok", "accepted", "duplicates", "results"}."""
        return self._batch(ingest.record_positions, data)

    def on_readings(self, data: Any = None) -> dict[str, Any]:
        """{"site_id", "readings": [...]} -> {"ok", "accepted", "duplicates", "alerts"}."""
        return self._batch(ingest.record_readings, data)

    def _still_valid(self, sid: str) -> bool:
        gateway = self.gateways.get(sid)
        if gateway is None:
            return False
        if time.monotonic() - gateway.checked < RECHECK_S:
            return True
        with current_app.extensions["lantern"].db.open_session() as session:
            row = session.get(ApiToken, gateway.token_id)
        now = utcnow()
        if row is None or row.revoked_at is not None or (
                row.expires_at is not None and now >= row.expires_at):
            return False
        gateway.checked = time.monotonic()
        return True

    def _batch(self, record: Any, data: Any) -> dict[str, Any]:
        sid = request.sid  # type: ignore[attr-defined]
        if not self._still_valid(sid):
            self.gateways.pop(sid, None)
            self.socketio.start_background_task(self._close_soon, sid)  # after this ack is out
            raise errors.Unauthenticated("the API token is revoked or expired")
        if not isinstance(data, dict) or not isinstance(data.get("site_id"), str):
            raise errors.BadRequest("send an object with site_id")
        body = {k: v for k, v in data.items() if k != "site_id"}
        return {"ok": True, **record(current_app.extensions["lantern"], data["site_id"], body)}
