"""Fixtures shared by the integration tests of one venue's live API (readings, site figures,
activity, capacity): the mini venue imported into an app on SQLite or PostgreSQL, a token a
role, and what the live venue tells operators."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from server.services.tokens import create_token
from server.services.venues import import_venues
from tests.conftest import make_app


@pytest.fixture
def venue(database_url: str, tmp_path: Path, mini_venues: Path) -> Iterator[Flask]:
    app = make_app(tmp_path, DATABASE_URL=database_url)
    with app.extensions["lantern"].db.transaction() as session:
        import_venues(session, mini_venues)
    yield app
    app.extensions["lantern"].db.dispose()


@pytest.fixture
def venue_tokens(venue: Flask) -> dict[str, str]:
    """A token for each role that runs, reads or feeds the venue: admin, operator, viewer, ingest."""
    with venue.extensions["lantern"].db.transaction() as session:
        return {role: create_token(session, role, f"test {role}")
                for role in ("admin", "operator", "viewer", "ingest")}


@pytest.fixture
def heard(venue: Flask, monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    """What the live venue tells operators, by event name."""
    events: dict[str, list[Any]] = {}
    hub = venue.extensions["lantern"].hub
    monkeypatch.setattr(hub, "to_operators",
                        lambda event, data: events.setdefault(event, []).append(data))
    monkeypatch.setattr(hub, "wake", lambda kiosks: None)
    return events
