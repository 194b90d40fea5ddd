"""Saved heritage-impact checks over REST, on SQLite and PostgreSQL: a planner's check is run
as POST /impact runs it and kept with its result; anyone who reads lists them newest first,
page by page, opens one and its map; the heritage report runs on one."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from server.services.tokens import create_token
from server.storage.models import AuditLog, ImpactCheck
from tests.conftest import bearer
from tests.helpers import square

URL = "/api/v1/sites/testsite/impact-checks"
KIOSK = square(-10, -10, 20)  # inside the protection range


@pytest.fixture
def planner(venue: Flask) -> dict[str, str]:
    with venue.extensions["lantern"].db.transaction() as session:
        return bearer(create_token(session, "planner", "test planner"))


def save(venue: Flask, headers: dict[str, str], name: str, **body: Any) -> Any:
    return venue.test_client().post(URL, json={"name": name, "geometry": KIOSK, **body},
                                    headers=headers)


def test_a_saved_check_keeps_the_result_that_post_impact_gives(venue, planner) -> None:  # type: ignore[no-untyped-def]
    client = venue.test_client()
    response = save(venue, planner, "  Ticket kiosk  ", height_m=12, buffer_m=5)
    assert response.status_code == 201, response.get_json()
    check = response.get_json()
    assert response.headers["Location"] == f"{URL}/{check['id']}"
    assert {k: check[k] for k in ("name", "site_id", "geometry", "height_m", "buffer_m")} == {
        "name": "Ticket kiosk", "site_id": "testsite", "geometry": KIOSK, "height_m": 12,
        "buffer_m": 5}
    assert check["created_by"].startswith("token:") and check["created_at"]
    assert check["map_url"] == f"{URL}/{check['id']}/map.png"
    direct = client.post("/api/v1/sites/testsite/impact",
                         json={"geometry": KIOSK, "height_m": 12, "buffer_m": 5},
                         headers=planner).get_json()
    assert check["result"] == direct
    assert check["result"]["requires_approval"] is True
    assert client.get(f"{URL}/{check['id']}", headers=planner).get_json() == check


def test_checks_are_listed_newest_first_page_by_page(venue, planner, venue_tokens) -> None:  # type: ignore[no-untyped-def]
    client, viewer = venue.test_client(), bearer(venue_tokens["viewer"])
    ids = [save(venue, planner, f"work {i}").get_json()["id"] for i in range(3)]
    first = client.get(f"{URL}?limit=2", headers=viewer).get_json()
    assert [c["id"] for c in first["checks"]] == [ids[2], ids[1]]
    assert first["next_before"] == ids[1]
    rest = client.get(f"{URL}?limit=2&before={first['next_before']}", headers=viewer).get_json()
    assert ([c["id"] for c in rest["checks"]], rest["next_before"]) == ([ids[0]], None)
    stale = client.get(f"{URL}?before=ic-nowhere", headers=viewer)
    assert (stale.status_code, stale.get_json()["error"]["code"]) == (422, "invalid")


def test_a_bad_geometry_gets_the_errors_of_post_impact_and_nothing_is_saved(  # type: ignore[no-untyped-def]
        venue, planner) -> None:
    client = venue.test_client()
    for geometry in ({"type": "Polygon", "coordinates": "x"},
                     {"type": "Polygon", "coordinates": [[[100.0, 30.0], [100.001, 30.0],
                                                          [100.001, 30.001]]]}):
        saved = client.post(URL, json={"name": "bad", "geometry": geometry}, headers=planner)
        direct = client.post("/api/v1/sites/testsite/impact", json={"geometry": geometry},
                             headers=planner)
        assert saved.status_code == direct.status_code == 422
        assert saved.get_json() == direct.get_json()
    assert save(venue, planner, "   ").status_code == 422  # a name says something
    with venue.extensions["lantern"].db.open_session() as session:
        assert session.scalars(select(ImpactCheck)).all() == []


def test_a_saved_checks_map_is_a_png_that_viewers_may_read(venue, planner, venue_tokens) -> None:  # type: ignore[no-untyped-def]
    check = save(venue, planner, "Car park", buffer_m=10).get_json()
    response = venue.test_client().get(check["map_url"], headers=bearer(venue_tokens["viewer"]))
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.data[:8] == b"\x89PNG\r\n\x1a\n"


def test_viewers_read_saved_checks_but_may_not_save_one(venue, planner, venue_tokens) -> None:  # type: ignore[no-untyped-def]
    client, viewer = venue.test_client(), bearer(venue_tokens["viewer"])
    check = save(venue, planner, "Gate").get_json()
    assert save(venue, viewer, "Viewer's gate").status_code == 403
    assert client.get(f"{URL}/{check['id']}", headers=viewer).status_code == 200
    assert client.get(URL, headers=viewer).get_json()["checks"][0]["id"] == check["id"]


def test_an_unknown_check_or_site_is_a_404(venue, planner) -> None:  # type: ignore[no-untyped-def]
    client = venue.test_client()
    assert client.get(f"{URL}/ic-nowhere", headers=planner).status_code == 404
    assert client.get(f"{URL}/ic-nowhere/map.png", headers=planner).status_code == 404
    assert client.get("/api/v1/sites/nowhere/impact-checks", headers=planner).status_code == 404
    assert client.post("/api/v1/sites/nowhere/impact-checks",
                       json={"name": "x", "geometry": KIOSK}, headers=planner).status_code == 404


def test_saving_a_check_is_audited(venue, planner) -> None:  # type: ignore[no-untyped-def]
    check = save(venue, planner, "Bridge").get_json()
    with venue.extensions["lantern"].db.open_session() as session:
        entry = session.scalars(select(AuditLog).where(
            AuditLog.action == "save_impact_check")).one()
    assert (entry.actor, entry.target) == (check["created_by"], f"testsite/{check['id']}")
    assert entry.detail == {"name": "Bridge", "requires_approval": True}


def test_the_heritage_report_takes_a_saved_checks_work_height_and_buffer(venue, planner) -> None:  # type: ignore[no-untyped-def]
    check = save(venue, planner, "Visitor centre", height_m=8, buffer_m=15).get_json()
    response = venue.test_client().post("/api/v1/reports", headers=planner, json={
        "notebook": "heritage_impact",
        "parameters": {"site_id": "testsite", "start": "2026-10-01", "end": "2026-10-07",
                       "work_geojson": json.dumps(check["geometry"]),
                       "height_m": check["height_m"], "buffer_m": check["buffer_m"]}})
    assert response.status_code == 202, response.get_json()
    assert response.get_json()["parameters"]["buffer_m"] == 15
