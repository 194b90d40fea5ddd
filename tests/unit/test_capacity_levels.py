"""Capacity 0 (no access), closed and restricted zones: levels, violations, effective capacity."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from server.domain import capacity
from tests.conftest import bearer, no_access_hall
from tests.helpers import occupancy, pos

TIERS = [{"level": "normal", "ratio": 0}, {"level": "divert", "ratio": 0.8},
         {"level": "stop", "ratio": 1.0}]


def test_anyone_in_a_zone_of_capacity_zero_puts_it_at_stop() -> None:
    assert capacity.capacity_level(15, 0, TIERS) == "stop"
    assert capacity.capacity_level(1, 0, TIERS) == "stop"


def test_an_empty_zone_of_capacity_zero_is_normal() -> None:
    assert capacity.capacity_level(0, 0, TIERS) == "normal"


def test_a_zone_without_capacity_has_no_limit_however_many_are_inside() -> None:
    assert capacity.capacity_level(10_000, None, TIERS) == "normal"


def test_a_restricted_zone_keeps_half_its_capacity_by_default() -> None:
    rows = capacity.occupancy_rows({"cave": 5}, {"cave": {"capacity": 10, "state": "restricted"}},
                                   TIERS)
    assert (rows[0]["capacity"], rows[0]["level"]) == (5, "stop")


def test_a_restricted_zone_follows_the_site_ratio() -> None:
    rows = capacity.occupancy_rows({"cave": 7}, {"cave": {"capacity": 10, "state": "restricted"}},
                                   TIERS, restricted_ratio=0.8)
    assert (rows[0]["capacity"], rows[0]["level"]) == (8, "divert")


def test_the_same_load_in_an_open_zone_stays_normal() -> None:
    rows = capacity.occupancy_rows({"cave": 5}, {"cave": {"capacity": 10, "state": "open"}}, TIERS)
    assert (rows[0]["capacity"], rows[0]["level"]) == (10, "normal")


def test_restricting_a_zone_never_lowers_its_capacity_to_zero() -> None:
    assert capacity.effective_capacity(1, "restricted", 0.1) == 1


def test_restricting_leaves_no_limit_and_no_access_as_they_are() -> None:
    assert capacity.effective_capacity(None, "restricted") is None
    assert capacity.effective_capacity(0, "restricted") == 0


@pytest.mark.parametrize("ratio", [0, -0.5, 1.5, "half", True])
def test_a_restricted_ratio_outside_zero_to_one_is_refused(ratio: object) -> None:
    with pytest.raises(ValueError, match="restricted_ratio"):
        capacity.effective_capacity(10, "restricted", ratio)  # type: ignore[arg-type]


def test_a_capacity_alert_is_raised_once_and_cleared_when_the_zone_empties() -> None:
    full = [{"zone_id": "mound", "count": 15, "capacity": 0, "state": "open"}]
    raised, cleared = capacity.capacity_alert_changes(full, set())
    assert ([r["zone_id"] for r in raised], cleared) == (["mound"], [])
    assert capacity.capacity_alert_changes(full, {"mound"}) == ([], [])
    empty = [{"zone_id": "mound", "count": 0, "capacity": 0, "state": "open"}]
    assert capacity.capacity_alert_changes(empty, {"mound"}) == ([], ["mound"])


def test_a_crowded_zone_with_a_capacity_raises_no_capacity_alert() -> None:
    rows = [{"zone_id": "pit", "count": 500, "capacity": 100, "state": "open"},
            {"zone_id": "cc", "count": 500, "capacity": None, "state": "open"}]
    assert capacity.capacity_alert_changes(rows, set()) == ([], [])


@pytest.fixture
def mini_venues(mini_venues: Path) -> Path:
    """The tiny venue with its hall made no-access (capacity 0)."""
    return no_access_hall(mini_venues)


def post_now(loaded, tokens, items: list[dict]) -> None:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC).isoformat()
    response = loaded.test_client().post(
        "/api/v1/sites/testsite/positions", headers=bearer(tokens["ingest"]),
        json={"positions": [{**item, "ts": now} for item in items]})
    assert response.status_code == 200, response.get_json()


def hall_positions(n: int) -> list[dict]:
    # t-hall-02 is the hall inside the southern visitor area (see test_positions_api)
    return [pos(f"h{i}", f"v{i}", 50, -85) for i in range(n)]


def test_visitors_in_a_no_access_zone_are_at_stop_and_count_as_violations(loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    post_now(loaded, tokens, hall_positions(15))
    hall = occupancy(loaded, tokens)["t-hall-02"]
    assert (hall["count"], hall["capacity"], hall["level"], hall["violations"]) == (15, 0, "stop",
                                                                                      15)


def test_visitors_who_stay_in_a_zone_after_it_closes_count_as_violations(loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    post_now(loaded, tokens, [pos("a", "v1", -80, 70), pos("b", "v2", -80, 70)])
    loaded.test_client().post("/api/v1/sites/testsite/zones/t-cave-01/state",
                              json={"state": "closed"}, headers=bearer(tokens["operator"]))
    cave = occupancy(loaded, tokens)["t-cave-01"]
    assert (cave["count"], cave["capacity"], cave["level"], cave["violations"]) == (2, 0, "stop",
                                                                                      2)


def test_a_restricted_zone_reports_its_lowered_capacity_and_level(loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    response = loaded.test_client().post("/api/v1/sites/testsite/zones/t-cave-01/state",
                                         json={"state": "restricted"},
                                         headers=bearer(tokens["operator"]))
    assert response.status_code == 200, response.get_json()
    post_now(loaded, tokens, [pos(f"c{i}", f"v{i}", -80, 70) for i in range(5)])
    cave = occupancy(loaded, tokens)["t-cave-01"]  # capacity 10, restricted to 5
    assert (cave["count"], cave["capacity"], cave["level"], cave["violations"]) == (5, 5, "stop",
                                                                                      0)
