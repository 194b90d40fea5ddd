"""Sensor readings in; microclimate alerts listed and acknowledged."""

from __future__ import annotations

from flask import jsonify, request
from spectree import Response

from server import errors
from server.api import api, lantern
from server.auth import current_principal, require
from server.extensions import api_spec
from server.schemas import (
    AlertChange,
    AlertList,
    AlertQuery,
    ErrorEnvelope,
    ReadingsIn,
    ReadingsOut,
)
from server.services import preservation
from server.services.intake import record_readings

ERRORS = {f"HTTP_{s}": ErrorEnvelope for s in (400, 401, 403, 404, 413, 422)}

@api.post("/sites/<site_id>/sensor-readings")
@require("ingest")
@api_spec.validate(json=ReadingsIn, resp=Response(HTTP_200=ReadingsOut, **ERRORS),
                   tags=["preservation"], skip_validation=True)  # validated once, in record_readings
def post_readings(site_id: str):  # type: ignore[no-untyped-def]
    """Store readings once per event_id; answers counts and the alert changes they caused."""
    body = request.get_json(silent=True)
    if body is None:
        raise errors.BadRequest("send a JSON body: {\"readings\": [...]}")
    return jsonify(record_readings(lantern(), site_id, body))


@api.get("/sites/<site_id>/alerts")
@require("read")
@api_spec.validate(query=AlertQuery, resp=Response(HTTP_200=AlertList, **ERRORS),
                   tags=["preservation"])
def get_alerts(site_id: str):  # type: ignore[no-untyped-def]
    """The site's alerts, newest first (?state=raised|cleared|all, default raised), filtered
    by kind, zone, acknowledgement and when they were raised."""
    query: AlertQuery = request.context.query  # type: ignore[attr-defined]
    with lantern().db.open_session() as session:
        return {"alerts": preservation.list_alerts(
            session, site_id, query.state, query.limit, kind=query.kind, zone=query.zone,
            acknowledged=query.acknowledged, start=query.from_, end=query.to)}


@api.post("/alerts/<int:alert_id>/ack")
@require("operate")
@api_spec.validate(resp=Response(HTTP_200=AlertChange, **ERRORS), tags=["preservation"])
def ack_alert(alert_id: int):  # type: ignore[no-untyped-def]
    """Acknowledge an alert: records who and when; acknowledging twice changes nothing."""
    principal = current_principal()
    assert principal is not None
    with lantern().db.transaction() as session:
        alert, changed = preservation.acknowledge(session, alert_id, principal.name)
    if changed:
        preservation.call_hook(lantern().live.alert, alert)
    return alert if changed else {**alert, "change": "none"}
