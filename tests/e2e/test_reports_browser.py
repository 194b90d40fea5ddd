"""The reports page in headless Chromium against a real server on the real venues with two
small days of Mogao history: a planner runs a report from the form generated from its schema,
watches it progress and reads its HTML in the page; the server's refusal of a parameter shows
beside the field; an operator applies a preservation report's recommended capacity, sees it on
the operators' map and zone table, and reverts it; a viewer sees no action; the page in
Chinese, to axe-core, with no console error or policy violation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.browser import (
    axe_violations,
    console_errors,
    create_user,
    csp_violations,
    log_in,
    save_screenshot,
    start_browser,
    temp_profile,
    watch_csp,
)
from tests.helpers import ROOT, LiveServer, wait_for

DOCS = ROOT / "docs"
SCREEN = (1366, 768)
FIRST, LAST = date.today() - timedelta(days=2), date.today() - timedelta(days=1)
# every text the run's progress label shows, in order (the label is replaced as cells run)
WATCH_PROGRESS = """
window.__progress = [];
new MutationObserver(() => {
  const label = document.getElementById("run-progress-label");
  if (label && label.textContent !== window.__progress.at(-1)) window.__progress.push(label.textContent);
}).observe(document.getElementById("report-view"), { subtree: true, childList: true, characterData: true });
"""


@pytest.fixture(scope="module")
def history(server: LiveServer) -> LiveServer:
    """Two days of Mogao's past, written small (a few hundred visitors)."""
    server.cli("history", "--days", "2", "--scale", "0.002", "--site", "mogao", "--no-progress")
    return server


@pytest.fixture(scope="module")
def page(history: LiveServer) -> Iterator[Any]:
    """One browser at 1366x768; each test signs in as the role it needs."""
    browser = start_browser(temp_profile(), size=SCREEN)
    try:
        watch_csp(browser)
        browser.passwords = {name: create_user(history, name, role) for name, role in
                             (("pia", "planner"), ("otto", "operator"), ("vera", "viewer"))}
        yield browser
    finally:
        browser.quit()


def css(page: Any, selector: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return list(page.find_elements(By.CSS_SELECTOR, selector))


def text(page: Any, selector: str) -> str:
    return str(page.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';", selector))


def open_reports(page: Any, server: LiveServer, user: str, hash_: str = "") -> None:
    """Sign in as ``user`` (ending the previous sign-in) and open the reports page."""
    log_in(page, server, user, page.passwords[user])
    page.get(f"{server.url}/panel/reports{hash_}")
    wait_for(lambda: css(page, "#reports[data-ready='true']"), timeout=20, what="the reports page")


def fill_form(page: Any, notebook: str, **values: str) -> None:
    """Pick the notebook and set fields as a person would leave them (input events fire)."""
    page.execute_script(
        "const s = document.getElementById('notebook'); s.value = arguments[0];"
        "s.dispatchEvent(new Event('change'));", notebook)
    wait_for(lambda: css(page, "#param-site_id"), what="the generated form")
    for name, value in values.items():
        page.execute_script(
            "const e = document.getElementById(arguments[0]); e.value = arguments[1];"
            "e.dispatchEvent(new Event('input')); e.dispatchEvent(new Event('change'));",
            f"param-{name}", value)


def run_status(page: Any) -> str:
    return str(page.execute_script(
        "const s = document.querySelector('#report-view .status'); return s ? s.dataset.status : '';"))


def test_a_planner_runs_a_report_from_the_generated_form_watches_it_progress_and_reads_its_html(
        history: LiveServer, page: Any) -> None:
    open_reports(page, history, "pia")
    fill_form(page, "visitor_report", start=FIRST.isoformat(), end=LAST.isoformat())
    # the form is the schema's: a site picker, date inputs, a language select
    assert css(page, "select#param-site_id option[value='mogao']")
    assert css(page, "input#param-start[type='date']") and css(page, "select#param-language")
    page.execute_script(WATCH_PROGRESS)
    css(page, "#report-run")[0].click()
    wait_for(lambda: run_status(page) == "succeeded", timeout=120, interval=0.2, what="the run")
    seen = page.execute_script("return window.__progress")
    assert any(s.startswith("cell ") and " of " in s for s in seen), seen  # "cell 4 of 10"
    run_id = page.execute_script("return new URLSearchParams(location.hash.slice(1)).get('run')")
    assert run_id and run_id.startswith("r")
    # the HTML opens in the page, under its own policy, from the server
    frame = wait_for(lambda: css(page, "iframe.report-frame"), what="the report framed")[0]
    assert frame.get_attribute("src").endswith(f"/api/v1/reports/{run_id}/html")
    page.switch_to.frame(frame)
    try:
        wait_for(lambda: "Visitor report" in page.find_element("tag name", "body").text, timeout=20,
                 what="the report's text in the frame")
    finally:
        page.switch_to.default_content()
    assert css(page, f"a[href='/api/v1/reports/{run_id}/notebook'][download]")
    # the history lists it with who ran it, its parameters and a duration; Run again answers
    # from the cache (the same data and code)
    row = wait_for(lambda: css(page, f"#run-rows tr[data-run='{run_id}'][data-status='succeeded']"))[0]
    assert "pia" in row.text and f"mogao · {FIRST} – {LAST}" in row.text
    row.find_element("css selector", "button.run-again").click()
    wait_for(lambda: "the same as run" in text(page, "#report-view .cached"), timeout=20,
             what="the cached answer of Run again")


def test_the_servers_refusal_of_a_parameter_shows_beside_its_field(history: LiveServer, page: Any) -> None:
    open_reports(page, history, "pia")
    # the browser only checks that the window is not backwards; the server limits it to a year
    fill_form(page, "visitor_report", start="2024-01-01", end=LAST.isoformat())
    css(page, "#report-run")[0].click()
    error = wait_for(lambda: [e for e in css(page, "#param-end-error") if e.is_displayed()],
                     what="the error beside the last day")[0]
    assert "days long" in error.text and "at most" in error.text
    assert css(page, "#param-end[aria-invalid='true']")
    assert not [e for e in css(page, "#param-start-error") if e.is_displayed()]
    # the browser logs the refused request itself; nothing else went wrong
    assert [e for e in console_errors(page) if "/api/v1/reports " not in e or " 422 " not in e] == []


def test_an_operator_applies_a_recommended_capacity_which_the_map_and_zone_table_show_and_reverts_it(
        history: LiveServer, page: Any) -> None:
    open_reports(page, history, "otto")
    fill_form(page, "preservation_report", start=FIRST.isoformat(), end=LAST.isoformat())
    css(page, "#report-run")[0].click()
    wait_for(lambda: run_status(page) == "succeeded", timeout=120, interval=0.5, what="the run")
    rows = wait_for(lambda: css(page, "#capacity-rows tr button.apply"), timeout=20,
                    what="a cave with a recommended capacity")
    row = rows[0].find_element("xpath", "./ancestor::tr")
    zone, wanted = row.get_attribute("data-zone"), int(row.get_attribute("data-recommended"))
    venue = history.api("GET", f"/sites/mogao/zones/{zone}/capacity").json()["capacity"]
    assert wanted != venue
    rows[0].click()
    dialog = wait_for(lambda: css(page, "dialog.confirm[open]"), what="the confirmation")[0]
    assert "Preservation report r" in dialog.find_element("css selector", "input").get_attribute("value")
    dialog.find_element("css selector", "button.confirm-apply").click()
    now = f"#capacity-rows tr[data-zone='{zone}'] td.now .figure"
    wait_for(lambda: text(page, now) == str(wanted), timeout=15, what="the new capacity in the table")
    record = history.api("GET", f"/sites/mogao/zones/{zone}/capacity").json()
    assert record["capacity"] == wanted and record["set_by"] == "otto"
    assert record["source"]["report_run"]

    # the operators' panel: the zone table and the map's tooltip carry the new figure and its source
    run_page = page.current_url
    page.get(f"{history.url}/panel#mogao")
    wait_for(lambda: css(page, "#panel[data-site='mogao']"), timeout=20)
    cell = f"#zone-rows tr[data-zone='{zone}'] td.load"
    wait_for(lambda: f"/ {wanted}" in text(page, cell), what="the zone table's capacity")
    assert "from report r" in text(page, f"{cell} .capacity-source") and "otto" in text(page, cell)
    css(page, f"{cell} .capacity-source summary")[0].click()
    wait_for(lambda: "Preservation report" in text(page, f"{cell} ol.capacity-history"),
             what="the capacity history")
    css(page, f"#zone-rows tr[data-zone='{zone}'] button.link-like")[0].click()  # opens its tooltip
    wait_for(lambda: f"/{wanted}" in text(page, ".leaflet-tooltip").replace(" ", ""),
             what="the map's tooltip")

    page.get(run_page)
    wait_for(lambda: css(page, f"#capacity-rows tr[data-zone='{zone}'] button.revert"), timeout=30)
    css(page, f"#capacity-rows tr[data-zone='{zone}'] button.revert")[0].click()
    wait_for(lambda: text(page, now) == str(venue), timeout=15, what="the venue figure again")
    assert history.api("GET", f"/sites/mogao/zones/{zone}/capacity").json()["set_by"] is None


def test_a_viewer_reads_runs_but_sees_no_action(history: LiveServer, page: Any) -> None:
    open_reports(page, history, "vera")
    assert css(page, "#report-readonly")[0].is_displayed()
    assert css(page, "#report-run")[0].get_attribute("disabled") is not None
    assert css(page, "#run-rows tr[data-run]") and not css(page, "#run-rows button.run-again")
    css(page, "#run-rows tr[data-status='succeeded'] button.open-run")[0].click()
    wait_for(lambda: run_status(page) == "succeeded")
    assert not css(page, "#report-view button.run-again")
    assert not css(page, "#capacity-rows button")  # a preservation report: figures, no Apply
    assert [a.text for a in css(page, "nav.pages a")] == ["Panel", "Reports", "Impact checks"]
    # nor can the admin page be opened past the navigation
    signed_in = history.login("vic", "viewer")
    assert signed_in.get(f"{history.url}/panel/admin", timeout=10).status_code == 403
    assert signed_in.get(f"{history.url}/panel/reports", timeout=10).status_code == 200


def test_the_reports_page_in_chinese_and_to_axe(history: LiveServer, page: Any, tmp_path: Path) -> None:
    open_reports(page, history, "otto")
    preservation = "#run-rows tr[data-notebook='preservation_report'][data-status='succeeded']"
    css(page, f"{preservation} button.open-run")[0].click()
    wait_for(lambda: run_status(page) == "succeeded")
    wait_for(lambda: css(page, "#capacity-rows tr"), timeout=20)
    assert axe_violations(page) == []
    save_screenshot(page, "page-reports.png", tmp_path)
    css(page, "#lang-switch")[0].click()
    wait_for(lambda: page.find_element("css selector", "html").get_attribute("lang") == "zh-CN")
    wait_for(lambda: text(page, "#report-new-heading") == "报告")
    assert "保护报告" in text(page, "#report-view h2") and "建议承载量" in text(page, "#report-view")
    assert "已完成" in text(page, "#run-rows")
    assert axe_violations(page) == []
    save_screenshot(page, "page-reports-zh.png", tmp_path)
    css(page, "#lang-switch")[0].click()
    wait_for(lambda: text(page, "#report-new-heading") == "Reports")


def test_the_page_ran_every_test_without_a_console_error_or_policy_violation(page: Any) -> None:
    errors = console_errors(page)
    assert errors == [], errors
    assert csp_violations(page) == []
