"""A run's key figures as JSON, for the server to keep beside the HTML.

A notebook calls :func:`save` with a dict; the runner reads the file named by
``LANTERN_REPORT_RESULTS``. Run by hand (JupyterLab, papermill) the variable is unset and
:func:`save` does nothing visible.
"""

from __future__ import annotations

import json
import math
import os
from datetime import date, datetime
from pathlib import Path
from typing import Any

ENV = "LANTERN_REPORT_RESULTS"


def plain(value: Any) -> Any:
    """``value`` as JSON-ready Python: numpy numbers as int/float, NaN and inf as None,
    dates as ISO text, tuples as lists."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "item") and callable(value.item):  # numpy and pandas scalars
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def save(data: dict[str, Any]) -> None:
    """Merge ``data`` into the run's results file (if the runner asked for one)."""
    path = os.environ.get(ENV)
    if not path:
        return
    target = Path(path)
    current: dict[str, Any] = {}
    if target.is_file():
        try:
            loaded = json.loads(target.read_text(encoding="utf-8"))
            current = loaded if isinstance(loaded, dict) else {}
        except ValueError:
            current = {}
    current.update(plain(data))
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(json.dumps(current, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(target)
