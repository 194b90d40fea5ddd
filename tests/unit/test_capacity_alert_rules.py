"""When a zone's load raises a capacity alert and when it clears; the site's figures at a
glance; and the alert webhook's queue, which never makes its caller wait."""

from __future__ import annotations

import logging

import pytest

from server.domain import capacity
from server.services.webhook import AlertWebhook, payload

TIERS = [{"level": "normal", "ratio": 0}, {"level": "divert", "ratio": 0.8},
         {"level": "stop", "ratio": 1.0}]


def row(count: int, cap: int | None, zone: str = "cave", state: str = "open") -> dict:
    return {"zone_id": zone, "count": count, "capacity": cap, "state": state}


def test_a_zone_reaching_the_stop_tier_raises_one_alert() -> None:
    raised, cleared = capacity.capacity_alert_changes([row(10, 10), row(12, 10, "hall")],
                                                      set(), TIERS)
    assert [r["zone_id"] for r in raised] == ["cave", "hall"] and cleared == []
    assert capacity.capacity_alert_changes([row(12, 10)], {"cave"}, TIERS) == ([], [])


def test_the_alert_holds_until_the_load_falls_below_the_divert_tier() -> None:
    assert capacity.capacity_alert_changes([row(9, 10)], {"cave"}, TIERS) == ([], [])
    assert capacity.capacity_alert_changes([row(8, 10)], {"cave"}, TIERS) == ([], [])
    assert capacity.capacity_alert_changes([row(7, 10)], {"cave"}, TIERS) == ([], ["cave"])


def test_with_only_a_stop_tier_the_alert_clears_below_it() -> None:
    tiers = [{"level": "normal", "ratio": 0}, {"level": "stop", "ratio": 1.0}]
    assert capacity.capacity_alert_changes([row(9, 10)], {"cave"}, tiers) == ([], ["cave"])


def test_without_tiers_only_people_where_nobody_may_be_raise_an_alert() -> None:
    assert capacity.capacity_alert_changes([row(50, 10)], set()) == ([], [])
    raised, _ = capacity.capacity_alert_changes([row(1, 0, state="closed")], set())
    assert [r["zone_id"] for r in raised] == ["cave"]


def test_a_zone_without_a_limit_never_raises_and_a_reopened_one_clears() -> None:
    assert capacity.capacity_alert_changes([row(10_000, None)], set(), TIERS) == ([], [])
    assert capacity.capacity_alert_changes([row(3, 10)], {"cave"}, TIERS) == ([], ["cave"])


def test_an_empty_closed_zone_is_closed_and_raises_nothing() -> None:
    [closed] = capacity.occupancy_rows({}, {"cave": {"capacity": 10, "state": "closed"}}, TIERS)
    assert (closed["capacity"], closed["level"]) == (0, "closed")
    assert capacity.capacity_alert_changes([closed], set(), TIERS) == ([], [])


def test_the_site_figures_put_the_load_now_against_the_instantaneous_capacity() -> None:
    figures = capacity.site_figures(1500, 5200, 1500, 6000, TIERS, "2026-10-01")
    assert figures == {"count": 1500, "capacity": 1500, "level": "stop", "today": 5200,
                       "daily_capacity": 6000, "day": "2026-10-01"}
    assert capacity.site_figures(10, 10, None, None, TIERS, "2026-10-01")["level"] == "normal"


def test_the_webhook_posts_the_alert_as_operators_hear_it_with_its_event_and_site() -> None:
    alert = {"id": 4, "site_id": "mogao", "kind": "capacity", "change": "cleared"}
    assert payload(alert, "Mogao Grottoes") == {**alert, "event": "cleared",
                                                "site": "Mogao Grottoes"}
    assert payload(alert, None)["site"] == "mogao"


def test_the_webhook_queue_is_bounded_and_drops_with_a_log_line(
        caplog: pytest.LogCaptureFixture) -> None:
    started: list[object] = []
    hook = AlertWebhook("http://127.0.0.1:9/hook", queue_size=2, spawn=started.append)
    with caplog.at_level(logging.ERROR, logger="server.services.webhook"):
        sent = [hook.send({"id": i, "change": "raised"}) for i in range(3)]
    assert sent == [True, True, False] and len(started) == 1  # one task, started once
    assert "queue full (2), alert 2 (raised) not posted" in caplog.text
    assert hook.send({"id": 5, "change": "acknowledged"}) is False  # not an event it posts


def test_the_webhook_takes_only_http_urls() -> None:
    with pytest.raises(ValueError, match="http:// or https://"):
        AlertWebhook("file:///etc/passwd")
