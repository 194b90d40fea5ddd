"""The server's folders are its layers, and the arrows between them point one way."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

SERVER = Path(__file__).resolve().parents[2] / "server"
FRAMEWORK = ("flask", "flask_socketio", "flask_login", "flask_wtf", "flask_limiter", "spectree")


def modules_of(package: str) -> list[str]:
    path = SERVER / package.removeprefix("server.").replace(".", "/")
    return [f"{package}.{m.name}" for m in pkgutil.iter_modules([str(path)])]


def loaded_after_importing(modules: list[str]) -> list[str]:
    code = (f"import importlib, json, sys\nfor m in {modules!r}: importlib.import_module(m)\n"
            "print(json.dumps(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], check=True, timeout=120,
                         capture_output=True, text=True, cwd=SERVER.parent)
    return json.loads(out.stdout)


@pytest.mark.parametrize("layer", ["server.services", "server.storage", "server.demo"])
def test_use_cases_storage_and_the_demo_import_no_web_framework(layer: str) -> None:
    modules = modules_of(layer)
    assert modules, f"{layer} is empty"
    loaded = loaded_after_importing(modules)
    assert [m for m in loaded if m.split(".")[0] in FRAMEWORK] == []
    # nor the front doors, nor the wiring above them
    assert [m for m in loaded if m.startswith(("server.api", "server.realtime", "server.panel",
                                               "server.app", "server.auth", "server.cli"))] == []


def test_the_domain_imports_neither_framework_nor_database() -> None:
    loaded = loaded_after_importing(modules_of("server.domain"))
    assert [m for m in loaded if m.split(".")[0] in (*FRAMEWORK, "sqlalchemy")] == []
    assert [m for m in loaded if m.startswith("server.") and not m.startswith("server.domain")] == []


def test_the_top_of_server_holds_only_the_wiring() -> None:
    top = sorted(p.stem for p in SERVER.glob("*.py"))
    assert top == ["__init__", "__main__", "app", "auth", "cli", "config", "errors", "extensions",
                   "live", "security_headers"]
    folders = sorted(p.name for p in SERVER.iterdir() if (p / "__init__.py").exists())
    assert folders == ["api", "demo", "domain", "panel", "realtime", "schemas", "services",
                       "storage"]
