"""Schemathesis's own command line, every check and every phase, against a real server: the
OpenAPI document says what the server enforces (rules the document cannot state, such as the
event-time window, are declared in schemathesis.toml at the project's root, which it reads)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import ROOT, LiveServer


def test_schemathesis_cli_with_all_checks_finds_nothing(tmp_path: Path) -> None:
    server = LiveServer(tmp_path).start()
    st = Path(sys.executable).with_name("st")
    try:
        done = subprocess.run(
            [str(st), "run", f"{server.url}/api/v1/openapi.json", "--checks", "all",
             "-H", f"Authorization: Bearer {server.admin}", "--max-examples", "5", "--seed", "1",
             "--workers", "2",  # one generates while the other waits on the server
             "--no-color"],
            cwd=ROOT, capture_output=True, text=True, timeout=600,
            env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
        assert " passed" in done.stdout and "failed" not in done.stdout.split("SUMMARY")[-1]
    finally:
        server.stop()
