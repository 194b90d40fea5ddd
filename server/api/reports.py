"""Report notebooks over REST: list them, run one, follow its runs, read their output.

The use case is server/services/reports.py (validation, the cache, the queue); docs/reports-api.md
shows a planner running a report with curl.
"""

from __future__ import annotations

from typing import Any

from flask import Response as FlaskResponse
from flask import request
from spectree import Response

from server.api import actor, api, lantern
from server.auth import require
from server.extensions import api_spec
from server.schemas import (
    ErrorEnvelope,
    NotebookList,
    ReportIn,
    ReportQuery,
    ReportRunList,
    ReportRunOut,
)
from server.storage.models import ReportRun

ERRORS = {f"HTTP_{s}": ErrorEnvelope for s in (400, 401, 403, 404, 413, 422)}
READ_ERRORS = {f"HTTP_{s}": ErrorEnvelope for s in (401, 403, 404, 409)}
# A report's HTML is the notebook's output: it may hold anything its cells printed. It is
# served under a policy of its own that replaces the site's (server/security_headers.py sets
# only what a view has not): no script, no connection, no form, no plugin, nothing loaded from
# anywhere but data: images and inline styles, in a sandbox (an opaque origin, so it cannot
# read the panel's cookies or API), and framed by this site's own pages only.
HTML_POLICY = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; "
               "form-action 'none'; frame-ancestors 'self'; sandbox")


def run_out(run: ReportRun) -> dict[str, Any]:
    """A run as the API shows it."""
    reports = lantern().reports
    base = f"/api/v1/reports/{run.id}"
    error = None
    if run.status == "failed" or run.error_ename:
        error = {"cell": run.error_cell, "ename": run.error_ename or "ReportFailed",
                 "evalue": run.error_evalue or ""}
    return {
        "id": run.id, "notebook": run.notebook, "parameters": run.parameters,
        "status": run.status, "created_by": run.created_by,
        "created_at": run.created_at.isoformat(),
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "progress": {"cell": run.progress_cell, "cells": run.progress_cells},
        "results": run.results, "error": error, "cached_from": run.cached_from,
        "html_url": f"{base}/html" if reports.file_of(run, "html") else None,
        "notebook_url": f"{base}/notebook" if reports.file_of(run, "notebook") else None,
    }


@api.get("/reports/notebooks")
@require("read")
@api_spec.validate(resp=Response(HTTP_200=NotebookList, **READ_ERRORS), tags=["reports"])
def report_notebooks():  # type: ignore[no-untyped-def]
    """Each report notebook: name, title, description, and its parameters as JSON Schema."""
    return {"notebooks": lantern().reports.notebooks()}


@api.post("/reports")
@require("plan")
@api_spec.validate(json=ReportIn, resp=Response(HTTP_200=ReportRunOut, HTTP_202=ReportRunOut,
                                                **ERRORS), tags=["reports"])
def submit_report():  # type: ignore[no-untyped-def]
    """Run a notebook: 202 with the new run (queued), or 200 with a run that already answers
    (the same parameters on the same data and code; ``force`` runs again)."""
    body: ReportIn = request.context.json  # type: ignore[attr-defined]
    done = lantern().reports.submit(body.notebook, body.parameters, force=body.force,
                                    actor=actor())
    answered_now = not done.created and done.run.status == "succeeded"
    return run_out(done.run), 200 if answered_now else 202


@api.get("/reports")
@require("read")
@api_spec.validate(query=ReportQuery, resp=Response(HTTP_200=ReportRunList, **READ_ERRORS),
                   tags=["reports"])
def list_reports():  # type: ignore[no-untyped-def]
    """Report runs, newest first (?limit=, ?notebook=, ?status=)."""
    query: ReportQuery = request.context.query  # type: ignore[attr-defined]
    state = lantern()
    with state.db.open_session() as session:
        runs = state.reports.listing(session, query.limit, query.notebook, query.status)
        return {"runs": [run_out(run) for run in runs]}


@api.get("/reports/<run_id>")
@require("read")
@api_spec.validate(resp=Response(HTTP_200=ReportRunOut, **READ_ERRORS), tags=["reports"])
def get_report(run_id: str):  # type: ignore[no-untyped-def]
    """One run: status, progress, timings, parameters, results, error."""
    state = lantern()
    with state.db.open_session() as session:
        return run_out(state.reports.get(session, run_id))


@api.get("/reports/<run_id>/html")
@require("read")
@api_spec.validate(resp=Response("HTTP_200", **READ_ERRORS), tags=["reports"])
def report_html(run_id: str):  # type: ignore[no-untyped-def]
    """The report as HTML, under a strict policy of its own (no script runs in it)."""
    state = lantern()
    with state.db.open_session() as session:
        _, path = state.reports.output(session, run_id, "html")
    response = FlaskResponse(path.read_bytes(), mimetype="text/html")
    response.headers["Content-Security-Policy"] = HTML_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@api.get("/reports/<run_id>/notebook")
@require("read")
@api_spec.validate(resp=Response("HTTP_200", **READ_ERRORS), tags=["reports"])
def report_notebook(run_id: str):  # type: ignore[no-untyped-def]
    """The executed notebook (.ipynb), as a download."""
    state = lantern()
    with state.db.open_session() as session:
        run, path = state.reports.output(session, run_id, "notebook")
    response = FlaskResponse(path.read_bytes(), mimetype="application/x-ipynb+json")
    response.headers["Content-Disposition"] = (f'attachment; filename="{run.notebook}-{run.id}'
                                               f'.ipynb"')
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-cache"
    return response
