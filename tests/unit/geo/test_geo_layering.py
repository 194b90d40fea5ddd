"""geo is a library: it imports no server code and loads its file I/O lazily."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_importing_geo_loads_neither_the_server_nor_web_frameworks_nor_file_io() -> None:
    code = ("import sys, geo; bad = [m for m in ('server', 'flask', 'flask_socketio', "
            "'sqlalchemy', 'geo.io', 'matplotlib.pyplot') if m in sys.modules]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
