"""Report notebooks: their specs, parameter validation, and runs under a wall-clock limit.

The server imports this module; so do the command line and the tests. A run validates its
parameters, then executes the notebook with papermill in a child process
(``python -m analytics_notebooks.child``) in a temporary working directory, and writes the
executed notebook and an offline HTML report into ``out_dir`` under names chosen here::

    outcome = execute("visitor_report", {"site_id": "mogao", "start": "2026-10-01",
                                         "end": "2026-10-07"}, out_dir=Path("reports"),
                      timeout_s=600, on_progress=lambda cell, cells: ...)
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from analytics_notebooks.checks import check_params
from analytics_notebooks.db import masked_url, resolve_url
from analytics_notebooks.process import ChildRun, run_child
from analytics_notebooks.spec import SERVER_OWNED, NotebookSpec, Param, SpecError, read_spec

__all__ = ["NotebookSpec", "Outcome", "Param", "ParameterError", "SpecError", "UnknownNotebook",
           "Catalog", "code_version", "execute", "notebooks", "spec", "validate"]

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent
NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
KERNEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class UnknownNotebook(LookupError):
    """No report notebook has that name."""

    def __init__(self, name: object, known: list[str]) -> None:
        shown = repr(name) if len(repr(name)) <= 80 else repr(name)[:77] + "..."
        super().__init__(f"no report notebook {shown}; known: {', '.join(known) or 'none'}")
        self.name, self.known = name, known


class ParameterError(ValueError):
    """Report parameters are unknown, mistyped or out of range; ``errors`` lists each problem."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"]
                                   for e in errors))
        self.errors = errors
        self.field = errors[0]["field"] if errors else ""


@dataclass
class Outcome:
    """How a run ended; ``error`` is ``{"cell", "ename", "evalue"}`` when it failed."""

    status: str  # "succeeded" | "failed"
    error: dict[str, Any] | None
    results: dict[str, Any] = field(default_factory=dict)
    html_path: Path | None = None
    notebook_path: Path | None = None
    seconds: float = 0.0


class Catalog:
    """The report notebooks of one folder (the package's own by default; tests use fixtures)."""

    def __init__(self, folder: Path = PACKAGE) -> None:
        self.folder = Path(folder).resolve()

    def names(self) -> list[str]:
        return sorted(p.stem for p in self.folder.glob("*.ipynb") if NAME.match(p.stem))

    def notebooks(self) -> list[NotebookSpec]:
        """Every notebook's spec, read from its parameters cell."""
        return [read_spec(self.folder / f"{n}.ipynb") for n in self.names()]

    def spec(self, name: str) -> NotebookSpec:
        """The spec of a known notebook; any other name (a path, '..') is refused."""
        known = self.names()
        if not isinstance(name, str) or not NAME.match(name) or name not in known:
            raise UnknownNotebook(name, known)
        return read_spec(self.folder / f"{name}.ipynb")

    def validate(self, name: str, params: Mapping[str, Any], *,
                 site_ids: Collection[str] | None = None,
                 server_side: bool = False) -> dict[str, Any]:
        """The full parameters with defaults; raise :class:`ParameterError` listing problems."""
        full, problems = check_params(self.spec(name), params, site_ids=site_ids,
                                      server_side=server_side)
        if problems:
            raise ParameterError(problems)
        return full

    def execute(self, name: str, params: Mapping[str, Any], *, out_dir: Path, timeout_s: float,
                on_progress: Callable[[int, int], None] | None = None,
                kernel_name: str = "python3") -> Outcome:
        """Validate, run the notebook in a child process, write its notebook and HTML."""
        nb = self.spec(name)
        full = self.validate(name, params)
        if not isinstance(kernel_name, str) or not KERNEL.match(kernel_name):
            raise ParameterError([{"field": "kernel_name", "message": "not a kernel name"}])
        if not (isinstance(timeout_s, int | float) and timeout_s > 0):
            raise ParameterError([{"field": "timeout_s", "message": "should be > 0"}])
        started = time.monotonic()
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="lantern-report-"))
        try:
            run = run_child(_request(nb, full, kernel_name), work=work,
                            secrets=_secrets(full), deadline=started + float(timeout_s),
                            timeout_s=float(timeout_s), on_progress=on_progress)
            return _outcome(nb, run, work, out_dir, time.monotonic() - started)
        finally:
            shutil.rmtree(work, ignore_errors=True)


def _request(nb: NotebookSpec, full: dict[str, Any], kernel_name: str) -> dict[str, Any]:
    shown = dict(full)
    for key in SERVER_OWNED:  # the notebook gets the URL without its password (see db.connect)
        if key in shown:
            shown[key] = masked_url(resolve_url(str(shown[key])))
    return {"notebook": str(nb.path), "parameters": shown, "kernel_name": kernel_name,
            "output": "executed.ipynb", "html": "report.html", "title": nb.title}


def _secrets(full: dict[str, Any]) -> dict[str, str]:
    url = full.get("database_url")
    return {} if url is None else {"LANTERN_REPORT_DATABASE_URL": resolve_url(str(url))}


def _outcome(nb: NotebookSpec, run: ChildRun, work: Path, out_dir: Path,
             seconds: float) -> Outcome:
    stem = f"{nb.name}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
    paths: dict[str, Path | None] = {}
    for key, suffix in (("notebook", ".ipynb"), ("html", ".html")):
        produced = work / ("executed.ipynb" if key == "notebook" else "report.html")
        paths[key] = None
        if produced.is_file():
            target = out_dir / f"{stem}{suffix}"
            shutil.move(str(produced), target)
            paths[key] = target
    results: dict[str, Any] = {}
    try:
        loaded = json.loads((work / "results.json").read_text(encoding="utf-8"))
        results = loaded if isinstance(loaded, dict) else {}
    except (OSError, ValueError):
        pass
    status = "succeeded" if run.error is None else "failed"
    return Outcome(status, run.error, results, paths["html"], paths["notebook"], seconds)


def code_version() -> str:
    """A hash of the notebooks, the package's source and the geo code it calls."""
    digest = hashlib.sha256()
    files = sorted([*PACKAGE.rglob("*.py"), *PACKAGE.glob("*.ipynb"),
                    *(PACKAGE / "templates").rglob("*"), *(ROOT / "geo").glob("*.py")])
    for path in files:
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


DEFAULT = Catalog()


def notebooks() -> list[NotebookSpec]:
    """Every report notebook's spec, read from its parameters cell."""
    return DEFAULT.notebooks()


def spec(name: str) -> NotebookSpec:
    """The spec of a report notebook; names that are not a known notebook are refused."""
    return DEFAULT.spec(name)


def validate(name: str, params: Mapping[str, Any], *, site_ids: Collection[str] | None = None,
             server_side: bool = False) -> dict[str, Any]:
    """The full parameters with defaults; :class:`ParameterError` lists every problem.

    ``site_ids``: the sites that exist (checked when given). ``server_side=True`` refuses
    ``database_url``, which the server sets itself, and leaves it out of the result.
    """
    return DEFAULT.validate(name, params, site_ids=site_ids, server_side=server_side)


def execute(name: str, params: Mapping[str, Any], *, out_dir: Path, timeout_s: float,
            on_progress: Callable[[int, int], None] | None = None,
            kernel_name: str = "python3") -> Outcome:
    """Run a report notebook; see :meth:`Catalog.execute`."""
    return DEFAULT.execute(name, params, out_dir=out_dir, timeout_s=timeout_s,
                           on_progress=on_progress, kernel_name=kernel_name)
