"""The report notebooks end to end: each runs on a small generated history (SQLite in English,
PostgreSQL in Chinese) to an offline HTML report; the runner ends notebooks that hang or whose
kernel dies, refuses nothing it should run and runs nothing it should refuse; the command
line, papermill's own command line and the benchmark run too.

One history per database for the whole module: ``python -m server history --days 2
--scale 0.02 --seed 1 --site mogao``; the notebooks of one database run side by side.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psutil
import pytest
from sqlalchemy import create_engine, text

from analytics_notebooks import runner
from analytics_notebooks.runner import Catalog, Outcome
from tests.conftest import POSTGRES_ADMIN_URL, unavailable

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Catalog(ROOT / "tests" / "fixtures" / "notebooks")
WORK = '{"type": "Polygon", "coordinates": [[[94.8075, 40.0345], [94.8085, 40.0345], ' \
       '[94.8085, 40.0352], [94.8075, 40.0352], [94.8075, 40.0345]]]}'
HEADINGS = {
    "en": {"visitor_report": ["Visitor report: Mogao Grottoes", "Visits per day and hour",
                              "Occupancy by zone and hour", "Peak instantaneous occupancy",
                              "Time spent in each zone", "Flows between zones",
                              "Kiosk use and experience completion",
                              "Demand absorbed by virtual substitutes", "Provenance"],
           "preservation_report": ["Preservation report: Mogao Grottoes", "Cave microclimate",
                                   "Hours outside the limits", "Closures",
                                   "capacity from the mass balance",
                                   "Preservation Index (IPI)", "Provenance"],
           "heritage_impact": ["Heritage-impact check: Mogao Grottoes",
                               "The proposed work and the zones around it",
                               "Zones the work touches", "Rules that apply", "Height",
                               "Visitors in the affected zones", "Provenance"]},
    "zh": {"visitor_report": ["游客报告: 莫高窟", "每日与每小时参观人次", "各区域逐小时在场人数",
                              "瞬时最高在场人数", "各区域停留时间", "区域间游客流动", "数据来源"],
           "preservation_report": ["文物保护报告: 莫高窟", "洞窟微环境", "基于质量平衡的容量建议",
                                   "保存指数（IPI）", "数据来源"],
           "heritage_impact": ["文物影响评估: 莫高窟", "拟建工程及周边区域", "工程涉及的区域",
                               "适用规定", "数据来源"]},
}
FIGURES = {"visitor_report": 5, "preservation_report": 4, "heritage_impact": 1}


def generate_history(url: str, tmp: Path) -> tuple[str, str]:
    """Write the history into ``url``; its first and last day (the sites' local days)."""
    env = {**os.environ, "DATABASE_URL": url, "LANTERN_INSTANCE_PATH": str(tmp / "instance")}
    done = subprocess.run([sys.executable, "-m", "server", "history", "--days", "2", "--scale",
                           "0.02", "--seed", "1", "--site", "mogao", "--no-progress"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    engine = create_engine(url)
    with engine.connect() as conn:
        detail = conn.execute(text("SELECT detail FROM audit_log WHERE action = "
                                   "'generate_history' AND target = 'mogao'")).scalar_one()
    engine.dispose()
    detail = json.loads(detail) if isinstance(detail, str) else detail
    last = date.fromisoformat(detail["end"]) - timedelta(days=1)
    return detail["start"], last.isoformat()


def run_all(url: str, first: str, last: str, language: str, out: Path) -> dict[str, Outcome]:
    base = {"database_url": url, "site_id": "mogao", "start": first, "end": last,
            "language": language}
    params = {"visitor_report": base, "preservation_report": base,
              "heritage_impact": {**base, "work_geojson": WORK, "height_m": 9.0, "buffer_m": 10.0}}
    progress: dict[str, list[tuple[int, int]]] = {name: [] for name in params}
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {name: pool.submit(
            runner.execute, name, p, out_dir=out, timeout_s=240,
            on_progress=lambda c, n, name=name: progress[name].append((c, n)))
            for name, p in params.items()}
        outcomes = {name: f.result() for name, f in futures.items()}
    for name, outcome in outcomes.items():
        outcome.results["_progress"] = progress[name]
    return outcomes


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql",
                                                               marks=pytest.mark.postgres)])
def reports(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
            postgres_available: bool) -> Iterator[tuple[str, str, dict[str, Outcome]]]:
    """(dialect, language, outcome of each notebook) on a generated history."""
    tmp = tmp_path_factory.mktemp(request.param)
    admin = None
    if request.param == "sqlite":
        url, language = f"sqlite:///{tmp / 'lantern.db'}", "en"
    else:
        if not postgres_available:
            unavailable(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}")
        name = f"lantern_test_{uuid.uuid4().hex[:10]}"
        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url, language = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", "zh"
    first, last = generate_history(url, tmp)
    yield request.param, language, run_all(url, first, last, language, tmp / "out")
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.parametrize("name", ["visitor_report", "preservation_report", "heritage_impact"])
def test_each_report_runs_to_an_offline_html_with_its_sections_and_figures(
        reports: tuple[str, str, dict[str, Outcome]], name: str) -> None:
    dialect, language, outcomes = reports
    outcome = outcomes[name]
    assert outcome.status == "succeeded", outcome.error
    assert outcome.html_path is not None and outcome.notebook_path is not None
    assert re.fullmatch(rf"{name}-\d{{8}}T\d{{6}}Z-[0-9a-f]{{8}}\.html", outcome.html_path.name)
    page = outcome.html_path.read_text(encoding="utf-8")
    for heading in HEADINGS[language][name]:
        assert heading in page, f"{heading!r} missing from the {dialect} {name}"
    assert len(re.findall(r'<img [^>]*src="data:image/png;base64,', page)) >= FIGURES[name]
    assert page.count("<table>") >= 3
    assert "<script" not in page.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert "from analytics_notebooks import" not in page  # code hidden
    progress = outcome.results["_progress"]
    cells = progress[-1][1]
    assert progress[-1] == (cells, cells) and len(progress) == cells + 1


def test_the_key_figures_are_kept_as_json(reports: tuple[str, str, dict[str, Outcome]]) -> None:
    _, _, outcomes = reports
    visits = outcomes["visitor_report"].results
    assert len(visits["visits_per_day"]) == 2
    # the history stored 2 % of its visitors: each day also carries the whole crowd's estimate
    assert set(visits["visits_per_day"][0]) == {"date", "visits", "daily_capacity",
                                                "estimated_visits"}
    assert sum(d["visits"] for d in visits["visits_per_day"]) > 0
    assert all(d["estimated_visits"] == round(d["visits"] / 0.02)
               for d in visits["visits_per_day"])
    assert visits["visits_per_day"][0]["daily_capacity"] == 6000
    zone = visits["zones"]["mogao-protection"]
    assert zone["peak_occupancy"] > 0 and zone["peak_at"].endswith("+08:00")
    caves = outcomes["preservation_report"].results["caves"]
    assert "mogao-cave-465" in caves
    for figures in caves.values():
        assert {"rise_ppm_per_person_min", "rise_ppm_per_person_min_ci95", "air_exchange_per_h",
                "air_exchange_per_h_ci95", "recommended_capacity",
                "recommended_capacity_ci95"} <= set(figures)
        assert len(figures["rise_ppm_per_person_min_ci95"]) == 2
    impact = outcomes["heritage_impact"].results
    assert {t["zone_id"] for t in impact["touched_zones"]} >= {"mogao-protection"}
    assert "height" in {r["kind"] for r in impact["broken_rules"]}
    assert impact["requires_approval"] is True


def test_a_notebook_that_never_ends_is_killed_at_its_limit_with_nothing_left_running(
        tmp_path: Path) -> None:
    pid_file = tmp_path / "kernel.pid"
    started = time.monotonic()
    outcome = FIXTURES.execute("hang", {"pid_file": str(pid_file)}, out_dir=tmp_path / "out",
                               timeout_s=8)
    assert time.monotonic() - started < 20
    assert outcome.status == "failed"
    assert outcome.error == {"cell": 3, "ename": "TimeoutError",
                             "evalue": "the report did not finish within its limit of 8 s and "
                                       "was stopped"}
    kernel = int(pid_file.read_text())
    assert not psutil.pid_exists(kernel) or psutil.Process(kernel).status() == "zombie"
    assert not [p for p in psutil.Process().children(recursive=True)
                if "analytics_notebooks.child" in " ".join(p.cmdline())]


def test_a_kernel_that_dies_mid_run_fails_the_run_at_that_cell(tmp_path: Path) -> None:
    outcome = FIXTURES.execute("dies", {"pid_file": str(tmp_path / "kernel.pid")},
                               out_dir=tmp_path / "out", timeout_s=60)
    assert outcome.status == "failed"
    assert outcome.error is not None
    assert (outcome.error["cell"], outcome.error["ename"]) == (3, "DeadKernelError")
    assert outcome.html_path is not None and outcome.html_path.is_file()


def test_a_failing_cell_is_recorded_and_shown_in_the_report(tmp_path: Path) -> None:
    outcome = FIXTURES.execute("echo", {"choice": "b"}, out_dir=tmp_path, timeout_s=60)
    assert outcome.status == "failed"
    assert outcome.error == {"cell": 5, "ename": "ValueError",
                             "evalue": "the echo notebook fails when asked"}
    assert outcome.html_path is not None
    assert "<strong>ValueError</strong>: the echo notebook fails when asked" in \
        outcome.html_path.read_text(encoding="utf-8")


def test_a_value_crafted_as_code_reaches_the_notebook_as_text(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    crafted = f'x"; open("{marker}", "w"); y = "\\'
    outcome = FIXTURES.execute("echo", {"text": crafted}, out_dir=tmp_path / "out", timeout_s=60)
    assert outcome.status == "succeeded", outcome.error
    assert outcome.results["text"] == crafted
    assert not marker.exists()
    assert Path(outcome.results["cwd"]).name.startswith("lantern-report-")
    assert not Path(outcome.results["cwd"]).exists()  # the working directory is gone
    page = outcome.html_path.read_text(encoding="utf-8")  # type: ignore[union-attr]
    assert re.search(r'<img [^>]*src="data:image/png;base64,', page)  # a pyplot figure


def test_a_database_that_cannot_be_reached_is_a_clear_failed_run(tmp_path: Path) -> None:
    outcome = runner.execute("visitor_report", {
        "database_url": "postgresql+psycopg://olga:s3cret@127.0.0.1:1/lantern",
        "site_id": "mogao", "start": "2026-10-01", "end": "2026-10-02"},
        out_dir=tmp_path, timeout_s=120)
    assert outcome.status == "failed"
    assert outcome.error is not None and outcome.error["ename"] == "DatabaseUnavailable"
    assert outcome.error["evalue"].startswith(
        "cannot reach the database postgresql+psycopg://olga:***@127.0.0.1:1/lantern")
    assert "s3cret" not in json.dumps(outcome.error)
    assert outcome.notebook_path is not None
    assert "s3cret" not in outcome.notebook_path.read_text(encoding="utf-8")


@pytest.mark.parametrize("reports", ["sqlite"], indirect=True)
def test_the_command_line_runs_a_report_with_a_progress_bar(
        reports: tuple[str, str, dict[str, Outcome]], tmp_path: Path) -> None:
    _, _, outcomes = reports
    params = json.loads(outcomes["visitor_report"].notebook_path.read_text())[  # type: ignore[union-attr]
        "metadata"]["papermill"]["parameters"]
    done = subprocess.run(
        [sys.executable, "-m", "analytics_notebooks", "run", "heritage_impact", "--site", "mogao",
         "--start", params["start"], "--end", params["end"], "--language", "zh",
         "--database-url", params["database_url"], "--work-geojson", WORK, "--height-m", "4",
         "--out", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    html = Path(re.search(r"^report: (.+)$", done.stdout, re.M).group(1))  # type: ignore[union-attr]
    assert html.parent == tmp_path and "文物影响评估" in html.read_text(encoding="utf-8")
    assert "heritage_impact: 100%" in done.stderr


@pytest.mark.parametrize("reports", ["sqlite"], indirect=True)
def test_papermill_runs_each_notebook_as_it_is(reports: tuple[str, str, dict[str, Outcome]],
                                               tmp_path: Path) -> None:
    _, _, outcomes = reports
    params = json.loads(outcomes["visitor_report"].notebook_path.read_text())[  # type: ignore[union-attr]
        "metadata"]["papermill"]["parameters"]
    papermill = Path(sys.executable).parent / "papermill"

    def run(name: str) -> tuple[subprocess.CompletedProcess[str], Path]:
        out = tmp_path / f"{name}.ipynb"
        return subprocess.run(
            [str(papermill), str(ROOT / "analytics_notebooks" / f"{name}.ipynb"), str(out),
             "-k", "python3", "-p", "database_url", params["database_url"],
             "-p", "site_id", "mogao", "-p", "start", params["start"], "-p", "end", params["end"]],
            cwd=ROOT, capture_output=True, text=True, timeout=240), out

    names = {"visitor_report": "Visits per day and hour", "preservation_report":
             "Cave microclimate", "heritage_impact": "Zones the work touches"}
    with ThreadPoolExecutor(max_workers=3) as pool:
        done = dict(zip(names, pool.map(run, names), strict=True))
    for name, (proc, out) in done.items():
        assert proc.returncode == 0, f"{name}: {proc.stderr[-2000:]}"
        shown = json.dumps([c.get("outputs") for c in json.loads(out.read_text())["cells"]])
        assert names[name] in shown and "Provenance" in shown


def test_the_report_benchmark_runs_at_a_small_size() -> None:
    done = subprocess.run([sys.executable, "-m", "bench.bench_report", "--events", "20000",
                           "--days", "2", "--json"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    table, _, report = done.stdout.partition("\n{")
    assert "goal" in table
    figures: dict[str, Any] = json.loads("{" + report)
    assert figures["events"] >= 20000 and figures["same_visits"]
    assert figures["report"]["seconds"] > 0 and figures["baseline"]["seconds"] > 0
    assert 0 < figures["report"]["peak_mb"] < 4096
