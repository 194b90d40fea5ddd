"""The kiosk's small persistent state: credentials, last command seq, scene and language."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any


class StateStore:
    """A JSON file in the state directory, written atomically on every change.

    Examples
    --------
    >>> import tempfile
    >>> store = StateStore(tempfile.mkdtemp())
    >>> store.update(last_seq=3)
    >>> StateStore(store.dir).get("last_seq")
    3
    """

    def __init__(self, state_dir: str | Path) -> None:
        self.dir = Path(state_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.path = self.dir / "state.json"
        self._lock = threading.Lock()
        try:
            self._data: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            self._data = {}

    def get(self, key: str, default: Any = None) -> Any:
        with self._lock:
            return self._data.get(key, default)

    def update(self, **values: Any) -> None:
        with self._lock:
            self._data.update(values)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self._data, ensure_ascii=False, indent=1), encoding="utf-8")
            os.replace(tmp, self.path)
