"""`python -m server ...` commands, run as a user would run them."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def cli(tmp_path: Path):  # type: ignore[no-untyped-def]
    env = {**os.environ, "LANTERN_INSTANCE_PATH": str(tmp_path / "instance"),
           "LANTERN_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "server", *args], input=stdin, env=env,
                              capture_output=True, text=True, timeout=120, cwd=ROOT)

    return run


def test_init_db_then_load_venues_is_idempotent(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("init-db").returncode == 0
    first = cli("load-venues", str(FIXTURES / "venues_min"), "--json")
    second = cli("load-venues", str(FIXTURES / "venues_min"), "--json")
    assert first.returncode == second.returncode == 0, first.stderr
    assert json.loads(first.stdout)["zones_added"] == 6
    assert json.loads(second.stdout) == {"sites": ["testsite"], "zones_added": 0,
                                         "zones_unchanged": 6, "zones_retired": 0}


def test_load_venues_of_a_bad_folder_lists_problems_and_exits_2(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad"
    (bad / "x").mkdir(parents=True)
    (bad / "basins.geojson").write_text('{"type": "FeatureCollection", "features": []}')
    (bad / "x" / "site.json").write_text('{"id": "x"}')
    result = cli("load-venues", str(bad))
    assert result.returncode == 2
    assert "site.json: name_en: Field required" in result.stderr
    assert "zones.geojson: file is missing" in result.stderr


def test_create_token_json_prints_the_token_with_its_id_and_revoke_token_takes_the_id(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("create-token", "--role", "ingest", "--name", "gate 3", "--json")
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["token"].startswith("lt_") and body["token"].startswith(body["prefix"])
    assert (body["role"], body["name"], body["expires_at"]) == ("ingest", "gate 3", None)
    revoked = cli("revoke-token", str(body["id"]))
    assert revoked.returncode == 0 and "revoked at" in revoked.stdout
    assert "already revoked" in cli("revoke-token", str(body["id"])).stdout
    unknown = cli("revoke-token", "999999")
    assert unknown.returncode == 2 and "no token 999999" in unknown.stderr


def test_create_kiosk_json_prints_id_and_token(cli) -> None:  # type: ignore[no-untyped-def]
    cli("load-venues", str(FIXTURES / "venues_min"))
    result = cli("create-kiosk", "--site", "testsite", "--lon", "100.0", "--lat", "30.0",
                 "--kind", "vr", "--json")
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert set(body) == {"kiosk_id", "token"} and body["kiosk_id"].startswith("k-")


def test_create_kiosk_at_an_unknown_site_fails_clearly(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("create-kiosk", "--site", "atlantis", "--lon", "1", "--lat", "2", "--json")
    assert result.returncode == 2 and "no site 'atlantis'" in result.stderr


def test_create_user_reads_the_password_from_stdin(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("create-user", "olga", "--role", "operator", stdin="a long password\n").returncode == 0
    again = cli("create-user", "olga", "--role", "operator", stdin="a long password\n")
    assert again.returncode == 2 and "exists" in again.stderr
    short = cli("create-user", "ivan", "--role", "viewer", stdin="short\n")
    assert short.returncode == 2 and "at least 8" in short.stderr


@pytest.mark.parametrize("command", ["run", "demo"])
def test_serving_on_a_taken_port_says_so_in_one_line_and_exits_2(cli, command: str) -> None:  # type: ignore[no-untyped-def]
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli(command, "--port", str(port))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert f"port {port} on 127.0.0.1 is taken" in result.stderr
    assert "make run PORT=5001" in result.stderr
    assert result.stdout == ""  # no demo login for a server that will not start


@pytest.mark.parametrize("command", ["run", "demo"])
def test_serving_commands_show_their_defaults_in_help(cli, command: str) -> None:  # type: ignore[no-untyped-def]
    result = cli(command, "--help")
    assert result.returncode == 0
    assert "[default: 127.0.0.1]" in result.stdout and "[default: 5000" in result.stdout
