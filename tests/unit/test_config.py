"""Settings come from defaults, then the environment, then the caller's overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.config import load_config, settings_table


def test_defaults_put_the_database_in_the_instance_folder(tmp_path: Path) -> None:
    config = load_config({"LANTERN_INSTANCE_PATH": str(tmp_path)})
    assert config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'lantern.db'}"
    assert config["LANTERN_MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024


def test_environment_overrides_defaults_and_is_typed(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANTERN_MAX_CONTENT_LENGTH", "1234")
    monkeypatch.setenv("LANTERN_SESSION_COOKIE_SECURE", "true")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://x@h/db")
    config = load_config({"LANTERN_INSTANCE_PATH": str(tmp_path)})
    assert config["LANTERN_MAX_CONTENT_LENGTH"] == 1234
    assert config["LANTERN_SESSION_COOKIE_SECURE"] is True
    assert config["DATABASE_URL"] == "postgresql+psycopg://x@h/db"


def test_overrides_win_over_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANTERN_MAX_BATCH", "5")
    config = load_config({"LANTERN_INSTANCE_PATH": str(tmp_path), "LANTERN_MAX_BATCH": 7})
    assert config["LANTERN_MAX_BATCH"] == 7


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path: Path) -> None:
    first = load_config({"LANTERN_INSTANCE_PATH": str(tmp_path)})["SECRET_KEY"]
    second = load_config({"LANTERN_INSTANCE_PATH": str(tmp_path)})["SECRET_KEY"]
    other = load_config({"LANTERN_INSTANCE_PATH": str(tmp_path / "other")})["SECRET_KEY"]
    assert first == second == (tmp_path / "secret_key").read_text()
    assert len(first) == 64 and other != first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_settings_table_documents_every_setting() -> None:
    table = settings_table()
    for name in ("DATABASE_URL", "SOCKETIO_MESSAGE_QUEUE", "LANTERN_MAX_CONTENT_LENGTH"):
        assert f"`{name}`" in table


def test_the_readme_documents_every_setting() -> None:
    from server.config import SETTINGS

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    missing = [name for name in SETTINGS if f"`{name}`" not in readme]
    assert not missing, f"README lacks {missing}"


def test_the_readme_settings_table_is_exactly_the_generated_table() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    start = readme.index("| setting | default | meaning |")
    end = readme.find("\n\n", start)
    assert readme[start:end].strip() == settings_table()
