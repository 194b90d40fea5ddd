"""The browser tests' server: a real server process on the real venues, one a test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.browser import chromium_paths
from tests.helpers import ROOT, LiveServer


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    chromium_paths()  # skips (or fails under LANTERN_REQUIRE_ALL) without Chromium
    live = LiveServer(tmp_path_factory.mktemp("venue"), venues=ROOT / "venues").start()
    yield live
    live.stop()
