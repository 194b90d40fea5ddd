"""Hooks for the whole repository: the docstring examples of the domain rules and of the geo and
immersive libraries run with the tests (``testpaths`` in pyproject.toml names their folders).
Fixtures are in tests/conftest.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from _pytest.doctest import DoctestModule  # the collector of --doctest-modules, for these paths only

ROOT = Path(__file__).parent
DOCTESTED = ("server/domain/", "geo/", "immersive/")
# importing this module does more than define things: ShowBase writes its globals into builtins,
# so only the kiosk program imports it (lazily, see immersive/kiosk/program.py)
NOT_IMPORTED = {"immersive/kiosk/app.py"}


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if parent.config.option.doctestmodules:
        return None  # pytest's own --doctest-modules collects every module already
    if file_path.suffix != ".py" or file_path.name in ("__main__.py", "conftest.py"):
        return None
    try:
        relative = file_path.relative_to(ROOT).as_posix()
    except ValueError:
        return None
    if not relative.startswith(DOCTESTED) or relative in NOT_IMPORTED:
        return None
    return DoctestModule.from_parent(parent, path=file_path)  # type: ignore[no-any-return]
