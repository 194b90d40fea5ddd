"""What a report shows and keeps: the offline HTML, the figures' language and font, the key
figures file, the provenance's URL without its password, the IPI formulas, and the CLI's
answers to bad input."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import nbformat
import pytest
from analytics_fixtures import TinySite

from analytics_notebooks import cli, display, ipi, report, results
from analytics_notebooks.db import DatabaseUnavailable, connect, masked_url, resolve_url
from analytics_notebooks.html import export_html, scrub

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n fake").decode()


def executed_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata.papermill = {"parameters": {"language": "zh"}}
    params = nbformat.v4.new_code_cell("site_id = 'mogao'")
    params.outputs = [nbformat.v4.new_output("stream", name="stdout", text="visible <b>text</b>")]
    show = nbformat.v4.new_code_cell("secret_source_code = 1")
    show.outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": "<h1>游客报告: Mogao</h1>"}),
        nbformat.v4.new_output("display_data", data={"image/png": PNG, "text/plain": "fig"}),
        nbformat.v4.new_output("display_data", data={
            "text/html": '<div onclick="steal()">x</div><script src="https://cdn.example/x.js">'
                         "</script><iframe src=\"http://example.com\"></iframe>",
            "application/javascript": "alert(1)"}),
        nbformat.v4.new_output("error", ename="DatabaseUnavailable",
                               evalue="cannot reach \x1b[31mthe database\x1b[0m", traceback=[]),
    ]
    marker = nbformat.v4.new_markdown_cell("An Exception was encountered")
    marker.metadata.tags = ["papermill-error-cell-tag"]
    nb.cells = [marker, params, show, nbformat.v4.new_markdown_cell("## Notes\n\n*fine*")]
    return nb


def test_the_html_report_has_no_code_no_script_and_nothing_to_fetch() -> None:
    page = export_html(executed_notebook(), title="fallback")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="zh-Hans">' in page
    assert "<title>游客报告: Mogao</title>" in page
    assert "secret_source_code" not in page and "site_id = " not in page
    assert "<script" not in page.lower() and "<iframe" not in page.lower()
    assert "onclick" not in page and "alert(1)" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert "<link" not in page.lower() and "@import" not in page
    assert f'src="data:image/png;base64,{PNG}"' in page
    assert "visible &lt;b&gt;text&lt;/b&gt;" in page
    assert "<strong>DatabaseUnavailable</strong>: cannot reach the database" in page
    assert "An Exception was encountered" not in page  # papermill's marker cell
    assert ">Notes<" in page and "<em>fine</em>" in page


def test_scrub_removes_whatever_could_run() -> None:
    dirty = ('<p onmouseover=x()>a</p><SCRIPT>evil()</SCRIPT><script src=x>'
             '<link rel="stylesheet" href="http://cdn/x.css"><object data="x"></object>')
    clean = scrub(dirty)
    assert clean == "<p>a</p>"


def test_tables_escape_what_the_database_holds() -> None:
    import pandas as pd

    html = display.table_html(pd.DataFrame({"Zone": ["<img src=x onerror=alert(1)>"],
                                            "Visits": [1234567]}), caption="<b>")
    assert "<img" not in html and "&lt;img" in html
    assert "1,234,567" in html and "<caption>&lt;b&gt;</caption>" in html


def test_figures_are_embedded_as_data_uris(monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(display, "show_html", shown.append)
    fig = display.new_figure(2, 1)
    fig.add_subplot().plot([0, 1], [1, 0])
    display.figure(fig, "a <caption>")
    assert shown[0].startswith('<figure><img src="data:image/png;base64,iVBOR')
    assert 'alt="a &lt;caption&gt;"' in shown[0]


def test_a_chinese_report_without_a_cjk_font_says_so_once(
        tiny: TinySite, monkeypatch: pytest.MonkeyPatch) -> None:
    import geo.render

    shown: list[str] = []
    monkeypatch.setattr(display, "show_html", shown.append)
    monkeypatch.setattr(geo.render, "find_cjk_font", lambda: None)
    r = report.open_report("visitor_report", tiny.url, "testsite", "2026-10-01", "2026-10-02",
                           "zh")
    r.close()
    warnings = [s for s in shown if 'class="warning"' in s]
    assert len(warnings) == 1 and "fonts-wqy-microhei" in warnings[0]
    assert shown[0] == "<h1>游客报告: 测试遗址</h1>"


def test_a_chinese_report_uses_the_installed_cjk_font(tiny: TinySite,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import matplotlib

    from geo.render import find_cjk_font

    if find_cjk_font() is None:
        pytest.skip("no CJK font on this system (apt install fonts-wqy-microhei)")
    shown: list[str] = []
    monkeypatch.setattr(display, "show_html", shown.append)
    r = report.open_report("visitor_report", tiny.url, "testsite", "2026-10-01", "2026-10-02",
                           "zh")
    r.close()
    assert matplotlib.rcParams["font.family"][0] == find_cjk_font()
    assert not [s for s in shown if 'class="warning"' in s]
    report.use_fonts("en")
    assert matplotlib.rcParams["font.family"][0] == "DejaVu Sans"


def test_the_provenance_names_the_database_without_its_password(
        tiny: TinySite, monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(display, "show_html", shown.append)
    assert masked_url("postgresql+psycopg://olga:s3cret@db:5432/lantern") == \
        "postgresql+psycopg://olga:***@db:5432/lantern"
    r = report.open_report("visitor_report", tiny.url, "testsite", "2026-10-01", "2026-10-02",
                           "en")
    info = report.provenance(r)
    assert info["parameters"]["database_url"] == tiny.url
    assert info["rows"] == {"zones": 4}
    assert info["packages"]["pandas"] and len(info["code_version"]) == 16
    assert any("2026-09-30T16:00:00+00:00" in s for s in shown)


def test_a_masked_url_is_resolved_to_the_runners_real_one(monkeypatch: pytest.MonkeyPatch) -> None:
    real = "postgresql+psycopg://olga:s3cret@db/lantern"
    monkeypatch.setenv("LANTERN_REPORT_DATABASE_URL", real)
    assert resolve_url(masked_url(real)) == real
    assert resolve_url("postgresql+psycopg://olga:***@other/lantern").endswith("@other/lantern")
    monkeypatch.setenv("DATABASE_URL", "sqlite:///from-env.db")
    assert resolve_url("") == "sqlite:///from-env.db"
    monkeypatch.delenv("DATABASE_URL")
    assert resolve_url("").endswith("/instance/lantern.db")


def test_a_database_that_cannot_be_reached_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DatabaseUnavailable, match="there is no file"):
        connect(f"sqlite:///{tmp_path / 'missing.db'}")
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    with pytest.raises(DatabaseUnavailable, match="no Lantern tables"):
        connect(f"sqlite:///{empty}")
    with pytest.raises(DatabaseUnavailable, match=r"olga:\*\*\*@127.0.0.1:1/") as caught:
        connect("postgresql+psycopg://olga:s3cret@127.0.0.1:1/lantern")
    assert "s3cret" not in str(caught.value)


def test_results_are_saved_where_the_runner_asks_and_nowhere_else(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    monkeypatch.delenv(results.ENV, raising=False)
    results.save({"x": 1})  # nothing happens
    target = tmp_path / "results.json"
    monkeypatch.setenv(results.ENV, str(target))
    results.save({"caves": {"c1": {"rate": np.float64(1.5), "ci": (np.int64(1), float("nan"))}}})
    results.save({"more": True})
    assert json.loads(target.read_text()) == {"caves": {"c1": {"rate": 1.5, "ci": [1, None]}},
                                              "more": True}
    assert list(tmp_path.iterdir()) == [target]


def test_the_preservation_index_follows_the_ipi_formula() -> None:
    import math

    expected = math.exp((95220 - 134.9 * 50) / (8.314 * 293.15) + 0.0284 * 50 - 28.023) / 365
    assert ipi.preservation_index(20.0, 50.0) == pytest.approx(expected)
    assert ipi.preservation_index(20.0, 50.0) == pytest.approx(44.6, abs=0.1)
    assert ipi.preservation_index(25.0, 50.0) < ipi.preservation_index(20.0, 50.0)
    assert ipi.preservation_index(20.0, 60.0) < ipi.preservation_index(20.0, 50.0)
    warm, cool = ipi.preservation_index(25.0, 50.0), ipi.preservation_index(15.0, 50.0)
    assert ipi.time_weighted_preservation_index([25.0, 15.0], [50.0, 50.0]) == pytest.approx(
        2 / (1 / warm + 1 / cool))
    assert ipi.time_weighted_preservation_index([20.0, float("nan")], [50.0, 50.0]) == \
        pytest.approx(expected)


def test_the_cli_lists_the_notebooks_and_refuses_bad_input_with_status_2(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert cli.main(["list"]) == 0
    listing = capsys.readouterr().out
    assert "visitor_report: Visitor report" in listing and "--site, --site-id" in listing
    assert cli.main(["list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["heritage_impact"]["required"] == [
        "site_id", "start", "end", "work_geojson"]
    assert cli.main(["run", "../etc/passwd"]) == 2
    assert "no report notebook '../etc/passwd'" in capsys.readouterr().err
    assert cli.main(["run", "visitor_report", "--site", "mogao", "--start", "2026-10-07",
                     "--end", "2026-10-01"]) == 2
    assert "the window is empty" in capsys.readouterr().err
    assert cli.main(["run", "visitor_report", "--site", "mogao", "--start", "2026-10-01",
                     "--end", "2026-10-02", "--database-url",
                     f"sqlite:///{tmp_path / 'none.db'}"]) == 2
    assert "there is no file" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        cli.main(["run", "visitor_report", "--language", "fr"])
    assert exited.value.code == 2
    assert "invalid choice: 'fr'" in capsys.readouterr().err
    assert cli.main(["run"]) == 2
