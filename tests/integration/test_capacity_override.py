"""A zone's live capacity over REST, on SQLite and PostgreSQL: set from a preservation report's
recommendation or by hand, it changes the zone's levels, map and alerts at once; its history
keeps every change; DELETE goes back to the venue data; it outlives load-venues; audited."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select

from server.services.venues import import_venues
from server.storage.models import AuditLog
from tests.conftest import bearer
from tests.helpers import positions
from tests.unit.test_capacity_source import preservation_run

URL = "/api/v1/sites/testsite/zones/t-cave-01/capacity"


def who(token: str) -> str:
    """The name a token's holder is recorded by."""
    return f"token:{token[:8]}"


def cave_feature(venue: Flask, token: str) -> dict[str, Any]:
    body = venue.test_client().get("/api/v1/sites/testsite/zones",
                                   headers=bearer(token)).get_json()
    return next(f["properties"] for f in body["features"] if f["id"] == "t-cave-01")


def set_capacity(venue: Flask, token: str, body: dict[str, Any]) -> Any:
    return venue.test_client().post(URL, json=body, headers=bearer(token))


def test_a_report_runs_recommendation_becomes_the_caves_capacity_on_the_map(  # type: ignore[no-untyped-def]
        venue, venue_tokens) -> None:
    with venue.extensions["lantern"].db.transaction() as session:
        run = preservation_run(session, recommended={"t-cave-01": 20})
    response = set_capacity(venue, venue_tokens["operator"], {
        "capacity": 20, "source": {"report_run": run}, "reason": "CO2 balance of October"})
    assert response.status_code == 200, response.get_json()
    record = response.get_json()
    assert {k: record[k] for k in ("zone_id", "capacity", "venue_capacity", "capacity_source",
                                   "reason", "set_by")} == {
        "zone_id": "t-cave-01", "capacity": 20, "venue_capacity": 10,
        "capacity_source": "override", "reason": "CO2 balance of October",
        "set_by": who(venue_tokens["operator"])}
    assert record["source"]["report_run"] == run
    assert record["source"]["recommended_capacity"] == 20 and record["set_at"]
    props = cave_feature(venue, venue_tokens["viewer"])
    assert (props["capacity"], props["venue_capacity"], props["capacity_source"]) == (
        20, 10, "override")
    assert props["capacity_override"] == {k: record[k] for k in ("source", "reason", "set_by",
                                                                 "set_at")}
    assert venue.test_client().get(URL, headers=bearer(venue_tokens["viewer"])).get_json() \
        == record


def test_a_run_that_does_not_recommend_for_the_zone_is_refused_and_changes_nothing(  # type: ignore[no-untyped-def]
        venue, venue_tokens) -> None:
    with venue.extensions["lantern"].db.transaction() as session:
        run = preservation_run(session, recommended={"t-hall-02": 30})
    refused = set_capacity(venue, venue_tokens["operator"],
                           {"capacity": 20, "source": {"report_run": run}})
    assert refused.status_code == 422
    assert refused.get_json()["error"]["code"] == "not_recommended"
    assert "recommends no capacity for 't-cave-01'" in refused.get_json()["error"]["message"]
    unknown = set_capacity(venue, venue_tokens["operator"],
                           {"capacity": 20, "source": {"report_run": "r-nowhere"}})
    assert (unknown.status_code, unknown.get_json()["error"]["code"]) == (422,
                                                                         "unknown_report_run")
    props = cave_feature(venue, venue_tokens["viewer"])
    assert (props["capacity"], props["capacity_source"], props["capacity_override"]) == (
        10, "given", None)


def test_the_occupancy_level_follows_a_capacity_set_by_hand_at_once(  # type: ignore[no-untyped-def]
        venue, venue_tokens, heard) -> None:
    client = venue.test_client()
    client.post("/api/v1/sites/testsite/positions", json={"positions": positions(30)},
                headers=bearer(venue_tokens["ingest"]))

    def cave_row() -> dict[str, Any]:
        return next(z for z in heard["occupancy"][-1]["zones"] if z["zone_id"] == "t-cave-01")

    assert set_capacity(venue, venue_tokens["operator"], {"capacity": 100}).status_code == 200
    assert (cave_row()["count"], cave_row()["capacity"], cave_row()["level"]) == (30, 100,
                                                                                  "normal")
    assert set_capacity(venue, venue_tokens["admin"],
                        {"capacity": 20, "source": {"manual": True}}).status_code == 200
    assert (cave_row()["capacity"], cave_row()["level"]) == (20, "stop")
    assert [(a["zone_id"], a["change"]) for a in heard.get("alert", [])] == [
        ("t-cave-01", "raised")]  # a zone at stop raises the capacity alert
    rest = client.get("/api/v1/sites/testsite/occupancy",
                      headers=bearer(venue_tokens["viewer"])).get_json()
    assert next(z["level"] for z in rest["zones"] if z["zone_id"] == "t-cave-01") == "stop"


def test_delete_goes_back_to_the_venue_figure_and_the_history_keeps_every_change(  # type: ignore[no-untyped-def]
        venue, venue_tokens) -> None:
    client, operator = venue.test_client(), bearer(venue_tokens["operator"])
    set_capacity(venue, venue_tokens["operator"], {"capacity": 25, "reason": "first"})
    set_capacity(venue, venue_tokens["admin"], {"capacity": 18, "reason": "second"})
    back = client.delete(f"{URL}?reason=season%20over", headers=operator)
    assert back.status_code == 200, back.get_json()
    assert {k: back.get_json()[k] for k in ("capacity", "capacity_source", "source", "set_by")} \
        == {"capacity": 10, "capacity_source": "given", "source": None, "set_by": None}
    assert cave_feature(venue, venue_tokens["viewer"])["capacity_override"] is None
    again = client.delete(URL, headers=operator)
    assert (again.status_code, again.get_json()["error"]["code"]) == (404, "not_found")
    history = client.get(f"{URL}/history", headers=bearer(venue_tokens["viewer"])).get_json()
    assert history["venue_capacity"] == 10
    operator_name, admin_name = who(venue_tokens["operator"]), who(venue_tokens["admin"])
    assert [(c["capacity"], c["previous"], c["reason"], c["changed_by"])
            for c in history["changes"]] == [
        (None, 18, "season over", operator_name), (18, 25, "second", admin_name),
        (25, 10, "first", operator_name)]
    assert history["changes"][1]["source"] == {"manual": True}
    one = client.get(f"{URL}/history?limit=1", headers=bearer(venue_tokens["viewer"]))
    assert len(one.get_json()["changes"]) == 1


def test_an_override_outlives_load_venues_also_when_the_zone_gets_a_new_version(  # type: ignore[no-untyped-def]
        venue, venue_tokens, mini_venues: Path) -> None:
    set_capacity(venue, venue_tokens["operator"], {"capacity": 20})
    path = mini_venues / "testsite" / "zones.geojson"
    data = json.loads(path.read_text())
    for feature in data["features"]:
        if feature["properties"]["id"] == "t-cave-01":
            feature["properties"]["capacity"] = 12  # the venue data's figure changes
    path.write_text(json.dumps(data))
    with venue.extensions["lantern"].db.transaction() as session:
        assert import_venues(session, mini_venues).zones_added == 1  # a new version
    props = cave_feature(venue, venue_tokens["viewer"])
    assert (props["capacity"], props["venue_capacity"], props["capacity_source"]) == (
        20, 12, "override")
    back = venue.test_client().delete(URL, headers=bearer(venue_tokens["operator"])).get_json()
    assert (back["capacity"], back["venue_capacity"]) == (12, 12)


def test_a_closed_zone_stays_at_zero_while_closed_whatever_its_capacity(  # type: ignore[no-untyped-def]
        venue, venue_tokens) -> None:
    client, operator = venue.test_client(), bearer(venue_tokens["operator"])
    client.post("/api/v1/sites/testsite/zones/t-cave-01/state", json={"state": "closed"},
                headers=operator)
    assert set_capacity(venue, venue_tokens["operator"], {"capacity": 20}).status_code == 200
    assert cave_feature(venue, venue_tokens["viewer"])["capacity"] == 0
    client.post("/api/v1/sites/testsite/zones/t-cave-01/state", json={"state": "open"},
                headers=operator)
    assert cave_feature(venue, venue_tokens["viewer"])["capacity"] == 20


def test_viewers_read_the_capacity_but_may_not_change_it(venue, venue_tokens) -> None:  # type: ignore[no-untyped-def]
    client, viewer = venue.test_client(), bearer(venue_tokens["viewer"])
    assert client.post(URL, json={"capacity": 20}, headers=viewer).status_code == 403
    assert client.delete(URL, headers=viewer).status_code == 403
    assert client.get(URL, headers=viewer).status_code == 200
    assert client.get(f"{URL}/history", headers=viewer).get_json()["changes"] == []


def test_a_malformed_capacity_is_a_422_envelope(venue, venue_tokens) -> None:  # type: ignore[no-untyped-def]
    for body in ({"capacity": -1}, {"capacity": "20"}, {"capacity": 2.5}, {"capacity": True}, {},
                 {"capacity": 20, "source": {"manual": False}},
                 {"capacity": 20, "source": {"report_run": "r1", "manual": True}}):
        response = set_capacity(venue, venue_tokens["operator"], body)
        assert response.status_code == 422, body
        assert response.get_json()["error"]["code"] == "invalid", body


def test_a_whole_number_written_with_a_point_is_a_capacity(venue, venue_tokens) -> None:  # type: ignore[no-untyped-def]
    response = set_capacity(venue, venue_tokens["operator"], {"capacity": 20.0})
    assert (response.status_code, response.get_json()["capacity"]) == (200, 20)


def test_an_unknown_zone_or_site_is_a_404(venue, venue_tokens) -> None:  # type: ignore[no-untyped-def]
    client, operator = venue.test_client(), bearer(venue_tokens["operator"])
    for url in ("/api/v1/sites/testsite/zones/t-nowhere/capacity",
                "/api/v1/sites/nowhere/zones/t-cave-01/capacity"):
        assert client.post(url, json={"capacity": 1}, headers=operator).status_code == 404
        assert client.get(f"{url}/history", headers=operator).status_code == 404


def test_every_change_of_a_capacity_is_audited(venue, venue_tokens) -> None:  # type: ignore[no-untyped-def]
    set_capacity(venue, venue_tokens["operator"], {"capacity": 20, "reason": "guides"})
    venue.test_client().delete(URL, headers=bearer(venue_tokens["admin"]))
    with venue.extensions["lantern"].db.open_session() as session:
        entries = session.scalars(select(AuditLog).where(
            AuditLog.target == "testsite/t-cave-01").order_by(AuditLog.id)).all()
        assert [(e.actor, e.action) for e in entries] == [
            (who(venue_tokens["operator"]), "set_zone_capacity"),
            (who(venue_tokens["admin"]), "clear_zone_capacity")]
        assert entries[0].detail == {"capacity": 20, "previous": 10,
                                     "source": {"manual": True}, "reason": "guides"}
