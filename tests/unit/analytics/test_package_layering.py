"""analytics_notebooks reads the database by its tables: it imports no server code (the arrows
are server -> analytics_notebooks -> geo), and the runner the server imports stays light."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import analytics_notebooks

ROOT = Path(__file__).resolve().parents[3]


def loaded_after(modules: list[str]) -> list[str]:
    code = (f"import importlib, json, sys\nfor m in {modules!r}: importlib.import_module(m)\n"
            "print(json.dumps(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], check=True, timeout=120,
                         capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def test_no_module_of_the_package_imports_the_server_or_a_web_framework() -> None:
    modules = [f"analytics_notebooks.{m.name}" for m in
               pkgutil.iter_modules(analytics_notebooks.__path__) if m.name != "__main__"]
    assert "analytics_notebooks.runner" in modules and len(modules) > 15
    loaded = loaded_after(modules)
    assert [m for m in loaded if m == "server" or m.startswith("server.")] == []
    assert [m for m in loaded if m.split(".")[0] in ("flask", "flask_socketio")] == []


def test_the_runner_imports_neither_papermill_nor_pandas_nor_a_kernel() -> None:
    loaded = loaded_after(["analytics_notebooks.runner"])
    heavy = ("papermill", "nbconvert", "pandas", "matplotlib", "geopandas", "ipykernel")
    assert [m for m in loaded if m.split(".")[0] in heavy] == []
