"""Readings for the charts: a sensor's readings over a window, thinned evenly past the limit;
each sensor's alert thresholds; readings told live to operators, coalesced per site; and the
alert list's filters. On SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask

from server.services.preservation import record_readings
from tests.conftest import bearer

SITE, SENSOR, CAVE = "testsite", "t-s-01", "t-cave-01"


def readings(start: datetime, n: int, every_s: float, co2: float = 600,
             prefix: str = "r") -> list[dict[str, Any]]:
    return [{"event_id": f"{prefix}{i}", "sensor_id": SENSOR,
             "ts": (start + timedelta(seconds=i * every_s)).isoformat(),
             "temperature_c": 14.0, "relative_humidity": 40.0, "co2_ppm": co2 + i}
            for i in range(n)]


def post(app: Flask, venue_tokens: dict[str, str], items: list[dict[str, Any]]) -> dict[str, Any]:
    response = app.test_client().post(f"/api/v1/sites/{SITE}/sensor-readings",
                                      json={"readings": items}, headers=bearer(venue_tokens["ingest"]))
    assert response.status_code == 200, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def get(app: Flask, venue_tokens: dict[str, str], path: str, **query: Any) -> Any:
    url = f"/api/v1{path}" + (f"?{urlencode(query)}" if query else "")
    return app.test_client().get(url, headers=bearer(venue_tokens["viewer"]))


def series(app: Flask, venue_tokens: dict[str, str], **query: Any) -> dict[str, Any]:
    response = get(app, venue_tokens, f"/sites/{SITE}/sensors/{SENSOR}/readings", **query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def test_a_sensor_lists_the_alert_thresholds_of_its_zone_with_their_hold_time(
        venue: Flask, venue_tokens: dict[str, str]) -> None:
    sensors = get(venue, venue_tokens, f"/sites/{SITE}/sensors").get_json()["sensors"]
    assert [(s["id"], s["zone_id"]) for s in sensors] == [(SENSOR, CAVE)]
    limits = {(t["metric"], t["bound"]): (t["limit"], t["hold_s"], t["hysteresis"])
              for t in sensors[0]["thresholds"]}
    assert limits == {("co2_ppm", "max"): (1500, 60, 150),
                      ("relative_humidity", "max"): (62, 60, 3),
                      ("temperature_c", "max"): (28, 60, 1),
                      ("temperature_c", "min"): (5, 60, 1)}


def test_readings_of_the_last_day_come_oldest_first_by_default(
        venue: Flask, venue_tokens: dict[str, str]) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    post(venue, venue_tokens, readings(now - timedelta(hours=30), 3, 3600, prefix="old")
         + readings(now - timedelta(hours=2), 5, 600))
    body = series(venue, venue_tokens)
    assert (body["sensor_id"], body["zone_id"], body["truncated"]) == (SENSOR, CAVE, False)
    assert [r["co2_ppm"] for r in body["readings"]] == [600, 601, 602, 603, 604]
    assert body["readings"][0] == {"ts": (now - timedelta(hours=2)).isoformat(),
                                   "temperature_c": 14.0, "relative_humidity": 40.0,
                                   "co2_ppm": 600}
    older = series(venue, venue_tokens, **{"from": (now - timedelta(hours=31)).isoformat(),
                                     "to": (now - timedelta(hours=3)).isoformat()})
    assert [r["co2_ppm"] for r in older["readings"]] == [600, 601, 602]


def test_more_readings_than_the_limit_are_thinned_evenly_over_the_whole_window(
        venue: Flask, venue_tokens: dict[str, str]) -> None:
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
    post(venue, venue_tokens, readings(start, 100, 60))  # co2 600..699, a minute apart
    body = series(venue, venue_tokens, limit=10)
    values = [r["co2_ppm"] for r in body["readings"]]
    assert body["truncated"] is True and len(values) == 10
    assert values[0] == 600 and values[-1] == 699  # the chart spans the window
    assert values == [600, 611, 622, 633, 644, 655, 666, 677, 688, 699]
    assert [r["co2_ppm"] for r in series(venue, venue_tokens, limit=1)["readings"]] == [699]
    assert series(venue, venue_tokens, limit=100)["truncated"] is False


@pytest.mark.parametrize("query, fragment", [
    ({"from": "2026-01-02T00:00:00+00:00", "to": "2026-01-01T00:00:00+00:00"}, "before"),
    ({"from": "2026-01-01T00:00:00+00:00", "to": "2026-03-01T00:00:00+00:00"}, "31 days"),
    ({"from": "yesterday"}, "from"),
    ({"to": "2026-01-01T00:00:00"}, "to"),  # no offset: which day would it be?
    ({"limit": 5001}, "limit"),
])
def test_a_bad_window_or_limit_is_refused_with_422(venue: Flask, venue_tokens: dict[str, str],
                                                   query: dict[str, Any], fragment: str) -> None:
    response = get(venue, venue_tokens, f"/sites/{SITE}/sensors/{SENSOR}/readings", **query)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid" and fragment in error["message"]


@pytest.mark.parametrize("path", [f"/sites/atlantis/sensors/{SENSOR}/readings",
                                  f"/sites/{SITE}/sensors/t-s-99/readings"])
def test_an_unknown_site_or_sensor_is_404(venue: Flask, venue_tokens: dict[str, str], path: str) -> None:
    response = get(venue, venue_tokens, path)
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_operators_hear_new_readings_at_most_once_per_site_per_interval(
        venue: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    state = venue.extensions["lantern"]
    heard: list[tuple[str, Any]] = []
    monkeypatch.setattr(state.hub, "to_operators", lambda event, data: heard.append((event, data)))
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    for batch in range(3):  # three gateway batches, one of them repeated
        items = [{**r, "ts": datetime.fromisoformat(r["ts"])}  # as the front doors parse them
                 for r in readings(start + timedelta(seconds=batch), 2, 10, prefix=f"b{batch}-")]
        for _ in range(1 + (batch == 1)):
            record_readings(state.db, SITE, items, max_batch=100, on_readings=state.live.readings)
    assert heard == []  # gathered, not yet told
    state.live.emit_readings()
    [(event, data)] = heard
    assert event == "readings" and data["site_id"] == SITE
    assert len(data["readings"]) == 6  # the repeat was a duplicate: not news
    assert set(data["readings"][0]) == {"sensor_id", "zone_id", "ts", "temperature_c",
                                        "relative_humidity", "co2_ppm"}
    assert data["readings"][0]["zone_id"] == CAVE
    state.live.emit_readings()
    assert len(heard) == 1  # nothing new, nothing told
    assert dict((name, every) for name, every, _ in state.hub.steps)["readings_emit"] == 0.5


def test_alerts_filter_by_state_kind_zone_acknowledgement_and_time(
        venue: Flask, venue_tokens: dict[str, str]) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(minutes=10)
    high = [{"event_id": f"h{i}", "sensor_id": SENSOR, "ts": (start + timedelta(seconds=30 * i))
             .isoformat(), "co2_ppm": 1700} for i in range(3)]
    [raised] = post(venue, venue_tokens, high)["alerts"]
    client = venue.test_client()
    assert client.post(f"/api/v1/alerts/{raised['id']}/ack",
                       headers=bearer(venue_tokens["operator"])).status_code == 200

    def ids(**query: Any) -> list[int]:
        response = get(venue, venue_tokens, f"/sites/{SITE}/alerts", **query)
        assert response.status_code == 200, response.get_json()
        return [a["id"] for a in response.get_json()["alerts"]]

    mine = [raised["id"]]
    assert ids() == ids(kind="microclimate") == ids(zone=CAVE) == ids(acknowledged="true") == mine
    assert ids(kind="capacity") == ids(zone="t-hall-02") == ids(acknowledged="false") == []
    assert ids(state="cleared") == [] and ids(state="all") == mine
    assert ids(**{"from": (start - timedelta(minutes=1)).isoformat()}) == mine
    assert ids(**{"from": (now + timedelta(minutes=1)).isoformat()}) == []
    assert ids(to=start.isoformat()) == []
    listed = get(venue, venue_tokens, f"/sites/{SITE}/alerts").get_json()["alerts"][0]
    assert listed["acknowledged_by"].startswith("token:lt_")  # who: the operator's token
    assert listed["acknowledged_at"] is not None
    assert ids(**{"from": now.isoformat(), "to": start.isoformat()}) == []  # backwards: empty
    assert get(venue, venue_tokens, f"/sites/{SITE}/alerts", limit=1001).status_code == 422
    assert get(venue, venue_tokens, f"/sites/{SITE}/alerts", to="0.5").status_code == 422


def test_a_flood_of_readings_is_told_as_its_newest_2000_and_how_many_were_left_out(
        venue: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    state = venue.extensions["lantern"]
    heard: list[Any] = []
    monkeypatch.setattr(state.hub, "to_operators", lambda event, data: heard.append(data))
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    items = [{**r, "ts": datetime.fromisoformat(r["ts"])} for r in readings(start, 2500, 1)]
    record_readings(state.db, SITE, items, max_batch=10_000, on_readings=state.live.readings)
    state.live.emit_readings()
    [event] = heard
    assert event["dropped"] == 500 and len(event["readings"]) == 2000
    assert event["readings"][-1]["co2_ppm"] == 600 + 2499  # the newest are kept
