"""Positions in, occupancy out: classification, idempotency, levels, transitions, bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from server.storage.models import PositionEvent, ZoneTransition
from tests.conftest import bearer
from tests.helpers import T0, occupancy, pos


@pytest.fixture
def post(loaded, tokens):  # type: ignore[no-untyped-def]
    client = loaded.test_client()

    def send(positions: list[dict], token: str = "ingest"):  # type: ignore[no-untyped-def]
        return client.post("/api/v1/sites/testsite/positions", json={"positions": positions},
                           headers=bearer(tokens[token]))
    return send


def test_each_position_is_classified_to_its_innermost_zone(post) -> None:  # type: ignore[no-untyped-def]
    body = post([pos("a", "v1", -80, 70), pos("b", "v2", 0, 100), pos("c", "v3", 0, 0),
                 pos("d", "v4", 300, 0), pos("e", "v5", 5000, 0)]).get_json()
    assert [r["zone_id"] for r in body["results"]] == ["t-cave-01", "t-va-north", "t-pr", "t-cc",
                                                        None]
    assert (body["accepted"], body["duplicates"]) == (5, 0)


def test_a_repeated_event_id_is_counted_as_duplicate_and_stored_once(post, db) -> None:  # type: ignore[no-untyped-def]
    post([pos("a", "v1", -80, 70)])
    body = post([pos("a", "v1", -80, 70), pos("b", "v1", -80, 71, 1)]).get_json()
    assert (body["accepted"], body["duplicates"]) == (1, 1)
    assert [r["duplicate"] for r in body["results"]] == [True, False]
    with db.open_session() as session:
        assert session.scalar(select(func.count()).select_from(PositionEvent)) == 2


def test_occupancy_counts_descendants_and_levels_follow_the_tiers(post, loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    post([pos(f"e{i}", f"v{i}", -80, 70) for i in range(8)])  # cave capacity 10: 80% -> divert
    zones = occupancy(loaded, tokens)
    assert zones["t-cave-01"]["count"] == 8 and zones["t-cave-01"]["level"] == "divert"
    assert zones["t-va-north"]["count"] == 8 and zones["t-pr"]["count"] == 8
    post([pos(f"f{i}", f"w{i}", -80, 70) for i in range(2)])
    assert occupancy(loaded, tokens)["t-cave-01"]["level"] == "stop"


def test_a_visitor_moving_counts_once_in_the_new_zone_after_the_debounce(post, loaded, tokens, db) -> None:  # type: ignore[no-untyped-def]
    post([pos("a", "v1", -80, 70, 0)])
    post([pos("b", "v1", 0, 100, 2)])  # a brief step out of the cave: not yet a move
    assert occupancy(loaded, tokens)["t-cave-01"]["count"] == 1
    post([pos("c", "v1", 0, 100, 20)])  # still outside 18 s later: the move counts
    zones = occupancy(loaded, tokens)  # reading occupancy writes presence first
    assert zones["t-cave-01"]["count"] == 0 and zones["t-va-north"]["count"] == 1
    with db.open_session() as session:
        kinds = session.execute(select(ZoneTransition.zone_id, ZoneTransition.kind)
                                .order_by(ZoneTransition.id)).all()
    assert [tuple(k) for k in kinds] == [("t-cave-01", "enter"), ("t-cave-01", "exit"),
                                         ("t-va-north", "enter")]


def test_jitter_across_a_boundary_is_not_counted_in_and_out(post, loaded, db) -> None:  # type: ignore[no-untyped-def]
    post([pos("a", "v1", -61, 70, 0)])
    post([pos(f"j{i}", "v1", -59 if i % 2 else -61, 70, i) for i in range(1, 9)])
    loaded.extensions["lantern"].presence.flush()
    with db.open_session() as session:
        assert session.scalar(select(func.count()).select_from(ZoneTransition)) == 1


def test_visitors_who_stop_reporting_leave(post, loaded, tokens, db) -> None:  # type: ignore[no-untyped-def]
    from server.services.presence import expire_visitors

    post([pos("a", "v1", -80, 70, 0)])
    loaded.extensions["lantern"].presence.flush()
    with db.transaction() as session:
        assert expire_visitors(session, "testsite", T0 + timedelta(seconds=601), 600) == 1
    assert occupancy(loaded, tokens)["t-cave-01"]["count"] == 0


def test_a_closed_zone_has_capacity_zero_and_anyone_inside_is_a_stop(post, loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    post([pos("a", "v1", -80, 70)])
    loaded.test_client().post("/api/v1/sites/testsite/zones/t-cave-01/state",
                              json={"state": "closed"}, headers=bearer(tokens["operator"]))
    cave = occupancy(loaded, tokens)["t-cave-01"]
    assert (cave["capacity"], cave["state"], cave["level"]) == (0, "closed", "stop")


@pytest.mark.parametrize("bad,status", [
    ([{"event_id": "x"}], 422),
    ([pos("x", "v", 0, 0) | {"lon": "east"}], 422),
    ([pos("x", "v", 0, 0) | {"lat": 95.0}], 422),
    ([pos("x", "v", 0, 0) | {"ts": T0.replace(tzinfo=None).isoformat()}], 422),
    ([pos("x", "v", 0, 0), pos("x", "v", 1, 1)], 422),
])
def test_bad_positions_are_refused_and_nothing_is_stored(post, db, bad, status) -> None:  # type: ignore[no-untyped-def]
    response = post([pos("ok", "v0", 0, 0), *bad])
    assert response.status_code == status, response.get_json()
    assert "error" in response.get_json()
    with db.open_session() as session:
        assert session.scalar(select(func.count()).select_from(PositionEvent)) == 0


def test_nan_coordinates_are_refused(loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    raw = ('{"positions": [{"event_id": "n", "visitor_id": "v", "ts": "' + T0.isoformat() + '",'
           ' "lon": NaN, "lat": 30}]}')
    response = loaded.test_client().post("/api/v1/sites/testsite/positions", data=raw,
                                         content_type="application/json",
                                         headers=bearer(tokens["ingest"]))
    assert response.status_code == 422 and "finite" in response.get_json()["error"]["message"]


def test_positions_need_an_ingest_capable_token_and_a_known_site(loaded, tokens, post) -> None:  # type: ignore[no-untyped-def]
    assert post([pos("a", "v", 0, 0)], token="viewer").status_code == 403
    response = loaded.test_client().post("/api/v1/sites/atlantis/positions",
                                         json={"positions": [pos("a", "v", 0, 0)]},
                                         headers=bearer(tokens["ingest"]))
    assert response.status_code == 404


def test_an_oversize_batch_is_refused(loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    loaded.extensions["lantern"].settings["LANTERN_MAX_BATCH"] = 3
    response = loaded.test_client().post(
        "/api/v1/sites/testsite/positions",
        json={"positions": [pos(f"e{i}", "v", 0, 0) for i in range(4)]},
        headers=bearer(tokens["ingest"]))
    assert response.status_code == 422 and "at most 3" in response.get_json()["error"]["message"]


def test_entries_into_a_closed_zone_are_counted_as_violations(post, loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    loaded.test_client().post("/api/v1/sites/testsite/zones/t-cave-01/state",
                              json={"state": "closed"}, headers=bearer(tokens["operator"]))
    now = datetime.now(UTC)
    post([{**pos("a", "v1", -80, 70), "ts": now.isoformat()},
          {**pos("b", "v2", -80, 70), "ts": now.isoformat()}])
    cave = occupancy(loaded, tokens)["t-cave-01"]
    assert cave["violations"] == 2 and cave["level"] == "stop"


def test_capacity_is_derived_from_area_for_visitor_zones_only(loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    body = loaded.test_client().get("/api/v1/sites/testsite/zones",
                                    headers=bearer(tokens["viewer"])).get_json()
    props = {f["id"]: f["properties"] for f in body["features"]}
    south = props["t-va-south"]  # 300 m x 130 m, no capacity given, 0.5 visitors a m2
    assert south["capacity_source"] == "derived" and abs(south["capacity"] - 19_500) < 400
    assert props["t-cave-01"]["capacity_source"] == "given"
    assert (props["t-cc"]["capacity"], props["t-cc"]["capacity_source"]) == (None, "none")


@pytest.mark.parametrize("raw,content_type", [
    ('{"positions": [', "application/json"),             # malformed JSON
    ('[{"event_id": "a"}]', "application/json"),          # not an object
    ('{"positions": []}', "text/plain"),                   # not declared as JSON
])
def test_a_body_that_is_not_a_json_object_is_a_400_and_nothing_is_stored(
        loaded, tokens, db, raw, content_type) -> None:  # type: ignore[no-untyped-def]
    response = loaded.test_client().post("/api/v1/sites/testsite/positions", data=raw,
                                         content_type=content_type,
                                         headers=bearer(tokens["ingest"]))
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"
    with db.open_session() as session:
        assert session.scalar(select(func.count()).select_from(PositionEvent)) == 0


@pytest.mark.parametrize("lon", ['"94.8"', "true", "null", "181", "-180.5"])
def test_a_coordinate_that_is_not_a_number_in_range_is_refused(loaded, tokens, lon: str) -> None:  # type: ignore[no-untyped-def]
    raw = ('{"positions": [{"event_id": "n", "visitor_id": "v", "ts": "' + T0.isoformat() + '",'
           f' "lon": {lon}, "lat": 30}}]}}')
    response = loaded.test_client().post("/api/v1/sites/testsite/positions", data=raw,
                                         content_type="application/json",
                                         headers=bearer(tokens["ingest"]))
    assert response.status_code == 422, response.get_json()
    assert "positions.0.lon" in response.get_json()["error"]["message"]


def test_the_same_event_id_at_two_sites_is_two_events(loaded, tokens, db, post, mini_venues) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from server.services.venues import import_venues

    other = mini_venues / "othersite"
    shutil.copytree(mini_venues / "testsite", other)
    for path in other.iterdir():  # the same venue under other ids
        text = path.read_text().replace("testsite", "othersite").replace('"t-', '"o-')
        path.write_text(text.replace("k-test-", "k-other-"))
    with db.transaction() as session:
        import_venues(session, mini_venues)
    assert post([pos("shared-1", "v1", 0, 0)]).get_json()["accepted"] == 1
    other = loaded.test_client().post("/api/v1/sites/othersite/positions",
                                      json={"positions": [pos("shared-1", "v9", 0, 0)]},
                                      headers=bearer(tokens["ingest"])).get_json()
    assert (other["accepted"], other["duplicates"]) == (1, 0)
    assert post([pos("shared-1", "v1", 0, 0)]).get_json()["duplicates"] == 1


@pytest.mark.parametrize("ts", ["0", "1764580000", "true", "null", '"2026-11-23T09:00:00"'])
def test_a_time_that_is_not_an_iso_string_with_an_offset_is_refused(loaded, tokens, ts: str) -> None:  # type: ignore[no-untyped-def]
    raw = ('{"positions": [{"event_id": "t", "visitor_id": "v", "ts": ' + ts +
           ', "lon": 100, "lat": 30}]}')
    response = loaded.test_client().post("/api/v1/sites/testsite/positions", data=raw,
                                         content_type="application/json",
                                         headers=bearer(tokens["ingest"]))
    assert response.status_code == 422, response.get_json()
    assert "positions.0.ts" in response.get_json()["error"]["message"]
