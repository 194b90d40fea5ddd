from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_immersive_never_imports_the_server_or_flask():
    code = (
        "import sys, immersive.cli, immersive.offscreen, immersive.kiosk.link, "
        "immersive.kiosk.program, immersive.samples\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('server', 'flask'))\n"
        "print(bad)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_no_immersive_source_names_the_server_package():
    for path in (ROOT / "immersive").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import server" not in text and "from server" not in text, path


def test_only_the_kiosk_app_uses_showbase():
    users = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "immersive").rglob("*.py")
                   if "ShowBase" in p.read_text(encoding="utf-8")
                   and "import ShowBase" in p.read_text(encoding="utf-8"))
    assert users == ["immersive/kiosk/app.py"]
