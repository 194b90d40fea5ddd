"""Report runs over REST: the notebooks and their schemas, runs end to end with the real runner
(papermill in a child process), the cache, validation, roles, the HTML's own policy, the queue,
restarts, the time limit, and report_progress on /control (docs/reports-api.md)."""

from __future__ import annotations

import json
import math
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from server.extensions import socketio
from server.services.reports import data_fingerprint
from server.services.tokens import create_token
from server.services.venues import import_venues
from server.storage.models import ReportRun
from tests.conftest import (
    FIXTURES,
    POSTGRES_ADMIN_URL,
    AuthActions,
    _postgres_reachable,
    bearer,
    make_app,
    unavailable,
)

SITE = "testsite"
TODAY = datetime.now(UTC).date()
# local days of the site (UTC+8) that surely hold the data added half an hour ago
PARAMS = {"site_id": SITE, "start": (TODAY - timedelta(days=2)).isoformat(),
          "end": (TODAY + timedelta(days=1)).isoformat()}
VISITORS = 6
REPORT = {"notebook": "visitor_report", "parameters": PARAMS}
HTML_POLICY = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; "
               "form-action 'none'; frame-ancestors 'self'; sandbox")
PASSWORD = "s3cret-report-pw"
ROLES = ("admin", "operator", "planner", "viewer", "ingest")
M_LON = 1 / (111320 * math.cos(math.radians(30)))
M_LAT = 1 / 111320


# -- helpers -------------------------------------------------------------------------------------
def load(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Import the tiny venue; a token for every role."""
    db = app.extensions["lantern"].db
    with db.transaction() as session:
        import_venues(session, FIXTURES / "venues_min")
    with db.transaction() as session:
        return {role: create_token(session, role, f"test {role}") for role in ROLES}


def add_data(app, tokens: dict[str, str], visitors: int = VISITORS) -> None:  # type: ignore[no-untyped-def]
    """A few visitors walking from the south hall into the cave, and a few cave readings."""
    client = app.test_client()
    now = datetime.now(UTC) - timedelta(minutes=30)
    rows = []
    for v in range(visitors):
        for step, (x, y) in enumerate([(40, -100), (40, -90), (-80, 70), (-80, 72)]):
            rows.append({"event_id": uuid.uuid4().hex, "visitor_id": f"v{v}",
                         "ts": (now + timedelta(minutes=5 * step, seconds=v)).isoformat(),
                         "lon": 100 + x * M_LON, "lat": 30 + y * M_LAT})
    done = client.post(f"/api/v1/sites/{SITE}/positions", json={"positions": rows},
                       headers=bearer(tokens["ingest"]))
    assert done.status_code == 200, done.get_json()
    readings = [{"event_id": uuid.uuid4().hex, "sensor_id": "t-s-01",
                 "ts": (now + timedelta(minutes=i)).isoformat(), "temperature_c": 14.0 + i / 10,
                 "relative_humidity": 40.0, "co2_ppm": 600.0 + 10 * i} for i in range(10)]
    done = client.post(f"/api/v1/sites/{SITE}/sensor-readings", json={"readings": readings},
                       headers=bearer(tokens["ingest"]))
    assert done.status_code == 200, done.get_json()
    app.extensions["lantern"].presence.flush()  # zone transitions, as the hub's loop writes them


def assert_no_password(ran: Ran, text: str) -> None:
    """The database's password shows in no output (the notebook gets the URL masked)."""
    password = make_url(ran.url).password
    if password:
        assert str(password) not in text


def wait_run(client, token: str, run_id: str, timeout: float = 90.0,  # type: ignore[no-untyped-def]
             until: tuple[str, ...] = ("succeeded", "failed")) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        run = client.get(f"/api/v1/reports/{run_id}", headers=bearer(token)).get_json()
        if run["status"] in until:
            return run  # type: ignore[no-any-return]
        assert time.monotonic() < deadline, f"run still {run['status']}: {run}"
        time.sleep(0.1)


def wait_idle(app, timeout: float = 120.0) -> None:  # type: ignore[no-untyped-def]
    """Until this app runs no report (a run is never left behind in its child process)."""
    deadline = time.monotonic() + timeout
    while app.extensions["lantern"].reports.running() and time.monotonic() < deadline:
        time.sleep(0.1)


def new_database(kind: str, tmp: Path) -> tuple[str, Any]:
    """A fresh database of ``kind`` and how to drop it (module-scoped fixtures cannot use the
    function-scoped ``database_url``)."""
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'lantern.db'}", lambda: None
    if not _postgres_reachable():
        unavailable(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}")
    name = f"lantern_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    url = make_url(POSTGRES_ADMIN_URL).set(database=name)
    if not url.password:  # one to keep out of the outputs (the test server trusts loopback)
        url = url.set(password=PASSWORD)
    return url.render_as_string(hide_password=False), drop


@dataclass
class Ran:
    """An app whose first report was submitted before a restart and ran after it."""

    app: Any
    tokens: dict[str, str]
    url: str
    run_id: str
    before_restart: dict[str, Any]
    run: dict[str, Any]
    events: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def ran(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ran]:
    tmp = tmp_path_factory.mktemp(f"reports-{request.param}")
    url, drop = new_database(request.param, tmp)
    first = make_app(tmp, DATABASE_URL=url)  # a server that queues a run and stops
    tokens = load(first)
    add_data(first, tokens)
    submitted = first.test_client().post("/api/v1/reports", json=REPORT,
                                         headers=bearer(tokens["planner"]))
    assert submitted.status_code == 202, submitted.get_json()
    first.extensions["lantern"].db.dispose()

    app = make_app(tmp, DATABASE_URL=url)  # the server again, on the same database
    browser = app.test_client()
    auth = AuthActions(browser, app.extensions["lantern"].db)
    auth.create("omar", "operator")
    assert auth.login("omar").status_code == 302
    operator = socketio.test_client(app, namespace="/control", flask_test_client=browser)
    assert operator.is_connected("/control")
    started = time.monotonic()
    app.extensions["lantern"].reports.start()  # what the hub's on_start does
    run_id = submitted.get_json()["id"]
    run = wait_run(app.test_client(), tokens["viewer"], run_id)
    seconds = time.monotonic() - started
    events = [e["args"][0] for e in operator.get_received("/control")
              if e["name"] == "report_progress"]
    operator.disconnect(namespace="/control")
    yield Ran(app, tokens, url, run_id, submitted.get_json(), run, events, seconds)
    wait_idle(app)
    app.extensions["lantern"].db.dispose()
    drop()


# -- the notebooks -------------------------------------------------------------------------------
def test_the_notebooks_are_listed_with_their_parameters_as_json_schema(ran: Ran) -> None:
    client = ran.app.test_client()
    answer = client.get("/api/v1/reports/notebooks", headers=bearer(ran.tokens["viewer"]))
    assert answer.status_code == 200
    notebooks = {nb["name"]: nb for nb in answer.get_json()["notebooks"]}
    assert {"visitor_report", "preservation_report", "heritage_impact"} <= set(notebooks)
    for nb in notebooks.values():
        assert nb["title"] and isinstance(nb["description"], str)
        schema = nb["parameters"]
        assert schema["type"] == "object" and schema["additionalProperties"] is False
        assert "database_url" not in schema["properties"]
        assert "database_url" not in schema.get("required", [])
    visitor = notebooks["visitor_report"]["parameters"]
    assert {"site_id", "start", "end", "language"} <= set(visitor["properties"])
    assert client.get("/api/v1/reports/notebooks").status_code == 401


# -- a run end to end ------------------------------------------------------------------------------
def test_a_queued_run_survives_a_restart_and_runs_to_success(ran: Ran) -> None:
    assert ran.before_restart["status"] == "queued"
    assert ran.before_restart["parameters"]["language"] == "en"  # defaults filled in
    assert "database_url" not in ran.before_restart["parameters"]
    run = ran.run
    assert run["status"] == "succeeded", run["error"]
    assert run["error"] is None and run["cached_from"] is None
    assert run["created_by"].startswith("token:")
    assert run["started_at"] and run["finished_at"] and run["finished_at"] >= run["started_at"]
    assert run["progress"]["cells"] and run["progress"]["cell"] == run["progress"]["cells"]
    # the report read the data added before the restart: every visitor, on the site's days
    results = run["results"]
    assert results["site_id"] == SITE and results["start"] == PARAMS["start"]
    assert sum(day["visits"] for day in results["visits_per_day"]) == VISITORS
    assert run["html_url"] == f"/api/v1/reports/{ran.run_id}/html"
    assert run["notebook_url"] == f"/api/v1/reports/{ran.run_id}/notebook"
    # the outputs lie in the run's own folder, named by the server
    folder = Path(ran.app.config["LANTERN_REPORTS_PATH"]) / ran.run_id
    assert sorted(p.suffix for p in folder.iterdir()) == [".html", ".ipynb"]
    listed = ran.app.test_client().get("/api/v1/reports?limit=5",
                                       headers=bearer(ran.tokens["viewer"])).get_json()["runs"]
    assert listed[0]["id"] == ran.run_id


def test_the_html_is_served_under_its_own_strict_policy(ran: Ran) -> None:
    client = ran.app.test_client()
    page = client.get(ran.run["html_url"], headers=bearer(ran.tokens["viewer"]))
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert page.headers["Content-Security-Policy"] == HTML_POLICY  # the site's policy replaced
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    body = page.get_data(as_text=True)
    assert "<html" in body.lower()
    assert "<script" not in body.lower()  # offline HTML: nothing to run (and none would run)
    assert_no_password(ran, body)


def test_the_executed_notebook_downloads(ran: Ran) -> None:
    client = ran.app.test_client()
    answer = client.get(ran.run["notebook_url"], headers=bearer(ran.tokens["viewer"]))
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"].startswith("attachment;")
    assert answer.headers["Content-Disposition"].endswith(f'{ran.run_id}.ipynb"')
    notebook = json.loads(answer.get_data())
    assert notebook["nbformat"] == 4 and notebook["cells"]
    assert_no_password(ran, answer.get_data(as_text=True))
    assert client.get(ran.run["notebook_url"]).status_code == 401


def test_report_progress_reaches_operators_on_control(ran: Ran) -> None:
    mine = [e for e in ran.events if e["run_id"] == ran.run_id]
    assert {tuple(sorted(e)) for e in mine} == {("cell", "cells", "notebook", "run_id", "status")}
    statuses = [e["status"] for e in mine]
    assert statuses[0] == "running" and statuses[-1] == "succeeded"
    assert set(statuses) == {"running", "succeeded"}
    cells = [e["cell"] for e in mine if e["status"] == "running" and e["cells"]]
    assert cells and cells == sorted(cells)
    assert mine[-1]["cell"] == mine[-1]["cells"] == ran.run["progress"]["cells"]
    # coalesced: at most four a second, plus the status changes and the last cell
    assert len(mine) <= 4 * ran.seconds + 4


# -- the cache -------------------------------------------------------------------------------------
def test_the_same_report_again_is_answered_from_the_cache_and_force_runs_it_again(ran: Ran) -> None:
    client, planner = ran.app.test_client(), bearer(ran.tokens["planner"])
    same = {"notebook": "visitor_report", "parameters": {**PARAMS, "language": "en"}}
    cached = client.post("/api/v1/reports", json=same, headers=planner)
    assert cached.status_code == 200, cached.get_json()
    body = cached.get_json()
    assert body["cached_from"] == ran.run_id and body["id"] != ran.run_id
    assert body["status"] == "succeeded" and body["results"] == ran.run["results"]
    page = client.get(body["html_url"], headers=planner)
    assert page.status_code == 200 and page.headers["Content-Security-Policy"] == HTML_POLICY

    forced = client.post("/api/v1/reports", json={**REPORT, "force": True}, headers=planner)
    assert forced.status_code == 202, forced.get_json()
    assert forced.get_json()["cached_from"] is None and forced.get_json()["id"] != ran.run_id
    again = client.post("/api/v1/reports", json=REPORT, headers=planner)  # while it is under way
    assert again.status_code in (200, 202)
    assert again.get_json()["id"] in (forced.get_json()["id"],
                                      body["id"]) or again.get_json()["cached_from"] == ran.run_id
    done = wait_run(client, ran.tokens["viewer"], forced.get_json()["id"])
    assert done["status"] == "succeeded", done["error"]


def test_new_data_in_the_window_changes_the_fingerprint_and_data_outside_does_not(ran: Ran) -> None:
    db = ran.app.extensions["lantern"].db
    params = {**PARAMS, "start": (TODAY - timedelta(days=1)).isoformat()}
    with db.open_session() as session:
        before = data_fingerprint(session, params)
    add_data(ran.app, ran.tokens, visitors=1)
    with db.open_session() as session:
        after = data_fingerprint(session, params)
        other_site = data_fingerprint(session, {**params, "site_id": "elsewhere"})
        long_ago = data_fingerprint(session, {**params, "start": "2020-01-01", "end": "2020-01-31"})
    assert after != before
    assert after["position_events"][0] == before["position_events"][0] + 4
    assert other_site["position_events"] == [0, None]
    assert long_ago["position_events"] == [0, None] and long_ago["sensor_readings"] == [0, None]


# -- validation and roles --------------------------------------------------------------------------
@pytest.fixture
def loaded_app(tmp_path: Path):  # type: ignore[no-untyped-def]
    """An app with the tiny venue whose report workers never start: nothing runs."""
    app = make_app(tmp_path)
    tokens = load(app)
    yield app, tokens
    app.extensions["lantern"].db.dispose()


@pytest.mark.parametrize(("body", "code", "fields"), [
    ({"notebook": "visitor_report", "parameters": {**PARAMS, "colour": "red"}},
     "invalid_parameters", ["parameters.colour"]),
    ({"notebook": "visitor_report", "parameters": {**PARAMS, "start": 20261001}},
     "invalid_parameters", ["parameters.start"]),
    ({"notebook": "visitor_report", "parameters": {**PARAMS, "start": "2026-13-40"}},
     "invalid_parameters", ["parameters.start"]),
    ({"notebook": "visitor_report", "parameters": {**PARAMS, "start": PARAMS["end"],
                                                   "end": PARAMS["start"]}},
     "invalid_parameters", ["parameters.end"]),
    ({"notebook": "visitor_report", "parameters": {**PARAMS, "site_id": "atlantis"}},
     "invalid_parameters", ["parameters.site_id"]),
    ({"notebook": "visitor_report", "parameters": {"start": PARAMS["start"], "end": PARAMS["end"]}},
     "invalid_parameters", ["parameters.site_id"]),
    ({"notebook": "visitor_report", "parameters": {**PARAMS, "language": "fr", "colour": 1}},
     "invalid_parameters", ["parameters.colour", "parameters.language"]),
    # a caller may not choose the database: not another server, not a file
    ({"notebook": "visitor_report", "parameters": {**PARAMS,
                                                   "database_url": "sqlite:////etc/passwd"}},
     "invalid_parameters", ["parameters.database_url"]),
    ({"notebook": "visitor_report", "parameters": {**PARAMS, "database_url":
                                                   "postgresql+psycopg://evil@203.0.113.9/x"}},
     "invalid_parameters", ["parameters.database_url"]),
    # values crafted to become code in the parameters cell
    ({"notebook": "visitor_report", "parameters": {
        **PARAMS, "site_id": "testsite'\nimport os; os.system('touch /tmp/pwned')\n#"}},
     "invalid_parameters", ["parameters.site_id"]),
    ({"notebook": "visitor_report", "parameters": {**PARAMS, "language": "en\"; import os #"}},
     "invalid_parameters", ["parameters.language"]),
    ({"notebook": "visitor_report", "parameters": {**PARAMS, "__import__('os')": 1}},
     "invalid_parameters", None),
    ({"notebook": "../../etc/passwd", "parameters": PARAMS}, "unknown_notebook", None),
    ({"notebook": "visitor_report.ipynb", "parameters": PARAMS}, "unknown_notebook", None),
    ({"notebook": "nope", "parameters": PARAMS}, "unknown_notebook", None),
    ({"notebook": "visitor_report", "parameters": PARAMS, "force": "yes"}, "invalid", None),
    ({"notebook": "visitor_report", "parameters": PARAMS, "out_dir": "/tmp"}, "invalid", None),
    ({"notebook": "visitor_report", "parameters": [1, 2]}, "invalid", None),
])
def test_bad_reports_are_refused_in_the_envelope_naming_the_fields(
        loaded_app, body: dict[str, Any], code: str, fields: list[str] | None) -> None:  # type: ignore[no-untyped-def]
    app, tokens = loaded_app
    client = app.test_client()
    answer = client.post("/api/v1/reports", json=body, headers=bearer(tokens["planner"]))
    assert answer.status_code == 422, answer.get_json()
    error = answer.get_json()["error"]
    assert error["code"] == code and error["message"]
    if fields is not None:
        assert sorted(d["field"] for d in error["details"]) == fields, error
        for name in fields:
            assert name in error["message"]
    listed = client.get("/api/v1/reports", headers=bearer(tokens["viewer"])).get_json()
    assert listed == {"runs": []}  # nothing was queued
    assert not Path("/tmp/pwned").exists()


def test_planners_operators_and_admins_run_reports_viewers_read_them(loaded_app) -> None:  # type: ignore[no-untyped-def]
    app, tokens = loaded_app
    client = app.test_client()
    ids = []
    for role in ("planner", "operator", "admin"):
        answer = client.post("/api/v1/reports", json={**REPORT, "force": True},
                             headers=bearer(tokens[role]))
        assert answer.status_code == 202, (role, answer.get_json())
        assert answer.get_json()["status"] == "queued"
        ids.append(answer.get_json()["id"])
    # an identical run already queued answers a second submission (nothing more is queued)
    same = client.post("/api/v1/reports", json=REPORT, headers=bearer(tokens["planner"]))
    assert same.status_code == 202 and same.get_json()["id"] == ids[-1]
    for role in ("viewer", "ingest"):
        refused = client.post("/api/v1/reports", json=REPORT, headers=bearer(tokens[role]))
        assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    viewer = bearer(tokens["viewer"])
    runs = client.get("/api/v1/reports", headers=viewer).get_json()["runs"]
    assert [r["id"] for r in runs] == ids[::-1]  # newest first
    assert [r["id"] for r in client.get("/api/v1/reports?limit=1", headers=viewer)
            .get_json()["runs"]] == ids[-1:]
    assert client.get(f"/api/v1/reports/{ids[0]}", headers=viewer).get_json()["id"] == ids[0]
    queued = client.get(f"/api/v1/reports/{ids[0]}/html", headers=viewer)
    assert queued.status_code == 409 and queued.get_json()["error"]["code"] == "conflict"
    for path in ("/reports/nope", "/reports/nope/html", "/reports/nope/notebook"):
        missing = client.get(f"/api/v1{path}", headers=viewer)
        assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/reports", headers=bearer(tokens["ingest"])).status_code == 403
    for method, path in (("GET", "/reports"), ("GET", "/reports/notebooks"),
                         ("GET", f"/reports/{ids[0]}"), ("GET", f"/reports/{ids[0]}/html"),
                         ("GET", f"/reports/{ids[0]}/notebook"), ("POST", "/reports")):
        anonymous = client.open(f"/api/v1{path}", method=method,
                                json=REPORT if method == "POST" else None)
        assert anonymous.status_code == 401, path
        assert anonymous.get_json()["error"]["code"] == "unauthenticated"


def test_a_planner_signed_in_to_the_panel_runs_a_report_with_the_csrf_token(loaded_app) -> None:  # type: ignore[no-untyped-def]
    app, _ = loaded_app
    client = app.test_client()
    auth = AuthActions(client, app.extensions["lantern"].db)
    auth.create("pia", "planner")
    auth.login("pia")
    assert client.post("/api/v1/reports", json=REPORT).status_code == 400  # no CSRF token
    token = auth.csrf("/panel")
    answer = client.post("/api/v1/reports", json=REPORT, headers={"X-CSRFToken": token})
    assert answer.status_code == 202 and answer.get_json()["created_by"] == "pia"


# -- the queue, the time limit, restarts -----------------------------------------------------------
def test_one_worker_queues_the_second_run_and_a_run_past_its_limit_fails(
        tmp_path: Path, database_url: str) -> None:
    app = make_app(tmp_path, DATABASE_URL=database_url, LANTERN_REPORT_WORKERS=1,
                   LANTERN_REPORT_TIMEOUT_S=2)
    try:
        tokens = load(app)
        client, planner = app.test_client(), bearer(tokens["planner"])
        app.extensions["lantern"].reports.start()
        first = client.post("/api/v1/reports", json=REPORT, headers=planner).get_json()
        second = client.post("/api/v1/reports", json={**REPORT, "force": True},
                             headers=planner).get_json()
        assert wait_run(client, tokens["viewer"], first["id"], until=("running",))
        assert client.get(f"/api/v1/reports/{second['id']}",
                          headers=planner).get_json()["status"] == "queued"
        health = client.get("/api/v1/health")  # the server answers while a report runs
        assert health.status_code == 200, health.get_json()
        failed = wait_run(client, tokens["viewer"], first["id"], timeout=30)
        assert failed["status"] == "failed"
        assert failed["error"]["ename"] == "TimeoutError"
        assert "2 s" in failed["error"]["evalue"]
        assert failed["html_url"] is None
        assert client.get(failed["html_url"] or f"/api/v1/reports/{first['id']}/html",
                          headers=planner).status_code == 404
        then = wait_run(client, tokens["viewer"], second["id"], timeout=30)
        assert then["status"] == "failed" and then["started_at"] >= failed["finished_at"]
        assert client.get("/api/v1/health").status_code == 200
    finally:
        wait_idle(app)
        app.extensions["lantern"].db.dispose()


def test_a_run_left_running_by_a_dead_server_fails_and_a_live_ones_does_not(
        tmp_path: Path, database_url: str) -> None:
    app = make_app(tmp_path, DATABASE_URL=database_url)
    try:
        now = datetime.now(UTC)
        gone = subprocess.Popen([sys.executable, "-c", "pass"])
        gone.wait()  # a process of this host that has ended: its runs fail at once
        with app.extensions["lantern"].db.transaction() as session:
            for run_id, worker, heard in (("r-dead", "elsewhere:1:ab", now - timedelta(minutes=5)),
                                          ("r-alive", "elsewhere:2:cd", now),
                                          ("r-ended", f"{socket.gethostname()}:{gone.pid}:ef", now)):
                session.add(ReportRun(id=run_id, notebook="visitor_report", parameters=PARAMS,
                                      status="running", created_by="t", created_at=now,
                                      started_at=now, worker=worker, heartbeat_at=heard))
        app.extensions["lantern"].reports.start()
        with app.extensions["lantern"].db.open_session() as session:
            dead, alive = session.get(ReportRun, "r-dead"), session.get(ReportRun, "r-alive")
            ended = session.get(ReportRun, "r-ended")
            assert dead is not None and alive is not None and ended is not None
            for run in (dead, ended):
                assert run.status == "failed" and run.error_ename == "ServerStopped"
                assert "stopped before it finished" in (run.error_evalue or "")
            assert alive.status == "running"  # another host's process, heard of just now
    finally:
        app.extensions["lantern"].db.dispose()


def test_cell_progress_is_coalesced_to_a_few_updates_a_second(loaded_app) -> None:  # type: ignore[no-untyped-def]
    from server.services.reports import Reports, _Progress

    app, _ = loaded_app
    state = app.extensions["lantern"]
    sent: list[tuple[str, dict[str, Any]]] = []
    reports = Reports(state.db, database_url=state.settings["DATABASE_URL"],
                      root=Path(state.settings["LANTERN_REPORTS_PATH"]), workers=1,
                      timeout_s=60, emit=lambda event, data: sent.append((event, data)),
                      spawn=lambda *a: None)
    progress = _Progress(reports, "r-x", "visitor_report")
    for cell in range(1, 201):  # 200 cells in a moment
        progress(cell, 200)
    cells = [data["cell"] for event, data in sent]
    assert {event for event, _ in sent} == {"report_progress"}
    assert cells[0] == 1 and cells[-1] == 200 and len(cells) <= 3
    assert sent[-1][1] == {"run_id": "r-x", "notebook": "visitor_report", "status": "running",
                           "cell": 200, "cells": 200}
