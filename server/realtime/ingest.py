"""/ingest: gateways stream position and reading batches with an API token; each batch is acked
with the same answer the REST endpoints give, or with the error envelope."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_socketio import Namespace

from server import errors, ingest
from server.auth import _token_principal


class IngestNamespace(Namespace):
    def __init__(self, namespace: str, limiter: Any) -> None:
        super().__init__(namespace)
        self.limiter = limiter
        self.principals: dict[str, str] = {}

    def trigger_event(self, event: str, *args: Any) -> Any:
        if event not in ("connect", "disconnect") and not self.limiter.allow(args[0]):
            return {"ok": False, "error": {"code": "rate_limited", "message": "too many batches"}}
        return super().trigger_event(event, *args)

    def on_connect(self, auth: Any = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        if not isinstance(token, str):
            raise ConnectionRefusedError("unauthorized")
        try:
            principal = _token_principal(token)
        except errors.Unauthenticated:
            raise ConnectionRefusedError("unauthorized") from None
        if not principal.may("ingest"):
            raise ConnectionRefusedError("this token's role may not ingest")
        self.principals[request.sid] = principal.name  # type: ignore[attr-defined]

    def on_disconnect(self, reason: Any = None) -> None:
        self.principals.pop(request.sid, None)  # type: ignore[attr-defined]
        self.limiter.forget(request.sid)  # type: ignore[attr-defined]

    def on_positions(self, data: Any = None) -> dict[str, Any]:
        """{"site_id", "positions": [...]} -> {"ok", "accepted", "duplicates", "results"}."""
        return self._batch(ingest.record_positions, data)

    def on_readings(self, data: Any = None) -> dict[str, Any]:
        """{"site_id", "readings": [...]} -> {"ok", "accepted", "duplicates", "alerts"}."""
        return self._batch(ingest.record_readings, data)

    def _batch(self, record: Any, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict) or not isinstance(data.get("site_id"), str):
            return {"ok": False, "error": {"code": "bad_request",
                                           "message": "send an object with site_id"}}
        body = {k: v for k, v in data.items() if k != "site_id"}
        try:
            return {"ok": True, **record(current_app.extensions["lantern"], data["site_id"], body)}
        except errors.LanternError as exc:
            return {"ok": False, "error": {"code": exc.code, "message": exc.message}}
