"""People where nobody may be: a no-access or closed zone with visitors inside raises one
capacity alert for operators, which clears when the zone is empty again or reopens."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from server.storage.models import Alert
from tests.conftest import FIXTURES, bearer, no_access_hall
from tests.helpers import CAVE, LiveServer, Operator, positions, wait_for

HALL = (50, -85)  # metres from the test site's centre: inside t-hall-02


@pytest.fixture
def mini_venues(mini_venues: Path) -> Path:
    return no_access_hall(mini_venues)


@pytest.fixture
def heard(loaded, monkeypatch):  # type: ignore[no-untyped-def]
    """What the live venue tells operators, by event name."""
    events: dict[str, list[Any]] = {}
    hub = loaded.extensions["lantern"].hub
    monkeypatch.setattr(hub, "to_operators",
                        lambda event, data: events.setdefault(event, []).append(data))
    monkeypatch.setattr(hub, "wake", lambda kiosks: None)
    return events


def capacity_alerts(db) -> list[tuple[str | None, str]]:  # type: ignore[no-untyped-def]
    with db.open_session() as session:
        return [(a.zone_id, a.state) for a in session.query(Alert).filter_by(kind="capacity")
                .order_by(Alert.id)]


def test_a_no_access_zone_with_visitors_raises_one_alert_until_it_is_empty(  # type: ignore[no-untyped-def]
        loaded, tokens, heard, db) -> None:
    client, live = loaded.test_client(), loaded.extensions["lantern"].live

    def send(items: list[dict[str, Any]]) -> None:
        response = client.post("/api/v1/sites/testsite/positions", json={"positions": items},
                               headers=bearer(tokens["ingest"]))
        assert response.status_code == 200, response.get_json()
        live.emit_occupancy("testsite")

    send(positions(3, *HALL, visitor="v"))
    send(positions(6, *HALL, visitor="v"))  # more visitors: the same alert stays open
    alerts = heard.get("alert", [])
    assert [(a["kind"], a["zone_id"], a["change"]) for a in alerts] == [
        ("capacity", "t-hall-02", "raised")]
    assert "no access" in alerts[0]["message"]
    assert capacity_alerts(db) == [("t-hall-02", "raised")]
    hall = {z["zone_id"]: z for z in heard["occupancy"][-1]["zones"]}["t-hall-02"]
    assert (hall["level"], hall["violations"]) == ("stop", 6)

    send(positions(6, 5000, 0, visitor="v"))  # everyone leaves the site ...
    assert [a["change"] for a in heard["alert"]] == ["raised"]
    send(positions(6, 5000, 0, visitor="v", later_s=15))  # ... and stays away past the debounce
    assert [a["change"] for a in heard["alert"]] == ["raised", "cleared"]
    assert capacity_alerts(db) == [("t-hall-02", "cleared")]


def test_closing_a_zone_with_visitors_inside_raises_an_alert_and_reopening_clears_it(  # type: ignore[no-untyped-def]
        loaded, tokens, heard, db) -> None:
    client = loaded.test_client()
    client.post("/api/v1/sites/testsite/positions", json={"positions": positions(2, *CAVE)},
                headers=bearer(tokens["ingest"]))
    for state in ("closed", "open"):
        response = client.post("/api/v1/sites/testsite/zones/t-cave-01/state",
                               json={"state": state}, headers=bearer(tokens["operator"]))
        assert response.status_code == 200, response.get_json()
    alerts = [(a["zone_id"], a["change"]) for a in heard.get("alert", [])]
    assert alerts == [("t-cave-01", "raised"), ("t-cave-01", "cleared")]
    assert "is closed" in heard["alert"][0]["message"]


def test_operators_hear_the_capacity_alert_over_their_socket(tmp_path: Path) -> None:
    venues = tmp_path / "venues"
    shutil.copytree(FIXTURES / "venues_min", venues)
    server = LiveServer(tmp_path, venues=no_access_hall(venues)).start()
    try:
        operator = Operator(server)
        try:
            for _ in range(2):
                server.api("POST", "/sites/testsite/positions",
                           json={"positions": positions(4, *HALL, visitor="v")}).raise_for_status()
            wait_for(lambda: any(a["kind"] == "capacity" for a in operator.heard("alert")))
        finally:
            operator.close()
        listed = server.api("GET", "/sites/testsite/alerts").json()
        assert [(a["kind"], a["zone_id"]) for a in listed["alerts"]] == [("capacity",
                                                                           "t-hall-02")]
    finally:
        server.stop()
