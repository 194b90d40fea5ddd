"""Fixtures of the report tests: a tiny database with the server's schema for each test.

The schema is made once a session by the server's own migration (tests may import the server;
analytics_notebooks may not) and copied for each test.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from analytics_fixtures import TinySite

from analytics_notebooks.db import Sql


@pytest.fixture(scope="session")
def schema_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from server.storage.database import Database

    path = tmp_path_factory.mktemp("schema") / "lantern.db"
    db = Database(f"sqlite:///{path}")
    db.migrate()
    db.dispose()
    return path


@pytest.fixture
def tiny(schema_file: Path, tmp_path: Path) -> Iterator[TinySite]:
    path = tmp_path / "lantern.db"
    shutil.copy(schema_file, path)
    site = TinySite(f"sqlite:///{path}")
    yield site
    site.engine.dispose()


@pytest.fixture
def sql(tiny: TinySite) -> Iterator[Sql]:
    yield from tiny.sql()
