"""``python -m analytics_notebooks.child FD``: run one report notebook (the runner's child).

Reads the request (JSON) from stdin, executes the notebook with papermill in the current
directory, writes ``executed.ipynb`` and ``report.html`` there, and writes one JSON line per
event to file descriptor FD: ``{"event": "cell", "index": i, "cells": n}`` as each cell
starts, then ``{"event": "finished", "status": ..., "error": ..., "cells": n}``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import IO, Any

from analytics_notebooks.translator import register_safe_translator


class Events:
    """Writes event lines for the parent and remembers the notebook being executed."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.nb: Any = None
        self.cell: int | None = None
        self.cells = 0

    def emit(self, **event: Any) -> None:
        self.out.write(json.dumps(event) + "\n")
        self.out.flush()

    def on_notebook_start(self, notebook: Any, **_: Any) -> None:
        self.nb, self.cells = notebook, len(notebook.cells)

    def on_cell_start(self, cell: Any, cell_index: int, **_: Any) -> None:
        self.cell = cell_index
        self.emit(event="cell", index=cell_index, cells=self.cells)


def run(request: dict[str, Any], events: Events) -> dict[str, Any] | None:
    """Execute the notebook; return None, or the error as ``{"cell", "ename", "evalue"}``."""
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    register_safe_translator()
    output = Path(request["output"])
    try:
        papermill.execute_notebook(
            request["notebook"], str(output), parameters=request["parameters"],
            kernel_name=request["kernel_name"], language="python", progress_bar=False,
            request_save_on_cell_execute=False, cwd=".", start_timeout=60,
            on_notebook_start=events.on_notebook_start, on_cell_start=events.on_cell_start)
    except PapermillExecutionError as exc:  # papermill wrote the notebook with the error
        return {"cell": exc.cell_index, "ename": exc.ename, "evalue": _short(exc.evalue)}
    except Exception as exc:  # noqa: BLE001 - a dead kernel, a kernel that never started, ...
        if events.nb is not None:
            nbformat.write(events.nb, str(output))
        return {"cell": events.cell, "ename": type(exc).__name__, "evalue": _short(str(exc))}
    return None


def write_html(request: dict[str, Any]) -> None:
    """Convert the executed notebook (if any) to the offline HTML report."""
    import nbformat

    from analytics_notebooks.html import export_html

    output = Path(request["output"])
    if output.is_file():
        nb = nbformat.read(str(output), as_version=4)
        Path(request["html"]).write_text(export_html(nb, title=request["title"]),
                                         encoding="utf-8")


def _short(text: str, limit: int = 2000) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def main(argv: list[str]) -> int:
    with os.fdopen(int(argv[0]), "w", buffering=1) as out:
        events = Events(out)
        request = json.load(sys.stdin)
        error = run(request, events)
        try:
            write_html(request)
        except Exception as exc:  # noqa: BLE001 - the run's error, if any, matters more
            error = error or {"cell": None, "ename": type(exc).__name__, "evalue": _short(str(exc))}
        events.emit(event="finished", status="failed" if error else "succeeded", error=error,
                    cells=events.cells)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
