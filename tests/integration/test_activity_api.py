"""A site's recent activity (what the panel's feed shows again after a reload) and the history
of its zones' states. On SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from flask import Flask

from server.services.fleet import store_session_event
from server.storage.models import Kiosk
from tests.conftest import bearer

SITE = "testsite"


class Caller:
    def __init__(self, app: Flask, venue_tokens: dict[str, str]) -> None:
        self.client, self.venue_tokens = app.test_client(), venue_tokens

    def name(self, role: str) -> str:
        """Who a token's caller is in the audit log."""
        return f"token:{self.venue_tokens[role][:8]}"

    def post(self, path: str, body: dict[str, Any], role: str = "operator") -> Any:
        response = self.client.post(f"/api/v1{path}", json=body, headers=bearer(self.venue_tokens[role]))
        assert response.status_code in (200, 201, 202), response.get_json()
        return response.get_json()

    def get(self, path: str, role: str = "viewer", **query: Any) -> Any:
        url = f"/api/v1{path}" + (f"?{urlencode(query)}" if query else "")
        return self.client.get(url, headers=bearer(self.venue_tokens[role]))


def test_the_activity_feed_lists_what_concerns_the_site_newest_first(
        venue: Flask, venue_tokens: dict[str, str]) -> None:
    call, db = Caller(venue, venue_tokens), venue.extensions["lantern"].db
    kiosk = call.post("/kiosks", {"site_id": SITE, "lon": 100.0, "lat": 29.999, "kind": "vr"},
                      role="admin")["kiosk_id"]
    with db.transaction() as session:  # a kiosk of no site: its commands are not this site's
        session.add(Kiosk(id="k-elsewhere", site_id=None, status="approved"))
    call.post(f"/kiosks/{kiosk}/commands", {"action": "play", "args": {}})
    call.post("/kiosks/k-elsewhere/commands", {"action": "pause", "args": {}})
    call.post("/commands", {"group": "*", "action": "pause", "args": {}})
    call.post(f"/sites/{SITE}/zones/t-hall-02/state", {"state": "closed", "reason": "repairs"})
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    [alert] = call.post(f"/sites/{SITE}/sensor-readings", {"readings": [
        {"event_id": f"r{i}", "sensor_id": "t-s-01", "co2_ppm": 1700,
         "ts": (start + timedelta(seconds=30 * i)).isoformat()} for i in range(3)]},
        role="ingest")["alerts"]
    call.post(f"/alerts/{alert['id']}/ack", {})
    with db.transaction() as session:
        store_session_event(session, session.get_one(Kiosk, kiosk), {
            "event_id": "e1", "event": "started", "session_id": "s1",
            "experience_id": "t-intro", "ts": datetime.now(UTC)})
    call.post(f"/kiosks/{kiosk}/revoke", {})

    response = call.get(f"/sites/{SITE}/activity")
    assert response.status_code == 200, response.get_json()
    activity = response.get_json()["activity"]
    times = [datetime.fromisoformat(e["at"]) for e in activity]
    assert times == sorted(times, reverse=True)
    seen = [(e["kind"], e["actor"], e["subject"], e["details"]) for e in activity]
    admin, operator = call.name("admin"), call.name("operator")
    assert ("kiosk", operator, kiosk, {"action": "revoke", "kiosk_id": kiosk}) == seen[0]
    assert ("session", kiosk, "s1", {
        "event": "started", "kiosk_id": kiosk, "session_id": "s1", "experience_id": "t-intro",
        "substitute_for": None, "hotspot_id": None, "completion": None}) == seen[1]
    assert ("alert", operator, "t-cave-01", {
        "change": "acknowledged", "alert_id": alert["id"], "zone_id": "t-cave-01",
        "metric": "co2_ppm:max"}) == seen[2]
    assert ("zone_state", "system", "t-cave-01", {
        "zone_id": "t-cave-01", "state": "closed", "reason": "microclimate: co2_ppm"}) in seen
    assert ("zone_state", operator, "t-hall-02", {
        "zone_id": "t-hall-02", "state": "closed", "reason": "repairs"}) in seen
    commands = [(who, d["action"], d.get("kiosk_id"), d.get("group"))
                for kind, who, _, d in seen if kind == "command"]
    assert (operator, "pause", None, "*") in commands and (operator, "play", kiosk, None) in commands
    assert all(d.get("kiosk_id") != "k-elsewhere" for _, _, _, d in seen)
    assert ("system:rule:cave-closed", "load_scene", kiosk, None) in commands  # the substitute
    raised = [d for kind, _, _, d in seen if kind == "alert" and d["change"] == "raised"]
    assert [(d["alert_id"], d["alert_kind"], d["metric"]) for d in raised] == [
        (alert["id"], "microclimate", "co2_ppm")]
    assert ("kiosk", admin, kiosk, {"action": "create", "kiosk_id": kiosk}) in seen
    assert seen[-1][0] == "alert" and seen[-1][3]["change"] == "raised"  # dated by its reading
    assert [e["kind"] for e in call.get(f"/sites/{SITE}/activity", limit=3)
            .get_json()["activity"]] == ["kiosk", "session", "alert"]


def test_the_activity_feed_refuses_an_unknown_site_and_a_bad_limit(
        venue: Flask, venue_tokens: dict[str, str]) -> None:
    call = Caller(venue, venue_tokens)
    assert call.get("/sites/atlantis/activity").status_code == 404
    assert call.get(f"/sites/{SITE}/activity", limit=0).status_code == 422
    assert call.get(f"/sites/{SITE}/activity", limit=501).status_code == 422
    assert call.get(f"/sites/{SITE}/activity").get_json() == {"activity": []}


def test_zone_state_history_lists_changes_newest_first_with_the_state_the_window_opens_on(
        venue: Flask, venue_tokens: dict[str, str]) -> None:
    call = Caller(venue, venue_tokens)
    for zone, state in (("t-hall-02", "closed"), ("t-cave-01", "restricted"),
                        ("t-hall-02", "open")):
        call.post(f"/sites/{SITE}/zones/{zone}/state", {"state": state, "reason": f"to {state}"})
    history = call.get(f"/sites/{SITE}/zone-states/history").get_json()
    operator = call.name("operator")
    assert [(c["zone_id"], c["state"], c["changed_by"]) for c in history["changes"]] == [
        ("t-hall-02", "open", operator), ("t-cave-01", "restricted", operator),
        ("t-hall-02", "closed", operator)]
    assert history["before"] == []
    first = history["changes"][-1]
    hall = call.get(f"/sites/{SITE}/zone-states/history", zone="t-hall-02",
                    limit=1).get_json()["changes"]
    assert [(c["state"], c["reason"]) for c in hall] == [("open", "to open")]
    later = call.get(f"/sites/{SITE}/zone-states/history", **{
        "from": (datetime.fromisoformat(first["at"]) + timedelta(microseconds=1)).isoformat()})
    body = later.get_json()
    assert [c["state"] for c in body["changes"]] == ["open", "restricted"]
    assert body["before"] == [first]  # the hall was closed as the window opened
    assert call.get("/sites/atlantis/zone-states/history").status_code == 404
    backwards = call.get(f"/sites/{SITE}/zone-states/history",
                         **{"from": "2026-01-02T00:00:00Z", "to": "2026-01-01T00:00:00Z"})
    assert backwards.status_code == 200 and backwards.get_json()["changes"] == []
    assert call.get(f"/sites/{SITE}/zone-states/history", to="1700000000").status_code == 422
