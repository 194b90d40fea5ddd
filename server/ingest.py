"""Batches from gateways, the same whether they arrive over REST or the /ingest namespace."""

from __future__ import annotations

from typing import Any

from server import errors, preservation
from server.models import Site
from server.positions import store_positions
from server.schemas import PositionsBatch, ReadingsIn
from server.validation import parse_body


def record_positions(state: Any, site_id: str, body: Any) -> dict[str, Any]:
    """Validate, classify and store a positions batch (JSON bytes or parsed), fold it into
    presence; tell the hub if anyone moved; answer per event."""
    if not isinstance(body, (dict, bytes, bytearray)):
        raise errors.BadRequest("send a JSON object: {\"positions\": [...]}")
    items = parse_body(PositionsBatch, body)["positions"]
    book = state.services["presence"]
    with book.lock:  # from INSERT to fold: a flush's checkpoint never passes an unfolded event
        with state.db.session() as session:
            site = session.get(Site, site_id)
            if site is None:
                raise errors.NotFound(f"no site {site_id!r}")
            zones = state.services["zone_index"].get(session, site)
            debounce_s = float(site.config.get("debounce_s", 10))
            result = store_positions(session, zones, items,
                                     max_batch=state.settings["LANTERN_MAX_BATCH"],
                                     stored_ts=book.stored_ts)
        moves = book.fold(site_id, result.fresh, debounce_s)
    hub = state.services.get("hub")
    if hub is not None and moves:
        hub.occupancy_changed(site_id)
    return {"accepted": result.accepted, "duplicates": result.duplicates,
            "results": result.results}


def record_readings(state: Any, site_id: str, body: Any) -> dict[str, Any]:
    """Validate and store a readings batch, deciding alerts; answer counts and alert changes."""
    if not isinstance(body, dict):
        raise errors.BadRequest("send a JSON object: {\"readings\": [...]}")
    items = parse_body(ReadingsIn, body)["readings"]
    no_op = preservation.no_op
    result = preservation.record_readings(
        state.db, site_id, items, max_batch=state.settings["LANTERN_MAX_BATCH"],
        on_zone_change=state.services.get("on_zone_change") or no_op,
        on_alert=state.services.get("on_alert") or no_op)
    return {"accepted": result.accepted, "duplicates": result.duplicates, "alerts": result.alerts}
