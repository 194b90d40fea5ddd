"""The site at a glance: visitors on site now and today against its capacities, over REST and
in every `occupancy` update; a closed empty cave that is closed, not full; and a zone at its
capacity that raises a capacity alert, cleared when its load falls below the divert tier."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask

from server.services.presence import DailyVisitors
from server.storage.models import Site
from tests.conftest import bearer
from tests.helpers import CAVE, at, positions

SITE = "testsite"
LOCAL = ZoneInfo("Asia/Shanghai")  # the test site's timezone
OUTSIDE = (5000.0, 0.0)  # metres from the centre: beyond every zone


def send(app: Flask, venue_tokens: dict[str, str], items: list[dict[str, Any]]) -> None:
    response = app.test_client().post(f"/api/v1/sites/{SITE}/positions",
                                      json={"positions": items}, headers=bearer(venue_tokens["ingest"]))
    assert response.status_code == 200, response.get_json()


def visit(visitor: str, when: datetime, xy: tuple[float, float] = CAVE) -> dict[str, Any]:
    lon, lat = at(*xy)
    return {"event_id": f"{visitor}@{when.timestamp()}", "visitor_id": visitor,
            "ts": when.isoformat(), "lon": lon, "lat": lat}


def occupancy(app: Flask, venue_tokens: dict[str, str]) -> dict[str, Any]:
    response = app.test_client().get(f"/api/v1/sites/{SITE}/occupancy",
                                     headers=bearer(venue_tokens["viewer"]))
    assert response.status_code == 200, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def test_the_occupancy_answer_gives_the_site_at_a_glance(venue: Flask,
                                                         venue_tokens: dict[str, str]) -> None:
    send(venue, venue_tokens, positions(3))
    site = occupancy(venue, venue_tokens)["site"]
    assert site == {"count": 3, "capacity": 300, "level": "normal", "today": 3,
                    "daily_capacity": 1000, "day": datetime.now(LOCAL).date().isoformat()}


def test_visitors_today_counts_each_visitor_once_since_local_midnight(
        venue: Flask, venue_tokens: dict[str, str]) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    midnight = datetime.combine(now.astimezone(LOCAL).date(), datetime.min.time(), LOCAL)
    yesterday = midnight - timedelta(minutes=1)
    send(venue, venue_tokens, [visit("v-yesterday", yesterday), visit("v-both", yesterday),
                         visit("v-both", now), visit("v-today", now - timedelta(seconds=1)),
                         visit("v-today", now, OUTSIDE)])
    assert occupancy(venue, venue_tokens)["site"]["today"] == 2


def test_the_day_turns_at_local_midnight_whatever_the_age_of_the_last_count(
        venue: Flask, venue_tokens: dict[str, str]) -> None:
    now = datetime.now(UTC)
    midnight = datetime.combine(now.astimezone(LOCAL).date(), datetime.min.time(), LOCAL)
    if now - midnight < timedelta(minutes=1):
        midnight -= timedelta(days=1)  # positions must not lie ahead of the clock
    send(venue, venue_tokens, [visit("a", midnight - timedelta(seconds=30)),
                         visit("b", midnight - timedelta(seconds=20)),
                         visit("c", midnight + timedelta(seconds=10))])
    clock = [0.0]
    today = DailyVisitors(refresh_s=10, clock=lambda: clock[0])
    db = venue.extensions["lantern"].db

    def count(when: datetime) -> tuple[int, str]:
        with db.open_session() as session:
            visitors, day = today.count(session, session.get(Site, SITE), when)
            return visitors, day.isoformat()

    before, after = midnight.date() - timedelta(days=1), midnight.date()
    assert count(midnight - timedelta(seconds=5)) == (2, before.isoformat())
    assert count(midnight + timedelta(seconds=15)) == (1, after.isoformat())  # at once
    send(venue, venue_tokens, [visit("d", midnight + timedelta(seconds=12))])
    assert count(midnight + timedelta(seconds=16)) == (1, after.isoformat())  # cached ...
    clock[0] += 10
    assert count(midnight + timedelta(seconds=17)) == (2, after.isoformat())  # ... 10 s


def test_operators_hear_the_site_figures_with_each_occupancy_update(
        venue: Flask, venue_tokens: dict[str, str], heard: dict[str, list[Any]]) -> None:
    send(venue, venue_tokens, positions(4))
    venue.extensions["lantern"].live.emit_occupancy(SITE)
    [update] = heard["occupancy"]
    assert update["site_id"] == SITE and len(update["zones"]) == 6
    assert (update["site"]["count"], update["site"]["today"]) == (4, 4)
    assert update == occupancy(venue, venue_tokens)


def test_a_closed_empty_cave_is_closed_not_at_stop(venue: Flask, venue_tokens: dict[str, str],
                                                   heard: dict[str, list[Any]]) -> None:
    client = venue.test_client()
    response = client.post(f"/api/v1/sites/{SITE}/zones/t-cave-01/state",
                           json={"state": "closed", "reason": "maintenance"},
                           headers=bearer(venue_tokens["operator"]))
    assert response.status_code == 200, response.get_json()
    cave = {z["zone_id"]: z for z in occupancy(venue, venue_tokens)["zones"]}["t-cave-01"]
    assert (cave["count"], cave["capacity"], cave["state"], cave["level"]) == (
        0, 0, "closed", "closed")
    told = {z["zone_id"]: z for z in heard["occupancy"][-1]["zones"]}["t-cave-01"]
    assert told["level"] == "closed"
    assert heard.get("alert") is None  # nobody is inside: nothing to raise
    send(venue, venue_tokens, positions(1))  # someone walks into the closed cave
    cave = {z["zone_id"]: z for z in occupancy(venue, venue_tokens)["zones"]}["t-cave-01"]
    assert (cave["count"], cave["level"]) == (1, "stop")


def test_a_zone_at_its_capacity_raises_a_capacity_alert_cleared_below_the_divert_tier(
        venue: Flask, venue_tokens: dict[str, str], heard: dict[str, list[Any]]) -> None:
    live = venue.extensions["lantern"].live

    def walk(items: list[dict[str, Any]]) -> list[tuple[str, str]]:
        send(venue, venue_tokens, items)
        live.emit_occupancy(SITE)
        return [(a["zone_id"], a["change"]) for a in heard.get("alert", [])]

    assert walk(positions(9, *CAVE, visitor="v")) == []  # 9 of 10: divert
    assert walk(positions(10, *CAVE, visitor="v")) == [("t-cave-01", "raised")]  # 10: stop
    assert "at its limit: 10 visitor(s) for a capacity of 10" in heard["alert"][0]["message"]
    assert walk(positions(1, *OUTSIDE, visitor="v")) == [("t-cave-01", "raised")]
    assert walk(positions(1, *OUTSIDE, visitor="v", later_s=15)) == [  # 9 left: 90%, still held
        ("t-cave-01", "raised")]
    assert walk(positions(3, *OUTSIDE, visitor="v", later_s=16)) == [("t-cave-01", "raised")]
    assert walk(positions(3, *OUTSIDE, visitor="v", later_s=30)) == [  # 7 left: below 80%
        ("t-cave-01", "raised"), ("t-cave-01", "cleared")]
    alerts = venue.test_client().get(f"/api/v1/sites/{SITE}/alerts?state=all&kind=capacity",
                                     headers=bearer(venue_tokens["viewer"])).get_json()["alerts"]
    assert [(a["zone_id"], a["state"], a["value"], a["threshold"]) for a in alerts] == [
        ("t-cave-01", "cleared", 10.0, 10.0)]
