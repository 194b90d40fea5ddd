"""GET /api/v1/audit: the audit log for admins, newest first, filtered, paged by id."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from server.services import audit
from server.services.tokens import create_token
from tests.conftest import bearer, make_app

T = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def logged(database_url: str, tmp_path: Path) -> Iterator[tuple[Flask, dict[str, str]]]:
    """An app whose audit log holds 250 entries a minute apart from T (actors olga and ivan
    in turn, actions login and logout in turns of three), and tokens of two roles."""
    app = make_app(tmp_path, DATABASE_URL=database_url)
    db = app.extensions["lantern"].db
    with db.transaction() as session:
        tokens = {role: create_token(session, role) for role in ("admin", "operator")}
    with db.transaction() as session:
        for i in range(250):
            audit.record(session, "olga" if i % 2 else "ivan", "login" if i % 3 else "logout",
                         f"t{i}", at=T + timedelta(minutes=i), n=i)
    yield app, tokens
    db.dispose()


def get(app: Flask, token: str, **query: Any) -> Any:
    return app.test_client().get("/api/v1/audit", query_string=query, headers=bearer(token))


def test_pages_run_newest_first_and_together_hold_every_entry_once(logged) -> None:  # type: ignore[no-untyped-def]
    app, tokens = logged
    seen: list[int] = []
    page = get(app, tokens["admin"], limit=100).get_json()
    pages = 1
    while page["next_before"] is not None:
        seen += [e["id"] for e in page["entries"]]
        page = get(app, tokens["admin"], limit=100, before=page["next_before"]).get_json()
        pages += 1
    seen += [e["id"] for e in page["entries"]]
    assert pages == 3
    assert seen == sorted(seen, reverse=True) and len(set(seen)) == len(seen) == 252


def test_a_page_does_not_shift_when_entries_are_added_meanwhile(logged) -> None:  # type: ignore[no-untyped-def]
    app, tokens = logged
    first = get(app, tokens["admin"], limit=10, actor="olga").get_json()
    with app.extensions["lantern"].db.transaction() as session:
        audit.record(session, "olga", "login", "new")
    second = get(app, tokens["admin"], limit=10, actor="olga",
                 before=first["next_before"]).get_json()
    assert second["entries"][0]["id"] < first["entries"][-1]["id"]
    assert second["entries"][0]["target"] == "t229"


def test_entries_filter_by_actor_action_and_time(logged) -> None:  # type: ignore[no-untyped-def]
    app, tokens = logged
    entries = get(app, tokens["admin"], actor="olga", action="logout",
                  **{"from": (T + timedelta(minutes=10)).isoformat(),
                     "to": (T + timedelta(minutes=40)).isoformat()}).get_json()["entries"]
    assert [e["target"] for e in entries] == ["t39", "t33", "t27", "t21", "t15"]
    entry = entries[0]
    assert set(entry) == {"id", "ts", "actor", "action", "target", "detail"}
    assert entry["detail"] == {"n": 39}
    assert datetime.fromisoformat(entry["ts"]) == T + timedelta(minutes=39)


def test_the_default_page_is_100_and_at_most_1000_may_be_asked(logged) -> None:  # type: ignore[no-untyped-def]
    app, tokens = logged
    assert len(get(app, tokens["admin"]).get_json()["entries"]) == 100
    too_many = get(app, tokens["admin"], limit=1001)
    assert too_many.status_code == 422 and too_many.get_json()["error"]["code"] == "invalid"
    assert get(app, tokens["admin"], limit=1000).get_json()["next_before"] is None


def test_the_audit_log_is_for_admins_only(logged) -> None:  # type: ignore[no-untyped-def]
    app, tokens = logged
    assert get(app, tokens["operator"]).status_code == 403
    assert app.test_client().get("/api/v1/audit").status_code == 401


@pytest.mark.parametrize(("column", "index"), [("actor", "ix_audit_log_actor_id"),
                                               ("action", "ix_audit_log_action_id")])
def test_a_filtered_page_reads_one_index_range(tmp_path: Path, column: str, index: str) -> None:
    app = make_app(tmp_path)
    try:
        with app.extensions["lantern"].db.engine.connect() as conn:
            plan = " ".join(str(row[-1]) for row in conn.execute(text(
                f"EXPLAIN QUERY PLAN SELECT * FROM audit_log WHERE {column} = 'x' AND id < 50 "
                f"ORDER BY id DESC LIMIT 101")))
    finally:
        app.extensions["lantern"].db.dispose()
    assert f"USING INDEX {index}" in plan and "TEMP B-TREE" not in plan
