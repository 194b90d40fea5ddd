"""Sensor readings in, microclimate alerts out, and the cave that closes and reopens with them."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from server.services.venues import import_venues
from server.storage.models import Alert, AuditLog, SensorReading
from tests.conftest import bearer, make_app

# readings are refused outside the accepted window, and alerts act on the present (15 min):
# each test's readings start ten minutes before it runs
T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)


@pytest.fixture(autouse=True)
def _present() -> None:
    global T0
    T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
SITE = "testsite"
CAVE = "t-cave-01"
_counter = iter(range(1_000_000))


def reading(seconds: float, sensor: str = "t-s-01", event_id: str | None = None,
            **measures: Any) -> dict[str, Any]:
    return {"event_id": event_id or f"r{next(_counter)}", "sensor_id": sensor,
            "ts": (T0 + timedelta(seconds=seconds)).isoformat(), **measures}


def co2(values_by_second: dict[float, float]) -> list[dict[str, Any]]:
    return [reading(s, co2_ppm=v, temperature_c=14, relative_humidity=40)
            for s, v in values_by_second.items()]


Poster = Callable[..., Any]


def poster(app: Flask, tokens: dict[str, str]) -> Poster:
    client = app.test_client()

    def send(readings: list[dict[str, Any]], token: str = "ingest", site: str = SITE):  # type: ignore[no-untyped-def]
        return client.post(f"/api/v1/sites/{site}/sensor-readings", json={"readings": readings},
                           headers=bearer(tokens[token]))
    return send


@pytest.fixture
def post(loaded: Flask, tokens: dict[str, str]) -> Poster:
    return poster(loaded, tokens)


def get(app: Flask, tokens: dict[str, str], path: str, role: str = "viewer") -> Any:
    response = app.test_client().get(f"/api/v1{path}", headers=bearer(tokens[role]))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def cave(app: Flask, tokens: dict[str, str]) -> dict[str, Any]:
    zones = get(app, tokens, f"/sites/{SITE}/zones")["features"]
    return next(f["properties"] for f in zones if f["id"] == CAVE)


def stored(app: Flask, model: Any = SensorReading) -> int:
    with app.extensions["lantern"].db.open_session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def raise_co2(post: Poster) -> dict[str, Any]:
    body = post(co2({0: 1600, 30: 1700, 60: 1650})).get_json()
    assert [a["change"] for a in body["alerts"]] == ["raised"], body
    return body  # type: ignore[no-any-return]


def clear_co2(post: Poster) -> dict[str, Any]:
    body = post(co2({120: 1300, 150: 1200, 180: 1250})).get_json()
    assert [a["change"] for a in body["alerts"]] == ["cleared"], body
    return body  # type: ignore[no-any-return]


def test_a_repeated_event_id_is_counted_as_duplicate_and_stored_once(post, loaded) -> None:  # type: ignore[no-untyped-def]
    first = post([reading(0, event_id="a", co2_ppm=800), reading(10, event_id="b", co2_ppm=810)])
    assert first.status_code == 200, first.get_json()
    assert first.get_json() == {"accepted": 2, "duplicates": 0, "alerts": []}
    again = post([reading(0, event_id="a", co2_ppm=800), reading(20, event_id="c"),
                  reading(20, event_id="c")]).get_json()
    assert (again["accepted"], again["duplicates"]) == (1, 2)
    assert stored(loaded) == 3


def test_readings_without_some_measures_are_stored(post, loaded) -> None:  # type: ignore[no-untyped-def]
    body = post([reading(0, temperature_c=12.5), reading(5, relative_humidity=None)]).get_json()
    assert body["accepted"] == 2
    assert stored(loaded) == 2


@pytest.mark.parametrize("bad,needle", [
    (reading(0, co2_ppm=float("nan")), "co2_ppm"),
    (reading(0, temperature_c=float("inf")), "temperature_c"),
    (reading(0, relative_humidity=120), "relative_humidity"),
    (reading(0, co2_ppm=-5), "co2_ppm"),
    (reading(0, temperature_c=-300), "temperature_c"),
    ({**reading(0, co2_ppm=900), "ts": T0.replace(tzinfo=None).isoformat()}, "ts"),
    ({**reading(0, co2_ppm=900), "ts": "yesterday"}, "ts"),
    ({"sensor_id": "t-s-01", "ts": T0.isoformat()}, "event_id"),
    (reading(0, sensor="t-s-99", co2_ppm=900), "t-s-99"),
])
def test_bad_readings_get_the_error_envelope_and_nothing_is_stored(  # type: ignore[no-untyped-def]
        loaded, tokens, bad: dict, needle: str) -> None:
    body = json.dumps({"readings": [reading(0, co2_ppm=700), bad]})  # json.dumps writes NaN as NaN
    response = loaded.test_client().post(f"/api/v1/sites/{SITE}/sensor-readings", data=body,
                                         content_type="application/json",
                                         headers=bearer(tokens["ingest"]))
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "invalid" and needle in json.dumps(error)
    assert stored(loaded) == 0


def test_a_batch_larger_than_the_limit_is_refused_whole(post, loaded) -> None:  # type: ignore[no-untyped-def]
    loaded.extensions["lantern"].settings["LANTERN_MAX_BATCH"] = 3
    response = post([reading(s, co2_ppm=700) for s in range(4)])
    assert response.status_code == 422 and "at most 3" in response.get_json()["error"]["message"]
    assert stored(loaded) == 0


def test_malformed_json_is_400_and_unknown_site_is_404(loaded, tokens, post) -> None:  # type: ignore[no-untyped-def]
    response = loaded.test_client().post(f"/api/v1/sites/{SITE}/sensor-readings", data="{oops",
                                         content_type="application/json",
                                         headers=bearer(tokens["ingest"]))
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_request"
    assert post([reading(0, co2_ppm=700)], site="nowhere").status_code == 404
    assert stored(loaded) == 0


@pytest.mark.parametrize("role,status", [("viewer", 403), ("planner", 403), ("ingest", 200)])
def test_only_ingest_roles_send_readings(post, role: str, status: int) -> None:  # type: ignore[no-untyped-def]
    assert post([reading(0, co2_ppm=700)], token=role).status_code == status


def test_co2_above_its_limit_for_the_hold_time_raises_an_alert_and_closes_the_cave(  # type: ignore[no-untyped-def]
        post, loaded, tokens) -> None:
    assert post(co2({0: 1600, 30: 1700})).get_json()["alerts"] == []
    assert cave(loaded, tokens)["state"] == "open"
    alert = post(co2({60: 1650})).get_json()["alerts"][0]
    assert (alert["metric"], alert["state"], alert["value"], alert["threshold"]) == (
        "co2_ppm", "raised", 1650, 1500)
    assert all(word in alert["message"] for word in (CAVE, "co2_ppm", "1650", "1500"))
    props = cave(loaded, tokens)
    assert (props["state"], props["capacity"]) == ("closed", 0)
    listed = get(loaded, tokens, f"/sites/{SITE}/alerts?state=raised")["alerts"]
    assert [a["id"] for a in listed] == [alert["id"]]
    with loaded.extensions["lantern"].db.open_session() as session:
        entry = session.scalars(select(AuditLog).where(AuditLog.action == "set_zone_state")).one()
    assert (entry.actor, entry.target, entry.detail["reason"]) == (
        "system", f"{SITE}/{CAVE}", "microclimate: co2_ppm")


def test_further_readings_above_the_limit_do_not_raise_a_second_alert(post, loaded) -> None:  # type: ignore[no-untyped-def]
    raise_co2(post)
    assert post(co2({90: 1800, 120: 1900, 200: 1700})).get_json()["alerts"] == []
    assert stored(loaded, Alert) == 1


def test_with_operator_reopen_the_cave_stays_closed_until_an_operator_opens_it(  # type: ignore[no-untyped-def]
        post, loaded, tokens) -> None:
    raise_co2(post)
    assert post(co2({90: 1400})).get_json()["alerts"] == []  # inside the hysteresis band
    cleared = clear_co2(post)["alerts"][0]
    assert cleared["state"] == "cleared" and cleared["cleared_at"] is not None
    assert get(loaded, tokens, f"/sites/{SITE}/alerts")["alerts"] == []
    assert len(get(loaded, tokens, f"/sites/{SITE}/alerts?state=cleared")["alerts"]) == 1
    props = cave(loaded, tokens)
    assert props["state"] == "closed"
    response = loaded.test_client().post(f"/api/v1/sites/{SITE}/zones/{CAVE}/state",
                                         json={"state": "open"}, headers=bearer(tokens["operator"]))
    assert response.status_code == 200
    assert cave(loaded, tokens)["state"] == "open"


def test_with_operator_reopen_the_zone_is_marked_ready(post, loaded) -> None:  # type: ignore[no-untyped-def]
    from server.storage.models import ZoneState

    raise_co2(post)
    clear_co2(post)
    with loaded.extensions["lantern"].db.open_session() as session:
        row = session.get(ZoneState, (SITE, CAVE))
        assert row is not None
        assert (row.state, row.reason, row.changed_by) == ("closed", "cleared; awaiting operator",
                                                           "system")


@pytest.fixture
def auto_reopen(app: Flask, mini_venues: Path) -> Flask:
    site_json = mini_venues / SITE / "site.json"
    site_json.write_text(json.dumps({**json.loads(site_json.read_text()), "reopen": "auto"}))
    with app.extensions["lantern"].db.transaction() as session:
        import_venues(session, mini_venues)
    return app


def test_with_auto_reopen_the_cave_opens_when_its_alerts_clear(auto_reopen, tokens) -> None:  # type: ignore[no-untyped-def]
    post = poster(auto_reopen, tokens)
    raise_co2(post)
    assert cave(auto_reopen, tokens)["state"] == "closed"
    clear_co2(post)
    props = cave(auto_reopen, tokens)
    assert (props["state"], props["capacity"]) == ("open", 10)


def test_the_cave_reopens_only_when_every_metric_has_cleared(auto_reopen, tokens) -> None:  # type: ignore[no-untyped-def]
    post = poster(auto_reopen, tokens)
    both = [reading(s, co2_ppm=1600, relative_humidity=70) for s in (0, 30, 60)]
    assert sorted(a["metric"] for a in post(both).get_json()["alerts"]) == [
        "co2_ppm", "relative_humidity"]
    co2_back = [reading(s, co2_ppm=1000, relative_humidity=70) for s in (90, 120, 150)]
    assert [a["metric"] for a in post(co2_back).get_json()["alerts"]] == ["co2_ppm"]
    assert cave(auto_reopen, tokens)["state"] == "closed"
    all_back = [reading(s, co2_ppm=1000, relative_humidity=50) for s in (180, 210, 240)]
    assert [a["metric"] for a in post(all_back).get_json()["alerts"]] == ["relative_humidity"]
    assert cave(auto_reopen, tokens)["state"] == "open"


def test_a_zone_an_operator_closed_is_not_reopened_by_clearing_alerts(auto_reopen, tokens) -> None:  # type: ignore[no-untyped-def]
    client = auto_reopen.test_client()
    client.post(f"/api/v1/sites/{SITE}/zones/{CAVE}/state",
                json={"state": "closed", "reason": "restoration"}, headers=bearer(tokens["operator"]))
    post = poster(auto_reopen, tokens)
    raise_co2(post)
    clear_co2(post)
    assert cave(auto_reopen, tokens)["state"] == "closed"


def test_an_operator_acknowledges_an_alert_once_and_it_is_audited(post, loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    alert_id = raise_co2(post)["alerts"][0]["id"]
    client = loaded.test_client()
    assert client.post(f"/api/v1/alerts/{alert_id}/ack",
                       headers=bearer(tokens["viewer"])).status_code == 403
    first = client.post(f"/api/v1/alerts/{alert_id}/ack", headers=bearer(tokens["operator"]))
    assert first.status_code == 200, first.get_json()
    body = first.get_json()
    assert body["change"] == "acknowledged" and body["acknowledged_by"].startswith("token:")
    assert body["acknowledged_at"] is not None
    again = client.post(f"/api/v1/alerts/{alert_id}/ack", headers=bearer(tokens["admin"])).get_json()
    assert (again["change"], again["acknowledged_by"]) == ("none", body["acknowledged_by"])
    assert client.post("/api/v1/alerts/999999/ack",
                       headers=bearer(tokens["operator"])).status_code == 404
    with loaded.extensions["lantern"].db.open_session() as session:
        actions = session.scalars(select(AuditLog.action).where(
            AuditLog.action == "acknowledge_alert")).all()
    assert len(actions) == 1


def test_an_unknown_alert_state_filter_is_422(loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    response = loaded.test_client().get(f"/api/v1/sites/{SITE}/alerts?state=sometimes",
                                        headers=bearer(tokens["viewer"]))
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "invalid"


def test_the_live_venue_hears_of_alerts_and_zone_changes(post, loaded, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    heard: list[tuple] = []
    live = loaded.extensions["lantern"].live
    monkeypatch.setattr(live, "alert",
                        lambda alert: heard.append(("alert", alert["change"], alert["metric"])))
    monkeypatch.setattr(live, "zone_changed", lambda *change: heard.append(("zone", *change)))
    raise_co2(post)
    assert heard == [("alert", "raised", "co2_ppm"),
                     ("zone", SITE, CAVE, "closed", "microclimate: co2_ppm")]


def test_alert_state_survives_a_restart(post, loaded, tokens, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    raise_co2(post)
    second = make_app(tmp_path)  # a new process on the same database file
    try:
        post_again = poster(second, tokens)
        assert post_again(co2({90: 1800})).get_json()["alerts"] == []
        assert [a["change"] for a in post_again(co2({120: 1000, 150: 1000, 180: 1000})).get_json()[
            "alerts"]] == ["cleared"]
        assert cave(second, tokens)["state"] == "closed"
    finally:
        second.extensions["lantern"].db.dispose()


def test_readings_arriving_out_of_order_raise_the_same_alert_once(post, loaded) -> None:  # type: ignore[no-untyped-def]
    assert post(co2({60: 1650})).get_json()["alerts"] == []
    assert post(co2({0: 1600})).get_json()["alerts"][0]["raised_at"] == (
        T0 + timedelta(seconds=60)).isoformat()
    assert post(co2({30: 1300})).get_json()["alerts"] == []  # late, and already decided
    assert stored(loaded, Alert) == 1


def test_a_week_old_backlog_beyond_the_limit_is_stored_and_closes_nothing(post, loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    week_ago = -7 * 86400
    backlog = co2({week_ago + s: 4500 for s in range(0, 600, 30)})
    body = post(backlog).get_json()
    assert (body["accepted"], body["alerts"]) == (len(backlog), [])
    assert cave(loaded, tokens)["state"] == "open"
    # present readings beyond the limit still raise, however the backlog ended
    assert [a["change"] for a in post(co2({0: 1600, 30: 1700, 60: 1650})).get_json()["alerts"]] == [
        "raised"]


def test_an_alert_stored_with_a_future_time_clears_and_protection_resumes(post, loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    from server.storage.models import ZoneState

    raise_co2(post)
    with loaded.extensions["lantern"].db.transaction() as session:  # as a reading dated 2100 left it
        alert = session.scalar(select(Alert).where(Alert.zone_id == CAVE))
        alert.raised_at = datetime(2100, 1, 1, tzinfo=UTC)
    assert [a["change"] for a in post(co2({120: 1000, 150: 1000, 180: 1000})).get_json()[
        "alerts"]] == ["cleared"]
    client = loaded.test_client()
    reopened = client.post(f"/api/v1/sites/{SITE}/zones/{CAVE}/state", json={"state": "open"},
                           headers=bearer(tokens["operator"]))
    assert reopened.status_code == 200, reopened.get_json()
    assert cave(loaded, tokens)["state"] == "open"
    # a real excursion at three times the limit closes the cave again
    again = post(co2({200: 4500, 230: 4500, 260: 4500})).get_json()
    assert [a["change"] for a in again["alerts"]] == ["raised"]
    with loaded.extensions["lantern"].db.open_session() as session:
        assert session.get(ZoneState, (SITE, CAVE)).state == "closed"


@pytest.mark.postgres
def test_the_closure_loop_works_on_postgresql(postgres_url: str, tmp_path: Path, mini_venues: Path) -> None:
    from server.services.tokens import create_token

    app = make_app(tmp_path, DATABASE_URL=postgres_url)
    db = app.extensions["lantern"].db
    try:
        with db.transaction() as session:
            import_venues(session, mini_venues)
            tokens = {"ingest": create_token(session, "ingest"),
                      "viewer": create_token(session, "viewer")}
        post = poster(app, tokens)
        batch = co2({0: 1600, 30: 1700})
        first = post(batch).get_json()
        assert (first["accepted"], first["duplicates"]) == (2, 0)
        again = post([*co2({60: 1650}), batch[0]]).get_json()
        assert (again["accepted"], again["duplicates"]) == (1, 1)
        assert [a["change"] for a in again["alerts"]] == ["raised"]
        assert (cave(app, tokens)["state"], cave(app, tokens)["capacity"]) == ("closed", 0)
        assert post(co2({0: 1600})).get_json()["alerts"] == []
    finally:
        db.dispose()
