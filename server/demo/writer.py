"""The history's side of the database: every write goes through the server's use cases, with
the history's clock, as the front doors would hand them over (without the front doors' event
time window, which would refuse the past).

Positions (in the position gateway's process, server/demo/gateway.py): ``store_positions``,
then the presence book's fold, written behind by its flush; visitors who stopped reporting
leave through ``expire_visitors``, as the live sweep does.
Readings: ``record_readings``, whose alert rules close and reopen caves. An alert moves only
when a run of readings beyond its limit (to raise), or back inside by its hysteresis (to
clear), spans its hold time; the desk follows those runs as the rules do and holds a zone's
readings until one completes, then sends them all, so the rules decide at that reading's
time, as live. The quiet stretches (most of the time) go in large batches. Capacity alerts: ``occupancy``
and ``sync_capacity_alerts``. Kiosk sessions: ``store_session_event``. Zone states:
``set_zone_state``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import select

from server.domain.alerts import Rule, rules_from_thresholds
from server.services.fleet import store_session_event
from server.services.presence import (
    expire_visitors,
    occupancy,
    store_positions,
    sync_capacity_alerts,
)
from server.services.preservation import ZoneChange, record_readings
from server.services.zones import set_zone_state
from server.storage.database import Database
from server.storage.models import Alert, Experience, Kiosk
from server.storage.presence_book import PresenceBook
from server.storage.zone_index import SiteZones

QUIET_BATCH = 20_000  # readings held before they are sent together anyway


class PositionDesk:
    """Writes one site's positions and presence (in the position gateway's process)."""

    def __init__(self, db: Database, zones: SiteZones, book: PresenceBook) -> None:
        self.db, self.zones, self.book = db, zones, book
        self.site_id = zones.site_id
        self.debounce_s = float(zones.config.get("debounce_s", 10))
        self.timeout_s = float(zones.config.get("visitor_timeout_s", 900))
        self.counts = {"positions": 0, "duplicates": 0, "exits": 0}

    def positions(self, items: list[dict[str, Any]], epochs: np.ndarray) -> None:
        if not items:
            return
        book = self.book
        with book.lock:  # as the front door: from INSERT to fold
            with self.db.transaction() as session:
                result = store_positions(session, self.zones, items, max_batch=len(items),
                                         stored_ts=book.stored_ts, epochs=epochs)
            book.fold(self.site_id, result.fresh, self.debounce_s)
        self.counts["positions"] += result.accepted
        self.counts["duplicates"] += result.duplicates

    def sweep(self, now: datetime) -> None:
        """Write presence, then let go of the visitors last seen ``visitor_timeout_s`` before
        ``now``, as the live loop's sweep would at that time."""
        with self.book.exclusive():
            self.book.flush()
            with self.db.transaction() as session:
                self.counts["exits"] += expire_visitors(session, self.site_id, now,
                                                        self.timeout_s)
            self.book.forget_before(self.site_id, now - timedelta(seconds=self.timeout_s))


class SiteDesk:
    """Writes the rest of one site's history: readings, alerts, zone states, kiosk sessions."""

    def __init__(self, db: Database, zones: SiteZones) -> None:
        self.db, self.zones = db, zones
        self.site_id = zones.site_id
        self.rules: dict[str, list[Rule]] = {
            zid: rules_from_thresholds((z["properties"] or {}).get("thresholds"))
            for zid, z in zones.zones.items()}
        self.held: dict[str, list[dict[str, Any]]] = {}
        self.open_alerts: dict[str, set[str]] = {}
        self.runs: dict[tuple[str, str], datetime | None] = {}  # (zone, rule) -> run's start
        self.capacity_open = False
        self.counts = {"readings": 0, "alerts": 0, "session_events": 0}
        with db.open_session() as session:
            for zone_id, subject in session.execute(select(Alert.zone_id, Alert.subject).where(
                    Alert.site_id == self.site_id, Alert.kind == "microclimate",
                    Alert.state == "raised")):
                self.open_alerts.setdefault(zone_id or "", set()).add(subject or "")

    def capacity_alerts(self, now: datetime) -> None:
        """Raise or clear the alerts of closed (or no-access) zones with visitors inside
        (presence must be written first: the gateway's ``sync``)."""
        with self.db.transaction() as session:
            rows = occupancy(session, self.zones)
            changed = sync_capacity_alerts(session, self.zones, rows, now)
        self.counts["alerts"] += sum(1 for _, change in changed if change == "raised")
        self.capacity_open = any(r["capacity"] == 0 and r["count"] > 0 for r in rows)

    # -- readings -------------------------------------------------------------------------
    def readings(self, by_zone: dict[str, list[dict[str, Any]]], now: datetime) -> list[ZoneChange]:
        """Hand over one round of readings; returns the zone changes the rules decided."""
        send: list[dict[str, Any]] = []
        for zone_id, items in by_zone.items():
            items = sorted(items, key=lambda r: r["event_id"])  # as the rules read them
            self.held.setdefault(zone_id, []).extend(items)
            if self._completes(zone_id, items):
                send += self.held.pop(zone_id)
        changes = self._send(send, now) if send else []
        if sum(map(len, self.held.values())) >= QUIET_BATCH:
            changes += self.flush_readings(now)
        return changes

    def flush_readings(self, now: datetime) -> list[ZoneChange]:
        held = [r for items in self.held.values() for r in items]
        self.held.clear()
        return self._send(held, now) if held else []

    def _completes(self, zone_id: str, items: list[dict[str, Any]]) -> bool:
        """Follow each rule's run as ``evaluate`` does (every reading of a run beyond the limit,
        or back inside it while the alert is open); True when a run spans the hold time, so
        that the rules raise or clear now."""
        open_ = self.open_alerts.get(zone_id, set())
        due = False
        for rule in self.rules.get(zone_id, []):
            moves = rule.back_inside if rule.subject in open_ else rule.beyond
            start = self.runs.get((zone_id, rule.subject))
            for item in items:
                value = item.get(rule.metric)
                if value is None:
                    continue
                if not moves(value):
                    start = None
                    continue
                start = start or item["ts"]
                due = due or (item["ts"] - start).total_seconds() >= rule.hold_s
            self.runs[(zone_id, rule.subject)] = start
        return due

    def _send(self, items: list[dict[str, Any]], now: datetime) -> list[ZoneChange]:
        result = record_readings(self.db, self.site_id, items, max_batch=len(items), now=now)
        self.counts["readings"] += result.accepted
        for alert in result.alerts:
            zone_id = alert["zone_id"] or ""
            subjects = self.open_alerts.setdefault(zone_id, set())
            self.runs.pop((zone_id, alert["subject"]), None)  # a change starts the runs anew
            if alert["change"] == "raised":
                subjects.add(alert["subject"])
                self.counts["alerts"] += alert["kind"] == "microclimate"
            else:
                subjects.discard(alert["subject"])
        return result.zone_changes

    # -- zones and kiosks -----------------------------------------------------------------
    def set_state(self, zone_id: str, state: str, reason: str, now: datetime) -> None:
        with self.db.transaction() as session:
            set_zone_state(session, self.site_id, zone_id, state, reason, "history", now=now)

    def session_events(self, events: list[tuple[str, dict[str, Any]]]) -> None:
        """Store ``(kiosk id, event)`` pairs, each received when it happened."""
        if not events:
            return
        with self.db.transaction() as session:
            # held here: the session keeps only weak references, and the use case reads the
            # experience of every event
            experiences = session.scalars(select(Experience).where(
                Experience.site_id == self.site_id)).all()
            kiosks: dict[str, Kiosk | None] = {}
            for kiosk_id, event in events:
                if kiosk_id not in kiosks:
                    kiosks[kiosk_id] = session.get(Kiosk, kiosk_id)
                kiosk = kiosks[kiosk_id]
                if kiosk is not None and store_session_event(session, kiosk, event,
                                                             now=event["ts"]):
                    self.counts["session_events"] += 1
            del experiences
