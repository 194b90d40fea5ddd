"""Children that check proposed works or render previews never see the server's settings."""

from __future__ import annotations

import pytest

from server.services.sandbox import child_env


def test_a_child_gets_no_database_url_secret_key_or_lantern_setting(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://lantern:pw@db/lantern")
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    monkeypatch.setenv("SOCKETIO_MESSAGE_QUEUE", "redis://cache")
    monkeypatch.setenv("LANTERN_INSTANCE_PATH", "/srv/lantern")
    monkeypatch.setenv("DISPLAY", ":0")
    env = child_env()
    assert not {"DATABASE_URL", "SECRET_KEY", "SOCKETIO_MESSAGE_QUEUE",
                "LANTERN_INSTANCE_PATH"} & set(env)
    assert env["DISPLAY"] == ":0" and env["OMP_NUM_THREADS"] == "1"
