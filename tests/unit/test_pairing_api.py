"""Pairing over REST on a real SQLite database: the code on the screen, sites and zones, expiry,
rejection; and sessions that name an unknown experience."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from server.realtime import kiosk as kiosk_namespace
from server.services import fleet
from server.services.kiosks import create_kiosk
from server.storage.models import Kiosk, KioskCommand, KioskSession, utcnow
from tests.conftest import bearer


@pytest.fixture
def api(loaded, tokens):  # type: ignore[no-untyped-def]
    client = loaded.test_client()

    def call(method: str, path: str, **kw: Any):  # type: ignore[no-untyped-def]
        return client.open(f"/api/v1{path}", method=method, headers=bearer(tokens["operator"]), **kw)
    return call


def pending_kiosk(db, site_id: str | None = None, age_s: float = 0) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        kiosk = fleet.start_pairing(session, "Hall kiosk", "vr", site_id)
        kiosk.created_at = utcnow() - timedelta(seconds=age_s)
        assert kiosk.pairing_code is not None
        return kiosk.id, kiosk.pairing_code


def error_code(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_json()["error"]["code"]  # type: ignore[no-any-return]


def listed(api) -> dict[str, dict[str, Any]]:  # type: ignore[no-untyped-def]
    return {k["kiosk_id"]: k for k in api("GET", "/kiosks").get_json()["kiosks"]}


def test_approving_needs_the_code_shown_on_the_kiosks_screen(api, db) -> None:  # type: ignore[no-untyped-def]
    kiosk_id, code = pending_kiosk(db, "testsite")
    assert api("POST", f"/kiosks/{kiosk_id}/approve", json={"site_id": "testsite"}).status_code == 422
    wrong = "000-000" if code != "000-000" else "000-001"
    refused = api("POST", f"/kiosks/{kiosk_id}/approve", json={"code": wrong})
    assert refused.status_code == 422 and error_code(refused) == "pairing_code_mismatch"
    assert listed(api)[kiosk_id]["status"] == "pending"
    # typed without the dash, as an operator reading the screen might
    done = api("POST", f"/kiosks/{kiosk_id}/approve", json={"code": code.replace("-", " ")})
    assert done.status_code == 200, done.get_json()
    assert listed(api)[kiosk_id]["status"] == "approved"


def test_approving_for_an_unknown_site_or_a_zone_not_at_the_site_is_refused(api, db) -> None:  # type: ignore[no-untyped-def]
    kiosk_id, code = pending_kiosk(db)
    cases = [({"site_id": "atlantis"}, "unknown_site"),
             ({"site_id": "testsite", "zone_id": "t-nowhere"}, "unknown_zone"),
             ({"zone_id": "t-cave-01"}, "unknown_zone")]  # a zone needs a site
    for extra, expected in cases:
        response = api("POST", f"/kiosks/{kiosk_id}/approve", json={"code": code, **extra})
        assert response.status_code == 422 and error_code(response) == expected, extra
        assert expected.split("_")[1] in response.get_json()["error"]["message"]
    done = api("POST", f"/kiosks/{kiosk_id}/approve",
               json={"code": code, "site_id": "testsite", "zone_id": "t-cave-01", "group": "hall"})
    assert done.status_code == 200
    row = listed(api)[kiosk_id]
    assert (row["site_id"], row["zone_id"], row["group"]) == ("testsite", "t-cave-01", "hall")


def test_approving_after_the_pairing_time_is_a_conflict_even_before_the_sweep(api, db) -> None:  # type: ignore[no-untyped-def]
    kiosk_id, code = pending_kiosk(db, "testsite", age_s=601)
    response = api("POST", f"/kiosks/{kiosk_id}/approve", json={"code": code})
    assert response.status_code == 409 and error_code(response) == "pairing_expired"
    with db.transaction() as session:
        assert session.get(Kiosk, kiosk_id).token_hash is None  # type: ignore[union-attr]


def test_the_sweep_expires_pending_kiosks_then_removes_them_after_a_day(api, db) -> None:  # type: ignore[no-untyped-def]
    old_id, old_code = pending_kiosk(db, "testsite", age_s=650)
    new_id, _ = pending_kiosk(db, "testsite", age_s=10)
    now = utcnow()
    with db.transaction() as session:
        expired = fleet.expire_pairings(session, now, 600)
        assert [k.id for k in expired] == [old_id]
    with db.transaction() as session:
        row = session.get(Kiosk, old_id)
        assert row is not None and row.status == "expired" and row.pairing_code is None
    assert old_id not in listed(api) and listed(api)[new_id]["status"] == "pending"
    response = api("POST", f"/kiosks/{old_id}/approve", json={"code": old_code})
    assert response.status_code == 409 and error_code(response) == "pairing_expired"
    with db.transaction() as session:
        assert [k.id for k in fleet.expire_pairings(session, now + timedelta(hours=23), 600)] == [
            new_id]
        assert session.get(Kiosk, old_id) is not None  # kept for a day
    with db.transaction() as session:
        fleet.expire_pairings(session, now + timedelta(days=1, seconds=1), 600)
    with db.transaction() as session:
        assert session.get(Kiosk, old_id) is None
        assert session.get(Kiosk, new_id).status == "expired"  # type: ignore[union-attr]


def test_rejecting_removes_a_pending_kiosk_and_only_a_pending_one(api, db) -> None:  # type: ignore[no-untyped-def]
    kiosk_id, _ = pending_kiosk(db, "testsite")
    assert api("POST", f"/kiosks/{kiosk_id}/reject").status_code == 200
    assert kiosk_id not in listed(api)
    assert api("POST", f"/kiosks/{kiosk_id}/reject").status_code == 404
    with db.transaction() as session:
        approved_id, _ = create_kiosk(session, "testsite", 100.0, 30.0)
    response = api("POST", f"/kiosks/{approved_id}/reject")
    assert response.status_code == 409 and listed(api)[approved_id]["status"] == "approved"


def test_pairing_with_an_unknown_site_stores_nothing(db) -> None:  # type: ignore[no-untyped-def]
    with db.transaction() as session, pytest.raises(fleet.errors.UnknownSite, match="atlantis"):
        fleet.start_pairing(session, "x", "vr", "atlantis")
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Kiosk)) == 0


def test_a_session_with_an_unknown_experience_is_refused_and_stores_nothing(api, db) -> None:  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        kiosk_id, _ = create_kiosk(session, "testsite", 100.0, 30.0)
    response = api("POST", f"/kiosks/{kiosk_id}/sessions",
                   json={"duration_s": 60, "experience_id": "no-such-experience"})
    assert response.status_code == 422 and error_code(response) == "unknown_experience"
    assert "no-such-experience" in response.get_json()["error"]["message"]
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(KioskSession)) == 0
        assert session.scalar(select(func.count()).select_from(KioskCommand)) == 0
    started = api("POST", f"/kiosks/{kiosk_id}/sessions",
                  json={"duration_s": 60, "experience_id": "t-intro"})
    assert started.status_code == 201 and started.get_json()["status"] == "running"


@pytest.mark.parametrize("reader", ["parse_rate", "read_rate"])
def test_a_pairing_rate_reads_as_the_limits_package_writes_it(reader: str) -> None:
    parse = getattr(kiosk_namespace, reader)
    assert parse("5 per minute") == (5, 60.0)
    assert parse("10/hour") == (10, 3600.0)
    assert parse("2 per 10 seconds") == (2, 10.0)
    with pytest.raises(ValueError, match="5 per minute"):
        parse("lots")


def test_an_address_gets_its_attempts_then_waits_while_others_are_not_held_up() -> None:
    limiter = kiosk_namespace.AttemptLimiter(5, 60.0)
    assert [limiter.wait("10.0.0.1") for _ in range(5)] == [0.0] * 5
    wait = limiter.wait("10.0.0.1")
    assert 11 < wait <= 12  # one attempt comes back every 12 s
    assert limiter.wait("10.0.0.2") == 0.0
