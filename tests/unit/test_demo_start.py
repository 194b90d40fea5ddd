"""Starting the demo: ``--fresh`` deletes a SQLite database and the demo's state only, and
refuses any other database; the demo's users, one of each role, are created once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from server.auth import check_login, create_user
from server.cli import _delete_demo_state
from server.cli import main as cli
from server.demo.logins import LOGINS_FILE, ensure_logins
from server.storage.models import User
from tests.helpers import free_port


def test_fresh_deletes_the_sqlite_database_and_the_demos_state_but_not_the_secret_key(
        app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    instance = Path(app.instance_path)
    database = tmp_path / "lantern.db"
    assert database.exists()
    (instance / "demo" / "kiosks" / "k-1").mkdir(parents=True)
    (instance / "demo" / "kiosks" / "k-1.log").write_text("log")
    (instance / LOGINS_FILE).write_text("{}")
    (instance / "reports" / "run-1").mkdir(parents=True)
    secret = instance / "secret_key"
    secret.write_text("kept")
    _delete_demo_state(app)
    assert not database.exists() and not (tmp_path / "lantern.db-wal").exists()
    assert not (instance / "demo").exists() and not (instance / LOGINS_FILE).exists()
    assert not (instance / "reports").exists()
    assert secret.read_text() == "kept"


def test_fresh_refuses_a_database_that_is_not_a_sqlite_file(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LANTERN_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("LANTERN_ASYNC_MODE", "threading")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://lantern:secret@127.0.0.1:1/venue")
    done = CliRunner().invoke(cli, ["demo", "--fresh", "--port", str(free_port())])
    assert done.exit_code == 2
    assert "--fresh deletes only a SQLite database file" in done.output
    assert "secret" not in done.output, "the password is not shown"
    assert not (tmp_path / "instance" / "demo").exists()


def test_the_demo_users_of_every_role_are_created_once_and_keep_their_passwords(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    instance = tmp_path / "instance"
    first = ensure_logins(db, instance, create_user)
    assert list(first) == ["admin", "operator", "planner", "viewer"]
    assert ensure_logins(db, instance, create_user) == first
    assert oct((instance / LOGINS_FILE).stat().st_mode & 0o777) == "0o600"
    with db.open_session() as session:
        for name, password in first.items():
            user = check_login(session, name, password)
            assert user is not None and user.role == name
        assert len(session.scalars(select(User)).all()) == 4


def test_a_demo_user_whose_password_was_lost_gets_a_new_one(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    instance = tmp_path / "instance"
    first = ensure_logins(db, instance, create_user)
    kept = {k: v for k, v in first.items() if k != "viewer"}
    (instance / LOGINS_FILE).write_text(json.dumps(kept))
    second = ensure_logins(db, instance, create_user)
    assert {k: second[k] for k in kept} == kept
    assert second["viewer"] != first["viewer"]
    with db.open_session() as session:
        assert check_login(session, "viewer", second["viewer"]) is not None


@pytest.mark.parametrize("size", ["640", "8x8", "axb", "640x-1"])
def test_a_kiosk_size_that_is_not_wxh_is_refused_before_anything_starts(size: str) -> None:
    done = CliRunner().invoke(cli, ["demo", "--kiosk-size", size, "--port", str(free_port())])
    assert done.exit_code == 2 and "--kiosk-size" in done.output
