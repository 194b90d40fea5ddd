"""Presence is folded in memory at once and written behind; a restart replays what was owed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from server.services.intake import record_positions
from server.services.venues import import_venues
from server.storage.models import PresenceCheckpoint, VisitorPresence, ZoneTransition
from server.storage.presence_book import PresenceBook
from tests.conftest import make_app
from tests.helpers import T0, pos


@pytest.fixture
def state(tmp_path: Path, database_url: str, mini_venues: Path):  # type: ignore[no-untyped-def]
    app = make_app(tmp_path, DATABASE_URL=database_url)
    state = app.extensions["lantern"]
    with state.db.transaction() as session:
        import_venues(session, mini_venues)
    yield state
    state.db.dispose()


def send(state, positions: list[dict]) -> dict:  # type: ignore[no-untyped-def]
    return record_positions(state, "testsite", {"positions": positions})


def stored(db) -> tuple[dict[str, str | None], list[tuple[str, str, str]]]:  # type: ignore[no-untyped-def]
    """(visitor -> zone) and [(visitor, zone, kind)] as the database holds them."""
    with db.open_session() as session:
        presence = dict(session.execute(select(VisitorPresence.visitor_id,
                                               VisitorPresence.zone_id)).all())
        moves = [tuple(r) for r in session.execute(
            select(ZoneTransition.visitor_id, ZoneTransition.zone_id, ZoneTransition.kind)
            .order_by(ZoneTransition.visitor_id, ZoneTransition.id))]
    return presence, moves  # type: ignore[return-value]


WALK = [  # v1 walks from the cave to the northern visitor area; v2 stays in the cave
    pos("a1", "v1", -80, 70, 0), pos("b1", "v2", -80, 70, 0),
    pos("a2", "v1", 0, 100, 5), pos("a3", "v1", 0, 100, 20), pos("b2", "v2", -81, 70, 20),
]


def test_nothing_reaches_the_presence_table_until_a_flush_and_then_all_of_it(state) -> None:  # type: ignore[no-untyped-def]
    send(state, WALK[:2])
    send(state, WALK[2:])
    assert stored(state.db) == ({}, [])
    book = state.presence
    assert book.stats() == {"visitors": 2, "dirty": 2, "transitions": 4}
    assert book.flush() == 2 + 4
    presence, moves = stored(state.db)
    assert presence == {"v1": "t-va-north", "v2": "t-cave-01"}
    assert moves == [("v1", "t-cave-01", "enter"), ("v1", "t-cave-01", "exit"),
                     ("v1", "t-va-north", "enter"), ("v2", "t-cave-01", "enter")]
    assert book.flush() == 0  # nothing owed


def test_a_visitor_reporting_many_times_is_written_once_per_flush(state) -> None:  # type: ignore[no-untyped-def]
    send(state, [pos(f"e{i}", "v1", -80, 70, i) for i in range(50)])
    assert state.presence.flush() == 1 + 1  # one presence row, one enter


def test_a_restart_replays_what_the_stopped_process_had_not_written(state) -> None:  # type: ignore[no-untyped-def]
    crashed = state.presence
    crashed.recover()  # the checkpoint a starting process writes
    send(state, WALK[:2])
    crashed.flush()
    send(state, WALK[2:])  # acknowledged, folded, never flushed: then the process dies
    assert stored(state.db)[0] == {"v1": "t-cave-01", "v2": "t-cave-01"}

    restarted = PresenceBook(state.db)
    assert restarted.recover() == 3
    presence, moves = stored(state.db)
    assert presence == {"v1": "t-va-north", "v2": "t-cave-01"}
    assert moves == [("v1", "t-cave-01", "enter"), ("v1", "t-cave-01", "exit"),
                     ("v1", "t-va-north", "enter"), ("v2", "t-cave-01", "enter")]

    again = PresenceBook(state.db)  # replaying what is already written changes nothing
    again.recover()
    assert stored(state.db) == (presence, moves)
    with state.db.open_session() as session:
        assert session.scalar(select(func.count()).select_from(PresenceCheckpoint)) == 3


def test_a_fresh_database_has_nothing_to_replay(state) -> None:  # type: ignore[no-untyped-def]
    assert PresenceBook(state.db).recover() == 0


def test_visitors_gone_quiet_are_forgotten_only_for_their_site(state) -> None:  # type: ignore[no-untyped-def]
    send(state, WALK)
    book = state.presence
    book.flush()
    assert book.forget_before("elsewhere", T0.replace(year=2100)) == 0
    assert book.forget_before("testsite", T0.replace(second=10)) == 0  # both seen at 20 s
    assert book.forget_before("testsite", T0.replace(second=21)) == 2
    assert book.stats()["visitors"] == 0


def test_the_live_sweep_writes_presence_then_forgets_quiet_visitors_everywhere(state) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    old = (now - timedelta(hours=2)).isoformat()  # beyond the site's visitor timeout
    send(state, [{**pos("q1", "quiet", -80, 70), "ts": old},
                 {**pos("f1", "fresh", -80, 70), "ts": now.isoformat()}])
    live, book = state.live, state.presence
    live._last_expiry = 0.0  # the sweep is due
    live.expire_visitors()
    presence, moves = stored(state.db)
    assert presence == {"fresh": "t-cave-01"}  # written, and the quiet one removed
    assert ("quiet", "t-cave-01", "exit") in moves
    assert book.stats()["visitors"] == 1
