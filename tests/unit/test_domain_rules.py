"""The venue's rules, without an app: capacity levels, fleet commands, content, sessions."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from server.domain import capacity, content, fleet, presence, sessions

TIERS = [{"level": "normal", "ratio": 0}, {"level": "divert", "ratio": 0.8},
         {"level": "stop", "ratio": 1.0}]
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_importing_the_domain_loads_no_framework() -> None:
    code = ("import sys, server.domain.capacity, server.domain.fleet, server.domain.content, "
            "server.domain.sessions, server.domain.presence; "
            "bad = [m for m in ('flask', 'flask_socketio', 'sqlalchemy') if m in sys.modules]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


@pytest.mark.parametrize("count,expected", [(0, "normal"), (79, "normal"), (80, "divert"),
                                            (99, "divert"), (100, "stop"), (150, "stop")])
def test_capacity_level_is_the_highest_tier_reached(count: int, expected: str) -> None:
    assert capacity.capacity_level(count, 100, TIERS) == expected


def test_a_closed_zone_is_closed_when_empty_and_stop_when_anyone_is_inside() -> None:
    assert capacity.capacity_level(0, 100, TIERS, "closed") == "closed"
    assert capacity.capacity_level(1, 100, TIERS, "closed") == "stop"


def test_a_zone_without_capacity_stays_at_the_lowest_tier() -> None:
    assert capacity.capacity_level(10_000, None, TIERS) == "normal"


def test_a_group_command_reaches_approved_members_minus_exclusions() -> None:
    kiosks = [fleet.KioskRef("a", "hall", "approved"), fleet.KioskRef("b", "hall", "approved"),
              fleet.KioskRef("c", "hall", "revoked"), fleet.KioskRef("d", "gate", "approved")]
    assert fleet.resolve_targets(kiosks, group="hall", exclude=["b"]) == ["a"]
    assert fleet.resolve_targets(kiosks, group="*") == ["a", "b", "d"]
    assert fleet.resolve_targets(kiosks, kiosk_id="c") == []
    with pytest.raises(fleet.CommandRejected):
        fleet.resolve_targets(kiosks, kiosk_id="a", group="hall")


def test_pairing_codes_are_six_digits_in_two_groups() -> None:
    code = fleet.pairing_code()
    assert len(code) == 7 and code[3] == "-" and code.replace("-", "").isdigit()




RULES = [
    {"id": "cave-closed", "when": {"zone_closed": "cave"}, "kiosk_zones": ["south"],
     "feature": "cave-virtual"},
    {"id": "crowd", "when": {"zone": "north", "occupancy_at_least": 40},
     "kiosk_zones": ["north"], "feature": "short-tour"},
    {"id": "default", "when": {}, "kiosk_zones": ["*"], "feature": "intro"},
]


def test_a_closed_cave_features_its_substitute_on_neighbouring_kiosks_only() -> None:
    closed = {"cave": "closed"}
    assert content.featured_experience(RULES, "south", [], closed, {}) == ("cave-virtual",
                                                                            "cave-closed")
    assert content.featured_experience(RULES, "north", [], closed, {})[0] == "intro"


def test_a_crowd_entering_a_hall_changes_what_its_kiosks_feature() -> None:
    assert content.featured_experience(RULES, "north", [], {}, {"north": 39})[0] == "intro"
    assert content.featured_experience(RULES, "north", [], {}, {"north": 40})[0] == "short-tour"


def test_a_kiosk_zone_matches_rules_for_its_ancestors() -> None:
    assert content.featured_experience(RULES, "south-hall", ["south"], {"cave": "closed"},
                                       {})[0] == "cave-virtual"


def test_sessions_queue_start_extend_and_end_on_time() -> None:
    a, b = sessions.SessionPlan("a", "queued", 60), sessions.SessionPlan("b", "queued", 60)
    assert sessions.next_to_start([a, b]) is a
    sessions.start(a, T0)
    assert sessions.next_to_start([a, b]) is None
    sessions.extend(a, 30)
    assert not sessions.due_to_end(a, T0 + timedelta(seconds=89))
    assert sessions.due_to_end(a, T0 + timedelta(seconds=90))
    with pytest.raises(ValueError):
        sessions.extend(b, 10)


def test_presence_ignores_observations_older_than_the_last() -> None:
    t0 = T0.timestamp()
    state, move = presence.step("v", None, "cave", t0, 10)
    assert move and move.to_zone == "cave"
    state, move = presence.step("v", state, "hall", t0 - 30, 10)
    assert move is None and state.zone == "cave"


def test_presence_confirms_a_move_after_the_debounce_with_dwell_time() -> None:
    t0 = T0.timestamp()
    state, _ = presence.step("v", None, "cave", t0, 10)
    state, move = presence.step("v", state, "hall", t0 + 60, 10)
    assert move is None and state.pending_zone == "hall"
    state, move = presence.step("v", state, "hall", t0 + 70, 10)
    assert move is not None and (move.from_zone, move.to_zone, move.dwell_s) == ("cave", "hall", 60)
