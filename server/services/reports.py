"""Report runs: planners' parameterized notebooks, executed by papermill, queued, cached, watched.

A run is submitted with a notebook's name and its parameters. They are validated by the
notebooks' own runner (``analytics_notebooks.runner``) against the sites in the database, and
the server adds its own ``database_url`` only when the run starts: a caller can never point a
report at another database or file. The URL is not stored with the run; the notebook gets it
with its password masked (the runner passes the password apart), and the server scrubs the
password from the outputs should a notebook print it all the same.

**The cache.** A run's cache key is the SHA-256 of the canonical JSON (keys sorted, no spaces,
UTF-8) of ``{"notebook", "parameters", "code", "data"}``: the notebook's name, its validated
parameters with their defaults (without ``database_url``), ``runner.code_version()``, and
:func:`data_fingerprint` of the data the report reads. A submission whose key matches a
succeeded run whose files are still there is answered at once from that run, as a new run that
names it in ``cached_from`` (``force`` skips this); one whose key matches a run still queued or
running gets that run.

**The queue.** Each server process runs at most ``LANTERN_REPORT_WORKERS`` notebooks at once,
each in a background task of the hub (the notebook itself runs in a child process, so the
server goes on serving); the others wait ``queued`` in the database, oldest first, and any
process sharing the database may take them. A run still going after ``LANTERN_REPORT_TIMEOUT_S``
is stopped by the runner and fails.

**Restarts.** Queued runs survive a restart and are picked up when the server starts. A run
left ``running`` by a process that died is *failed*, not run again (a notebook that brought
its process down would otherwise do it again, forever), with the error ``ServerStopped``: at
start if its process ran on this host and is gone, otherwise once its process has not renewed
the run's heartbeat (every 10 s) for a minute.

**Progress.** Each status change (queued, running, succeeded, failed) and the cells executed
are sent to operators as ``report_progress`` ``{"run_id", "notebook", "status", "cell",
"cells"}``, cells at most four times a second per run.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from analytics_notebooks import runner
from server import errors
from server.services import audit
from server.storage.database import Database
from server.storage.models import (
    Alert,
    Kiosk,
    KioskSessionEvent,
    PositionEvent,
    ReportRun,
    SensorReading,
    Site,
    ZoneState,
    ZoneTransition,
    utcnow,
)

log = logging.getLogger(__name__)

STATUSES = ("queued", "running", "succeeded", "failed")
UNDER_WAY = ("queued", "running")
HEARTBEAT_S = 10.0       # a process renews the heartbeat of its runs this often
STALE_AFTER_S = 60.0     # a run whose heartbeat is older belongs to a process that died
EMIT_EVERY_S = 0.25      # at most four report_progress a second per run for cells
WRITE_EVERY_S = 1.0      # a run's progress is written to the database at most this often
# The report's window is widened by a day each way for the fingerprint, so that it covers the
# window whichever time zone the notebook reads a date in (wider only costs a cache miss).
WINDOW_SLACK = timedelta(days=1)
MAX_EVALUE = 4000        # characters of an error's value kept
SCRUBBED = "***"


@dataclass(frozen=True)
class Submitted:
    """A submission's answer: the run, and whether it is new (False: an earlier run answers)."""

    run: ReportRun
    created: bool


class Reports:
    """The report runs of one server process: submission, the queue, the workers.

    ``emit(event, data)`` sends to operators (the hub's ``to_operators``); ``spawn(f, *args)``
    starts a background task (Socket.IO's ``start_background_task``: a greenlet under gevent).
    """

    def __init__(self, db: Database, *, database_url: str, root: Path, workers: int,
                 timeout_s: float, emit: Callable[[str, Any], None],
                 spawn: Callable[..., Any]) -> None:
        self.db = db
        self.database_url = _absolute(database_url)
        self.root = Path(root)
        self.workers = max(1, int(workers))
        self.timeout_s = float(timeout_s)
        self.emit = emit
        self.spawn = spawn
        self.worker = f"{socket.gethostname()[:80]}:{os.getpid()}:{secrets.token_hex(4)}"
        self._active: set[str] = set()
        self._lock = threading.Lock()          # guards _active
        self._dispatching = threading.Lock()   # one dispatch at a time
        self._started = False
        self._last_beat = 0.0

    # -- the notebooks --------------------------------------------------------------------
    @staticmethod
    def notebooks() -> list[dict[str, Any]]:
        """Each notebook's name, title, description and parameters as JSON Schema (without
        ``database_url``, which the server supplies)."""
        return [{"name": nb.name, "title": nb.title, "description": nb.description,
                 "parameters": nb.json_schema(server_side=True)} for nb in runner.notebooks()]

    # -- submitting ---------------------------------------------------------------------------
    def submit(self, notebook: str, parameters: Any, *, actor: str, force: bool = False,
               now: datetime | None = None) -> Submitted:
        """Validate, then answer from the cache or queue a new run (see the module's text)."""
        if not isinstance(parameters, dict):
            raise errors.InvalidParameters("parameters must be an object", details=[
                {"field": "parameters", "message": "must be an object"}])
        now = now or utcnow()
        with self.db.transaction() as session:
            params = validate(session, notebook, parameters)
            stored = jsonable(params)
            key = cache_key(notebook, stored, runner.code_version(),
                            data_fingerprint(session, stored))
            answer = None if force else self._earlier(session, key, notebook, stored, actor, now)
            if answer is None:
                run = ReportRun(id=new_run_id(), notebook=notebook, parameters=stored,
                                status="queued", created_by=actor, created_at=now, cache_key=key)
                session.add(run)
                answer = Submitted(run, created=True)
            audit.record(session, actor, "report_run", answer.run.id, notebook=notebook,
                         force=force, cached_from=answer.run.cached_from,
                         new=answer.created)
        if answer.created:
            self._announce(answer.run.id, notebook, "queued")
            self.dispatch()
        return answer

    def _earlier(self, session: Session, key: str, notebook: str, params: dict[str, Any],
                 actor: str, now: datetime) -> Submitted | None:
        """A run that answers this submission already: the newest succeeded one with this key
        (whose files are still there), as a new cached run; else one still under way."""
        done = session.scalars(select(ReportRun).where(
            ReportRun.cache_key == key, ReportRun.status == "succeeded",
            ReportRun.cached_from.is_(None)).order_by(ReportRun.created_at.desc()).limit(5))
        for source in done:
            if self.file_of(source, "html") is None:
                continue  # its output was removed: run again
            run = ReportRun(
                id=new_run_id(), notebook=notebook, parameters=params, status="succeeded",
                created_by=actor, created_at=now, started_at=now, finished_at=now,
                progress_cell=source.progress_cell, progress_cells=source.progress_cells,
                results=source.results, cache_key=key, cached_from=source.id,
                output_path=source.output_path, html_file=source.html_file,
                notebook_file=source.notebook_file)
            session.add(run)
            return Submitted(run, created=False)
        under_way = session.scalar(select(ReportRun).where(
            ReportRun.cache_key == key, ReportRun.status.in_(UNDER_WAY))
            .order_by(ReportRun.created_at.desc()).limit(1))
        return Submitted(under_way, created=False) if under_way is not None else None

    # -- reading -----------------------------------------------------------------------------
    @staticmethod
    def listing(session: Session, limit: int = 50, notebook: str | None = None,
                status: str | None = None) -> list[ReportRun]:
        """Runs, newest first."""
        query = select(ReportRun).order_by(ReportRun.created_at.desc(), ReportRun.id.desc())
        if notebook is not None:
            query = query.where(ReportRun.notebook == notebook)
        if status is not None:
            query = query.where(ReportRun.status == status)
        return list(session.scalars(query.limit(limit)))

    @staticmethod
    def get(session: Session, run_id: str) -> ReportRun:
        run = session.get(ReportRun, run_id) if len(run_id) <= 64 else None
        if run is None:
            raise errors.NotFound(f"no report run {run_id!r}")
        return run

    def file_of(self, run: ReportRun, kind: str) -> Path | None:
        """The run's ``html`` or ``notebook`` file, if it has one on disk (inside the reports
        folder: the names were checked when stored, and are checked again here)."""
        name = run.html_file if kind == "html" else run.notebook_file
        if not name or not run.output_path:
            return None
        root = self.root.resolve()
        path = (root / run.output_path / name).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            return None
        return path

    def output(self, session: Session, run_id: str, kind: str) -> tuple[ReportRun, Path]:
        """The run and its ``html`` or ``notebook`` file, or the error that says why not."""
        run = self.get(session, run_id)
        path = self.file_of(run, kind)
        if path is None:
            if run.status in UNDER_WAY:
                raise errors.Conflict(f"report run {run_id} is {run.status}; its output is "
                                      f"there once it has finished")
            raise errors.NotFound(f"report run {run_id} ({run.status}) has no {kind} output")
        return run, path

    # -- the queue ---------------------------------------------------------------------------
    def start(self) -> None:
        """At server start (the hub's on_start): fail the runs of dead processes, then take
        queued runs."""
        self._started = True
        self.fail_abandoned()
        self.dispatch()

    def tick(self) -> None:
        """Every second (a hub step): renew this process's heartbeats and fail abandoned runs
        every HEARTBEAT_S; take queued runs while workers are free."""
        if time.monotonic() - self._last_beat >= HEARTBEAT_S:
            self._last_beat = time.monotonic()
            with self._lock:
                mine = list(self._active)
            if mine:
                with self.db.transaction() as session:
                    session.execute(update(ReportRun).where(
                        ReportRun.id.in_(mine), ReportRun.worker == self.worker,
                        ReportRun.status == "running").values(heartbeat_at=utcnow()))
            self.fail_abandoned()
        self.dispatch()

    def fail_abandoned(self, now: datetime | None = None) -> list[str]:
        """Fail the runs left ``running`` by a process that is gone: one of this host whose
        process has ended, or one whose heartbeat is older than STALE_AFTER_S."""
        now = now or utcnow()
        cutoff = now - timedelta(seconds=STALE_AFTER_S)
        failed = []
        with self.db.transaction() as session:
            running = session.scalars(select(ReportRun).where(
                ReportRun.status == "running",
                or_(ReportRun.worker.is_(None), ReportRun.worker != self.worker))).all()
            for run in running:
                stale = run.heartbeat_at is None or run.heartbeat_at < cutoff
                if not (stale or _dead_here(run.worker)):
                    continue
                heard = run.heartbeat_at.isoformat() if run.heartbeat_at else "never"
                same_worker = (ReportRun.worker.is_(None) if run.worker is None
                               else ReportRun.worker == run.worker)
                done = session.execute(update(ReportRun).where(
                    ReportRun.id == run.id, ReportRun.status == "running", same_worker).values(
                    status="failed", finished_at=now, error_cell=None,
                    error_ename="ServerStopped",
                    error_evalue=f"the server process running this report ({run.worker}) "
                                 f"stopped before it finished (last heard of: {heard}); "
                                 f"submit it again"))
                if done.rowcount:  # type: ignore[attr-defined]
                    failed.append((run.id, run.notebook))
        for run_id, notebook in failed:
            log.warning("report run %s was left running by a server that stopped; failed", run_id)
            self._announce(run_id, notebook, "failed")
        return [run_id for run_id, _ in failed]

    def dispatch(self) -> None:
        """Start queued runs, oldest first, while this process has workers free."""
        if not self._started:
            return
        with self._dispatching:
            with self._lock:
                free = self.workers - len(self._active)
            if free <= 0:
                return
            with self.db.transaction() as session:
                queued = session.scalars(select(ReportRun.id).where(
                    ReportRun.status == "queued").order_by(
                    ReportRun.created_at, ReportRun.id).limit(free)).all()
            for run_id in queued:
                if not self._claim(run_id):
                    continue
                with self._lock:
                    self._active.add(run_id)
                try:
                    self.spawn(self._run, run_id)
                except Exception as exc:  # noqa: BLE001 - the run fails, the slot is free again
                    log.exception("starting report run %s", run_id)
                    with self._lock:
                        self._active.discard(run_id)
                    self._finish(run_id, "?", {
                        "status": "failed", "error_cell": None,
                        "error_ename": type(exc).__name__,
                        "error_evalue": f"the server could not start the run: {exc}"[:MAX_EVALUE]})

    def _claim(self, run_id: str) -> bool:
        """Take a queued run for this process (another process may have taken it first)."""
        now = utcnow()
        with self.db.transaction() as session:
            done = session.execute(update(ReportRun).where(
                ReportRun.id == run_id, ReportRun.status == "queued").values(
                status="running", started_at=now, worker=self.worker, heartbeat_at=now,
                progress_cell=0, output_path=run_id))
            return bool(done.rowcount)  # type: ignore[attr-defined]

    def running(self) -> list[str]:
        """The runs this process is executing now."""
        with self._lock:
            return sorted(self._active)

    # -- one run -----------------------------------------------------------------------------
    def _run(self, run_id: str) -> None:
        notebook = "?"
        try:
            with self.db.open_session() as session:
                run = session.get(ReportRun, run_id)
                assert run is not None
                notebook = run.notebook
                # validated again: the stored parameters are JSON, the runner wants its types
                params = validate(session, run.notebook, run.parameters)
            self._announce(run_id, notebook, "running", 0, None)
            out_dir = self.root / run_id
            out_dir.mkdir(parents=True, exist_ok=True)
            progress = _Progress(self, run_id, notebook)
            outcome = runner.execute(notebook, {**params, "database_url": self.database_url},
                                     out_dir=out_dir, timeout_s=self.timeout_s,
                                     on_progress=progress)
            for path in out_dir.rglob("*"):
                if path.is_file() and path.suffix in (".ipynb", ".html", ".json", ".txt"):
                    self._scrub_file(path)
            error = outcome.error
            values: dict[str, Any] = {
                "status": "succeeded" if outcome.status == "succeeded" else "failed",
                "results": self._scrub(jsonable(outcome.results or {})),
                "html_file": _inside(out_dir, outcome.html_path),
                "notebook_file": _inside(out_dir, outcome.notebook_path),
                "progress_cell": progress.cell, "progress_cells": progress.cells,
            }
            if values["status"] == "succeeded" and progress.cells is not None:
                values["progress_cell"] = progress.cells
            if error or values["status"] == "failed":
                error = error or {}
                values.update(error_cell=error.get("cell"),
                              error_ename=str(error.get("ename") or "ReportFailed")[:200],
                              error_evalue=self._scrub(str(error.get("evalue") or ""))[:MAX_EVALUE])
            self._finish(run_id, notebook, values)
        except Exception as exc:  # noqa: BLE001 - a failing run fails only itself
            log.exception("report run %s (%s) failed in the server", run_id, notebook)
            self._finish(run_id, notebook, {
                "status": "failed", "error_cell": None, "error_ename": type(exc).__name__,
                "error_evalue": self._scrub(str(getattr(exc, "message", exc)))[:MAX_EVALUE]})
        finally:
            with self._lock:
                self._active.discard(run_id)
            try:
                self.dispatch()
            except Exception:  # noqa: BLE001 - the hub's tick takes the queue up again
                log.exception("taking the next report run")

    def _finish(self, run_id: str, notebook: str, values: dict[str, Any]) -> None:
        with self.db.transaction() as session:
            done = session.execute(update(ReportRun).where(
                ReportRun.id == run_id, ReportRun.status == "running",
                ReportRun.worker == self.worker).values(finished_at=utcnow(), **values))
            if not done.rowcount:  # type: ignore[attr-defined]
                log.warning("report run %s was no longer running here; its outcome is dropped",
                            run_id)
                return
            run = session.get(ReportRun, run_id)
            cell, cells = (run.progress_cell, run.progress_cells) if run else (None, None)
        self._announce(run_id, notebook, values["status"], cell, cells)

    def _progress(self, run_id: str, cell: int | None, cells: int | None) -> None:
        with self.db.transaction() as session:
            session.execute(update(ReportRun).where(
                ReportRun.id == run_id, ReportRun.status == "running",
                ReportRun.worker == self.worker).values(
                progress_cell=cell, progress_cells=cells, heartbeat_at=utcnow()))

    def _announce(self, run_id: str, notebook: str, status: str, cell: int | None = None,
                  cells: int | None = None) -> None:
        try:
            self.emit("report_progress", {"run_id": run_id, "notebook": notebook,
                                          "status": status, "cell": cell, "cells": cells})
        except Exception:  # noqa: BLE001 - operators miss an update; the run goes on
            log.exception("report_progress for %s", run_id)

    # -- keeping the database password out of the outputs ----------------------------------------
    def _secrets(self) -> list[str]:
        """The database URL with its password, and the password alone (if long enough not to
        be an ordinary word), as they may appear in an output: plain, JSON-, repr- and
        HTML-escaped. (The runner hands the notebook the URL with the password masked; this
        catches a notebook that prints its environment or a driver's error that quotes it.)"""
        url = make_url(self.database_url)
        if not url.password:
            return []
        forms = {self.database_url, url.render_as_string(hide_password=False)}
        if len(str(url.password)) >= 6:
            forms.add(str(url.password))
        out: set[str] = set()
        for form in forms:
            for variant in (form, json.dumps(form)[1:-1], repr(form)[1:-1]):
                out.update((variant, html.escape(variant), html.escape(variant, quote=False)))
        return sorted(out, key=len, reverse=True)

    def _scrub(self, value: Any) -> Any:
        if isinstance(value, str):
            for secret in self._secrets():
                if secret in value:
                    value = value.replace(secret, SCRUBBED)
            return value
        if isinstance(value, dict):
            return {k: self._scrub(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._scrub(v) for v in value]
        return value

    def _scrub_file(self, path: Path) -> None:
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        clean = self._scrub(text)
        if clean != text:
            path.write_text(clean, encoding="utf-8", errors="surrogateescape")


class _Progress:
    """The runner's ``on_progress``: keeps the last cell, sends it to operators at most every
    EMIT_EVERY_S and writes it (with the run's heartbeat) at most every WRITE_EVERY_S."""

    def __init__(self, reports: Reports, run_id: str, notebook: str) -> None:
        self.reports, self.run_id, self.notebook = reports, run_id, notebook
        self.cell: int | None = 0
        self.cells: int | None = None
        self._emitted = self._written = 0.0

    def __call__(self, cell: int, cells: int) -> None:
        try:
            self.cell, self.cells = int(cell), int(cells)
            now = time.monotonic()
            last = self.cell >= self.cells
            if now - self._emitted >= EMIT_EVERY_S or last:
                self._emitted = now
                self.reports._announce(self.run_id, self.notebook, "running", self.cell,
                                       self.cells)
            if now - self._written >= WRITE_EVERY_S or last:
                self._written = now
                self.reports._progress(self.run_id, self.cell, self.cells)
        except Exception:  # noqa: BLE001 - progress is news, not the run
            log.exception("report progress of %s", self.run_id)


# -- validation, the cache key and the data fingerprint -------------------------------------------
def validate(session: Session, notebook: str, parameters: dict[str, Any]) -> dict[str, Any]:
    """The notebook's full parameters (defaults filled in) as the runner validates them against
    this database's sites, without ``database_url`` (a caller's is refused); a refusal is
    ``unknown_notebook`` or ``invalid_parameters``."""
    site_ids = list(session.scalars(select(Site.id).order_by(Site.id)))
    try:
        full = dict(runner.validate(notebook, parameters, site_ids=site_ids, server_side=True))
    except runner.UnknownNotebook as exc:
        names = ", ".join(getattr(exc, "known", None) or []) or "none"
        raise errors.UnknownNotebook(f"no report notebook {notebook!r}; the notebooks are "
                                     f"{names}") from None
    except runner.ParameterError as exc:
        problems = list(getattr(exc, "errors", None) or [])
        if not problems:
            problems = [{"field": getattr(exc, "field", None) or "parameters",
                         "message": str(exc)}]
        details = [{"field": _field(p.get("field")), "message": str(p.get("message", ""))}
                   for p in problems]
        summary = "; ".join(f"{d['field']}: {d['message']}" for d in details[:5])
        raise errors.InvalidParameters(f"invalid parameters: {summary}", details=details) from None
    full.pop("database_url", None)  # the server's own is added when the run starts
    return full


def _field(name: Any) -> str:
    name = str(name or "")
    if not name:
        return "parameters"
    return name if name == "parameters" or name.startswith("parameters.") else f"parameters.{name}"


def jsonable(value: Any) -> Any:
    """``value`` as JSON types: dates and times as ISO 8601 text, tuples as lists."""
    return json.loads(canonical_json(value))


def canonical_json(value: Any) -> str:
    """Keys sorted, no spaces, UTF-8 text: the same value gives the same text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=_json_default, allow_nan=False)


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def cache_key(notebook: str, parameters: dict[str, Any], code_version: str,
              fingerprint: dict[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of the notebook's name, its parameters without
    ``database_url``, the runner's code version and the data's fingerprint."""
    params = {k: v for k, v in parameters.items() if k != "database_url"}
    doc = {"notebook": notebook, "parameters": params, "code": code_version,
           "data": fingerprint}
    return hashlib.sha256(canonical_json(doc).encode()).hexdigest()


def data_fingerprint(session: Session, parameters: dict[str, Any]) -> dict[str, Any]:
    """What changes when the data a report reads changes: for the site (``site_id``) and the
    window [``start`` - 1 day, ``end`` + 1 day], the count and the highest id of the position
    events, sensor readings, zone transitions and kiosk session events dated in it (of the
    session events also the latest ``received_at``); the count, highest id and latest clearing and
    acknowledgement of the alerts overlapping it; the count and latest change of the zones'
    states; and the site's zones version and last update. Without a site, every site's; without
    a window, all time."""
    site_id = parameters.get("site_id")
    site_id = site_id if isinstance(site_id, str) else None
    lo = _moment(parameters.get("start"), end=False)
    hi = _moment(parameters.get("end"), end=True)
    lo = lo - WINDOW_SLACK if lo else None
    hi = hi + WINDOW_SLACK if hi else None

    def within(column: Any) -> list[Any]:
        conds = []
        if lo is not None:
            conds.append(column >= lo)
        if hi is not None:
            conds.append(column <= hi)
        return conds

    def of_site(column: Any) -> list[Any]:
        return [column == site_id] if site_id is not None else []

    def row(query: Any) -> list[Any]:
        return [_plain(v) for v in session.execute(query).one()]

    pe, sr, zt, kse, al = PositionEvent, SensorReading, ZoneTransition, KioskSessionEvent, Alert
    alert_window = []
    if hi is not None:
        alert_window.append(al.raised_at <= hi)
    if lo is not None:
        alert_window.append(or_(al.cleared_at.is_(None), al.cleared_at >= lo))
    kse_query = select(func.count(kse.id), func.max(kse.id), func.max(kse.received_at)).where(
        *within(kse.ts))
    if site_id is not None:
        kse_query = kse_query.join(Kiosk, Kiosk.id == kse.kiosk_id).where(Kiosk.site_id == site_id)
    return {
        "window": [_plain(lo), _plain(hi)],
        "position_events": row(select(func.count(pe.id), func.max(pe.id)).where(
            *of_site(pe.site_id), *within(pe.ts))),
        "sensor_readings": row(select(func.count(sr.id), func.max(sr.id)).where(
            *of_site(sr.site_id), *within(sr.ts))),
        "zone_transitions": row(select(func.count(zt.id), func.max(zt.id)).where(
            *of_site(zt.site_id), *within(zt.ts))),
        "kiosk_session_events": row(kse_query),
        "alerts": row(select(func.count(al.id), func.max(al.id), func.max(al.cleared_at),
                             func.max(al.acknowledged_at)).where(*of_site(al.site_id),
                                                                *alert_window)),
        "zone_states": row(select(func.count(), func.max(ZoneState.changed_at)).where(
            *of_site(ZoneState.site_id))),
        "sites": row(select(func.count(), func.sum(Site.zones_version), func.max(Site.updated_at))
                     .where(*of_site(Site.id))),
    }


def _moment(value: Any, *, end: bool) -> datetime | None:
    """A parameter's date or time as an aware UTC datetime (a date: its first or last moment)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            try:
                value = date.fromisoformat(value)
            except ValueError:
                return None
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        moment = datetime(value.year, value.month, value.day, tzinfo=UTC)
        return moment + timedelta(days=1) if end else moment
    return None


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        value = value if value.tzinfo else value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat()
    if isinstance(value, (int, float, str)) or value is None:
        return value
    return str(value)


# -- small helpers -------------------------------------------------------------------------------
def new_run_id() -> str:
    """A run's id, which also names its folder: the server's alone, never a caller's."""
    return f"r{utcnow():%Y%m%d%H%M%S}{secrets.token_hex(6)}"


def _inside(folder: Path, path: Any) -> str | None:
    """``path`` relative to ``folder`` if it is a file inside it, else None."""
    if not path:
        return None
    resolved = Path(path).resolve()
    base = folder.resolve()
    if not resolved.is_relative_to(base) or not resolved.is_file():
        log.warning("report output %s is not inside %s; ignored", path, folder)
        return None
    return str(resolved.relative_to(base))


def _absolute(url: str) -> str:
    """The database URL with a relative SQLite path made absolute (the notebook's process may
    start in another folder)."""
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite") and parsed.database and \
            parsed.database != ":memory:" and not Path(parsed.database).is_absolute():
        return parsed.set(database=str(Path(parsed.database).resolve())).render_as_string(
            hide_password=False)
    return url


def _dead_here(worker: str | None) -> bool:
    """Whether ``worker`` names a process of this host that no longer runs."""
    if not worker:
        return True
    host, _, rest = worker.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname()[:80] or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False

