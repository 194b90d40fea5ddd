"""Shared fixtures: an app on a fresh database, clients, users and tokens of every role."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from server import create_app
from server.auth import create_user
from server.services.tokens import create_token
from tests.helpers import FIXTURES, ROOT  # noqa: F401 - ROOT: tests import it from here too

POSTGRES_ADMIN_URL = os.environ.get("LANTERN_TEST_POSTGRES_URL",
                                    "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("LANTERN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PASSWORD = "correct horse battery"


def unavailable(reason: str) -> None:
    """Skip a test whose service or tool is missing here; in CI (LANTERN_REQUIRE_ALL) fail it."""
    if os.environ.get("LANTERN_REQUIRE_ALL"):
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def _postgres_reachable() -> bool:
    engine = create_engine(POSTGRES_ADMIN_URL)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means: not reachable here
        return False
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def postgres_available() -> bool:
    return _postgres_reachable()


@pytest.fixture
def postgres_url(postgres_available: bool) -> Iterator[str]:
    """A fresh, empty PostgreSQL database, dropped afterwards."""
    if not postgres_available:
        unavailable(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}")
    name = f"lantern_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each storage test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'lantern.db'}"
    return request.getfixturevalue("postgres_url")  # type: ignore[no-any-return]


def make_app(tmp_path: Path, **overrides):  # type: ignore[no-untyped-def]
    config = {
        "LANTERN_INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'lantern.db'}",
        "LANTERN_LOG_LEVEL": "WARNING",
        "SECRET_KEY": "test-secret",
        "TESTING": True,
        "LANTERN_ASYNC_MODE": "threading",
    }
    config.update(overrides)
    app = create_app(config)
    app.extensions["lantern"].db.migrate()
    return app


@pytest.fixture
def app(tmp_path: Path):  # type: ignore[no-untyped-def]
    app = make_app(tmp_path)
    yield app
    app.extensions["lantern"].db.dispose()


@pytest.fixture
def db(app):  # type: ignore[no-untyped-def]
    return app.extensions["lantern"].db


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
def mini_venues(tmp_path: Path) -> Path:
    """A copy of the tiny synthetic venue folder, safe to edit."""
    target = tmp_path / "venues"
    shutil.copytree(FIXTURES / "venues_min", target)
    return target


def no_access_hall(venues: Path) -> Path:
    """Make the tiny venue's hall no-access (capacity 0) in a copy of the venue folder."""
    import json

    path = venues / "testsite" / "zones.geojson"
    data = json.loads(path.read_text())
    for feature in data["features"]:
        if feature["properties"]["id"] == "t-hall-02":
            feature["properties"]["capacity"] = 0
    path.write_text(json.dumps(data))
    return venues


@pytest.fixture
def loaded(app, mini_venues: Path):  # type: ignore[no-untyped-def]
    """The app with the tiny venue imported."""
    from server.services.venues import import_venues

    with app.extensions["lantern"].db.transaction() as session:
        import_venues(session, mini_venues)
    return app


@pytest.fixture
def tokens(db) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """An API token for every role."""
    with db.transaction() as session:
        return {role: create_token(session, role, f"test {role}")
                for role in ("admin", "operator", "planner", "viewer", "ingest")}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class AuthActions:
    """Log in and out through the real login form, CSRF token included."""

    def __init__(self, client, db) -> None:  # type: ignore[no-untyped-def]
        self.client = client
        self.db = db

    def create(self, username: str = "olga", role: str = "operator") -> None:
        with self.db.transaction() as session:
            create_user(session, username, PASSWORD, role)

    def csrf(self, path: str = "/login") -> str:
        import re

        html = self.client.get(path).get_data(as_text=True)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
            r'name="csrf-token" content="([^"]+)"', html)
        assert match, "no CSRF token in the page"
        return match.group(1)

    def login(self, username: str = "olga", password: str = PASSWORD,  # type: ignore[no-untyped-def]
              address: str = "127.0.0.1", path: str = "/login"):
        """Post the login form from client ``address`` to ``path`` (which may carry ``?next=``)."""
        token = self.csrf()
        return self.client.post(path, data={"username": username, "password": password,
                                            "csrf_token": token},
                                environ_base={"REMOTE_ADDR": address})


@pytest.fixture
def auth(client, db) -> AuthActions:  # type: ignore[no-untyped-def]
    return AuthActions(client, db)
