"""Batches from gateways, the same whether they arrive over REST or the /ingest namespace.

This is the front door's side of ingestion: parse, refuse event times outside the accepted
window (server/domain/event_window.py), then hand the batch to the use cases, which take an
injected clock and no window.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from server import errors
from server.domain.event_window import EventWindow
from server.schemas import PositionsBatch, ReadingsIn
from server.schemas.validation import parse_body
from server.services import preservation
from server.services.presence import store_positions
from server.storage.bulk import epoch_seconds
from server.storage.models import Site, utcnow

if TYPE_CHECKING:
    from server.app import LanternState


def event_window(settings: dict[str, Any]) -> EventWindow:
    """The window of accepted event times, from the settings."""
    return EventWindow(float(settings["LANTERN_EVENT_MAX_FUTURE_S"]),
                       float(settings["LANTERN_EVENT_MAX_AGE_S"]))


def check_event_times(window: EventWindow, kind: str, event_ids: Sequence[str],
                      times: Sequence[float], now: float | None = None) -> None:
    """Refuse the whole batch, naming its events, if any time lies outside ``window``."""
    now = time.time() if now is None else now
    bad = window.outside(times, now)
    if not bad:
        return
    details = [{"index": i, "event_id": event_ids[i], "ts": _iso(times[i]),
                "offset_s": round(times[i] - now, 3)} for i in bad]
    named = ", ".join(f"{kind}[{d['index']}] ({d['event_id']}) at {d['ts']}" for d in details[:5])
    more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
    raise errors.EventTimeOutOfWindow(
        f"{len(bad)} event time(s) outside the accepted window ({window.describe()}): "
        f"{named}{more}; the batch was not stored", details=details)


def _iso(epoch: float) -> str:
    try:
        return datetime.fromtimestamp(epoch, UTC).isoformat()
    except (OverflowError, ValueError, OSError):
        return f"{epoch:.0f} s from 1970"


def record_positions(state: LanternState, site_id: str, body: Any) -> dict[str, Any]:
    """Validate, classify and store a positions batch (JSON bytes or parsed), fold it into
    presence; tell the hub if anyone moved; answer per event."""
    if not isinstance(body, (dict, bytes, bytearray)):
        raise errors.BadRequest("send a JSON object: {\"positions\": [...]}")
    items = parse_body(PositionsBatch, body)["positions"]
    epochs = epoch_seconds([r["ts"] for r in items])
    check_event_times(event_window(state.settings), "positions", [r["event_id"] for r in items],
                      epochs.tolist())
    book = state.presence
    with book.lock:  # from INSERT to fold: a flush's checkpoint never passes an unfolded event
        with state.db.transaction() as session:
            site = session.get(Site, site_id)
            if site is None:
                raise errors.NotFound(f"no site {site_id!r}")
            zones = state.zone_index.get(session, site)
            debounce_s = float(site.config.get("debounce_s", 10))
            result = store_positions(session, zones, items,
                                     max_batch=state.settings["LANTERN_MAX_BATCH"],
                                     stored_ts=book.stored_ts, epochs=epochs)
        moves = book.fold(site_id, result.fresh, debounce_s)
    if moves:
        state.hub.occupancy_changed(site_id)
    return {"accepted": result.accepted, "duplicates": result.duplicates,
            "results": result.results}


def record_readings(state: LanternState, site_id: str, body: Any) -> dict[str, Any]:
    """Validate and store a readings batch, deciding alerts; answer counts and alert changes."""
    if not isinstance(body, dict):
        raise errors.BadRequest("send a JSON object: {\"readings\": [...]}")
    items = parse_body(ReadingsIn, body)["readings"]
    now = utcnow()
    check_event_times(event_window(state.settings), "readings", [r["event_id"] for r in items],
                      [r["ts"].timestamp() for r in items], now.timestamp())
    result = preservation.record_readings(
        state.db, site_id, items, max_batch=state.settings["LANTERN_MAX_BATCH"], now=now,
        horizon_s=float(state.settings["LANTERN_ALERT_HORIZON_S"]),
        on_zone_change=state.live.zone_changed, on_readings=state.live.readings,
        on_alert=state.live.alert)
    return {"accepted": result.accepted, "duplicates": result.duplicates, "alerts": result.alerts}
