"""Wiring of the live venue: what happens when occupancy, zones, alerts or the clock move."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.domain.content import featured_experience
from server.realtime.hub import Hub
from server.services import fleet
from server.services.presence import (
    DailyVisitors,
    expire_visitors,
    occupancy,
    occupancy_report,
    sync_capacity_alerts,
)
from server.services.preservation import alert_dict
from server.services.webhook import AlertWebhook
from server.storage.models import Experience, Kiosk, Site, utcnow
from server.storage.presence_book import PresenceBook
from server.storage.zone_index import ZoneIndexCache, live_states

log = logging.getLogger(__name__)
READINGS_PER_EMIT = 2000  # readings of one site in one `readings` event, at most (the newest)


class LiveVenue:
    """Connects the hub to occupancy, content rules, zone changes, alerts, sensor readings and
    session timers."""

    def __init__(self, hub: Hub, zone_index: ZoneIndexCache, presence: PresenceBook,
                 today: DailyVisitors | None = None, webhook: AlertWebhook | None = None) -> None:
        self.hub = hub
        self.zone_index = zone_index
        self.presence = presence
        self.today = today or DailyVisitors()
        self.webhook = webhook
        self._readings: dict[str, list[dict[str, Any]]] = {}  # site -> not yet told
        self._dropped: dict[str, int] = {}  # site -> readings left out of its next event
        self._readings_lock = threading.Lock()

    def flush_presence(self) -> None:
        if self.presence.due():
            self.presence.flush()

    def emit_occupancy(self, site_id: str) -> None:
        self.presence.flush()  # operators see every position acknowledged so far
        with self.hub.db.transaction() as session:
            site = session.get(Site, site_id)
            if site is None:
                return
            zones = self.zone_index.get(session, site)
            now = utcnow()
            report = occupancy_report(session, site, zones, self.today, now)
            rows = report["zones"]
            alerts = [alert_dict(alert, change) for alert, change
                      in sync_capacity_alerts(session, zones, rows, now, at_stop=True)]
            self.hub.to_operators("occupancy", report)
            woken = self.apply_content_rules(session, site, rows)
        for alert in alerts:  # told once the alert is stored
            self.alert(alert)
        if woken:
            self.hub.wake(woken)

    def apply_content_rules(self, session: Session, site: Site,
                            rows: list[dict[str, Any]] | None = None) -> list[str]:
        """Switch each kiosk of the site to the experience the rules now feature."""
        zones = self.zone_index.get(session, site)
        rules = site.config.get("content_rules") or []
        if not rules:
            return []
        states = live_states(session, zones)
        rows = rows if rows is not None else occupancy(session, zones)
        counts = {r["zone_id"]: r["count"] for r in rows}
        woken = []
        for kiosk in session.scalars(select(Kiosk).where(Kiosk.site_id == site.id,
                                                         Kiosk.status == "approved")):
            if kiosk.zone_id is None and kiosk.lon is not None and kiosk.lat is not None:
                kiosk.zone_id = zones.index.classify_one(kiosk.lon, kiosk.lat)
            if kiosk.zone_id is None or kiosk.zone_id not in zones.zones:
                continue
            feature, rule = featured_experience(rules, kiosk.zone_id,
                                                zones.index.ancestors(kiosk.zone_id), states, counts)
            if feature is None or feature == kiosk.featured:
                continue
            experience = session.get(Experience, feature)
            if experience is None:
                log.warning("content rule %s names unknown experience %s", rule, feature)
                continue
            kiosk.featured = feature
            issued = fleet.issue(session, f"system:rule:{rule}", "load_scene",
                                 {"experience_id": feature, "scene": experience.scene},
                                 kiosk_id=kiosk.id,
                                 ttl_s=float(self.hub.settings["LANTERN_COMMAND_TTL_S"]))
            now = utcnow()  # operators see the rule's command queued, then its delivery
            self.hub.commands_changed(fleet.Change(c.id, c.kiosk_id, c.seq, c.action, "pending",
                                                   now) for c in issued)
            woken.append(kiosk.id)
            self.hub.announce(kiosk)
        return woken

    def zone_changed(self, site_id: str, zone_id: str, state: str, reason: str | None,
                     changed_by: str = "system") -> None:
        """A zone opened or closed (by an operator, or by the preservation rules: ``system``):
        tell operators and re-run the content rules now."""
        self.hub.to_operators("zone_state", {"site_id": site_id, "zone_id": zone_id,
                                             "state": state, "reason": reason,
                                             "changed_by": changed_by})
        self.emit_occupancy(site_id)

    def alert(self, alert: dict[str, Any]) -> None:
        """Tell operators of an alert's change, and the venue's webhook of a raise or clear."""
        self.hub.to_operators("alert", alert)
        if self.webhook is not None:
            self.webhook.send(alert)

    def readings(self, site_id: str, rows: list[dict[str, Any]]) -> None:
        """Newly stored readings of a site (``record_readings``'s ``on_readings``): told to
        operators by ``emit_readings``, gathered meanwhile."""
        with self._readings_lock:
            gathered = self._readings.setdefault(site_id, [])
            gathered.extend(rows)
            if len(gathered) > READINGS_PER_EMIT:  # the newest are kept, in bounded memory
                self._dropped[site_id] = (self._dropped.get(site_id, 0)
                                          + len(gathered) - READINGS_PER_EMIT)
                del gathered[:-READINGS_PER_EMIT]

    def emit_readings(self) -> None:
        """One ``readings`` event per site with what arrived since the last: however many
        batches a gateway sends, operators get at most one a site per interval. A site that
        sent more than READINGS_PER_EMIT meanwhile is told the newest, and how many were left
        out (its charts read the rest over REST)."""
        with self._readings_lock:
            gathered, self._readings = self._readings, {}
            dropped, self._dropped = self._dropped, {}
        for site_id, rows in gathered.items():
            event: dict[str, Any] = {"site_id": site_id, "readings": rows}
            if dropped.get(site_id):
                event["dropped"] = dropped[site_id]
            self.hub.to_operators("readings", event)

    def expire_visitors(self) -> None:
        """Visitors who stopped reporting leave.

        Under the presence book's lock, after a flush: the database and this process's memory
        agree on who was last seen before the cutoff, and both forget them."""
        now = utcnow()
        with self.presence.exclusive():
            self.presence.flush()
            with self.hub.db.transaction() as session:
                timeouts = {site.id: float(site.config.get("visitor_timeout_s", 900))
                            for site in session.scalars(select(Site))}
                gone = [site_id for site_id, timeout in timeouts.items()
                        if expire_visitors(session, site_id, now, timeout)]
            for site_id, timeout in timeouts.items():
                self.presence.forget_before(site_id, now - timedelta(seconds=timeout))
        for site_id in gone:
            self.hub.occupancy_changed(site_id)

    def end_due_sessions(self, session: Session, now: datetime) -> None:
        from server.services.sessions import end_due

        woken = end_due(session, now, float(self.hub.settings["LANTERN_COMMAND_TTL_S"]))
        if woken:
            session.flush()
            self.hub.socketio.start_background_task(self.hub.wake, woken)
