"""A kiosk registered at a point is placed in its zone at once and shown to operators."""

from __future__ import annotations

from typing import Any

import pytest

from server.services.kiosks import create_kiosk
from server.storage.models import Kiosk
from tests.conftest import bearer

IN_THE_HALL = (100.0005, 29.9992)  # tests/fixtures/venues_min: inside t-hall-02
OUTSIDE = (100.1, 30.1)  # beyond every zone of the test site


@pytest.fixture
def sent(loaded, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:  # type: ignore[no-untyped-def]
    """What the hub sends operators."""
    events: list[tuple[str, Any]] = []
    hub = loaded.extensions["lantern"].hub
    monkeypatch.setattr(hub, "to_operators", lambda event, data: events.append((event, data)))
    return events


def test_a_kiosk_registered_over_rest_is_listed_in_its_zone_at_once_and_operators_are_told(
    loaded, tokens, sent
) -> None:  # type: ignore[no-untyped-def]
    client = loaded.test_client()
    lon, lat = IN_THE_HALL
    r = client.post("/api/v1/kiosks", headers=bearer(tokens["admin"]),
                    json={"site_id": "testsite", "lon": lon, "lat": lat, "name": "hall 2"})
    assert r.status_code == 201, r.get_json()
    kiosk_id = r.get_json()["kiosk_id"]
    listed = client.get("/api/v1/kiosks", headers=bearer(tokens["admin"])).get_json()["kiosks"]
    assert next(k for k in listed if k["kiosk_id"] == kiosk_id)["zone_id"] == "t-hall-02"
    statuses = [data for event, data in sent if event == "kiosk_status"]
    assert [(s["kiosk_id"], s["zone_id"], s["status"]) for s in statuses] == [
        (kiosk_id, "t-hall-02", "approved")]


def test_a_kiosk_registered_outside_every_zone_has_no_zone(loaded, tokens, sent) -> None:  # type: ignore[no-untyped-def]
    lon, lat = OUTSIDE
    r = loaded.test_client().post("/api/v1/kiosks", headers=bearer(tokens["admin"]),
                                  json={"site_id": "testsite", "lon": lon, "lat": lat})
    assert r.status_code == 201
    assert [data["zone_id"] for event, data in sent if event == "kiosk_status"] == [None]


def test_create_kiosk_with_the_zone_index_places_the_kiosk_in_its_innermost_zone(loaded) -> None:  # type: ignore[no-untyped-def]
    state = loaded.extensions["lantern"]
    with state.db.transaction() as session:
        kiosk_id, _ = create_kiosk(session, "testsite", 100.001, 30.0008,
                                   zones=state.zone_index)
    with state.db.transaction() as session:
        assert session.get_one(Kiosk, kiosk_id).zone_id == "t-va-north"
