"""The heritage-impact page in headless Chromium against a real server on the real venues: a
planner draws a proposed work on the map with the drawing tools (real mouse clicks), checks
it on the server (zones touched, overlaps, rules broken, the height among them, the server's
map), saves it, reopens it and runs the heritage-impact report on it; a viewer reads saved
checks without any action; the page in Chinese, to axe-core, with no console error or policy
violation."""

from __future__ import annotations

import json
from collections.abc import Iterator
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
NAME = "Ticket pavilion by the north terrace"


@pytest.fixture(scope="module")
def page(server: LiveServer) -> Iterator[Any]:
    browser = start_browser(temp_profile(), size=SCREEN)
    try:
        watch_csp(browser)
        browser.passwords = {name: create_user(server, name, role)
                             for name, role in (("pia", "planner"), ("vera", "viewer"))}
        yield browser
    finally:
        browser.quit()


def css(page: Any, selector: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return list(page.find_elements(By.CSS_SELECTOR, selector))


def text(page: Any, selector: str) -> str:
    return str(page.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';", selector))


def open_impact(page: Any, server: LiveServer, user: str) -> None:
    log_in(page, server, user, page.passwords[user])
    page.get(f"{server.url}/panel/impact#mogao")
    wait_for(lambda: css(page, "#impact[data-site='mogao']"), timeout=20, what="the impact page")
    wait_for(lambda: css(page, "#map path.zone"), what="the zones on the map")


def draw_polygon(page: Any, offsets: list[tuple[int, int]]) -> None:
    """Click the polygon tool, then the map at each offset from its centre; a double click on
    the last point ends the shape (as a person draws with Leaflet-Geoman)."""
    from selenium.webdriver.common.action_chains import ActionChains

    css(page, "#draw-tools [data-shape='Polygon']")[0].click()
    area = css(page, "#map")[0]
    for dx, dy in offsets[:-1]:
        ActionChains(page).move_to_element_with_offset(area, dx, dy).click().perform()
    ActionChains(page).move_to_element_with_offset(area, *offsets[-1]).double_click().perform()


def test_a_polygon_drawn_on_the_map_is_checked_by_the_server_and_saved(server: LiveServer, page: Any) -> None:
    open_impact(page, server, "pia")
    page.execute_script("document.getElementById('map').scrollIntoView({ block: 'start' })")
    draw_polygon(page, [(-40, -30), (40, -30), (40, 30), (-40, 30)])
    drawn = wait_for(lambda: css(page, "#work-geojson")[0].get_attribute("value"), what="the drawn work")
    geometry = json.loads(drawn)
    assert geometry["type"] == "Polygon" and len(geometry["coordinates"][0]) == 5  # closed ring
    css(page, "#work-height")[0].send_keys("30")
    css(page, "#work-buffer")[0].clear()
    css(page, "#work-buffer")[0].send_keys("10")
    css(page, "#impact-check")[0].click()
    wait_for(lambda: css(page, "#impact-result:not([hidden]) ul.rules"), timeout=30, what="the result")

    # what the page says is the server's answer for the same work
    answer = server.api("POST", "/sites/mogao/impact",
                        json={"geometry": geometry, "height_m": 30, "buffer_m": 10}).json()
    shown = [e.get_attribute("data-zone") for e in css(page, "#impact-result ul.touched li")]
    assert shown == [z["zone_id"] for z in answer["touched"]] and "mogao-protection" in " ".join(shown)
    kinds = [e.get_attribute("data-kind") for e in css(page, "#impact-result ul.rules li")]
    assert kinds == [r["kind"] for r in answer["rules"]] and "height" in kinds
    assert "30 m high; the limit here is 6 m" in text(page, "#impact-result li.height")
    assert text(page, "#impact-result .approval") == "Needs the heritage authority's approval."
    wait_for(lambda: page.execute_script(
        "const i = document.querySelector('#impact-result img.impact-map');"
        "return i && i.complete && i.naturalWidth > 100"), timeout=30, what="the server's map image")

    css(page, "#check-name")[0].send_keys(NAME)
    css(page, "form.save-check button.save")[0].click()
    saved = wait_for(lambda: [e for e in css(page, "#saved-list li[data-check]") if NAME in e.text],
                     what="the saved check in the list")[0]
    check_id = saved.get_attribute("data-check")
    stored = server.api("GET", f"/sites/mogao/impact-checks/{check_id}").json()
    assert stored["geometry"] == geometry and stored["height_m"] == 30 and stored["buffer_m"] == 10
    assert stored["created_by"] == "pia"


def test_a_saved_check_reopens_and_runs_the_heritage_impact_report(server: LiveServer, page: Any) -> None:
    open_impact(page, server, "pia")
    item = wait_for(lambda: [e for e in css(page, "#saved-list li[data-check]") if NAME in e.text])[0]
    item.find_element("css selector", "button.reopen").click()
    wait_for(lambda: NAME in text(page, "#impact-result h2"), what="the saved check reopened")
    assert css(page, "#map path.work-layer") and css(page, "#impact-result li.height")
    assert css(page, "#work-height")[0].get_attribute("value") == "30"

    item.find_element("css selector", "button.run-report").click()
    dialog = wait_for(lambda: css(page, "dialog.confirm[open]"), what="the report's window")[0]
    dialog.find_element("css selector", "button.confirm-report").click()
    link = wait_for(lambda: css(page, "#saved-list a.report-link"), timeout=20, what="the link to the run")[0]
    run_id = link.get_attribute("href").split("#run=")[1]
    run = server.api("GET", f"/reports/{run_id}").json()
    check = server.api("GET", f"/sites/mogao/impact-checks/{item.get_attribute('data-check')}").json()
    assert run["notebook"] == "heritage_impact"
    assert json.loads(run["parameters"]["work_geojson"]) == check["geometry"]
    assert run["parameters"]["height_m"] == 30 and run["parameters"]["buffer_m"] == 10
    link.click()
    wait_for(lambda: css(page, "#report-view .status[data-status='succeeded']"), timeout=120,
             interval=0.5, what="the report run on the reports page")


def test_a_viewer_reads_saved_checks_without_any_action(server: LiveServer, page: Any) -> None:
    open_impact(page, server, "vera")
    assert not css(page, "#draw-tools")[0].is_displayed() and not css(page, "#impact-check")[0].is_displayed()
    assert css(page, "#impact-readonly")[0].is_displayed()
    item = wait_for(lambda: [e for e in css(page, "#saved-list li[data-check]") if NAME in e.text])[0]
    assert not item.find_elements("css selector", "button.run-report")
    item.find_element("css selector", "button.reopen").click()
    wait_for(lambda: css(page, "#impact-result li.height"))
    assert not css(page, "form.save-check")
    assert [a.text for a in css(page, "nav.pages a")] == ["Panel", "Reports", "Impact checks"]


def test_the_impact_page_in_chinese_and_to_axe(server: LiveServer, page: Any, tmp_path: Path) -> None:
    open_impact(page, server, "pia")
    item = wait_for(lambda: [e for e in css(page, "#saved-list li[data-check]") if NAME in e.text])[0]
    item.find_element("css selector", "button.reopen").click()
    wait_for(lambda: page.execute_script(
        "const i = document.querySelector('#impact-result img.impact-map');"
        "return i && i.complete && i.naturalWidth > 100"), timeout=30)
    assert axe_violations(page) == []
    save_screenshot(page, "page-impact.png", tmp_path)
    css(page, "#lang-switch")[0].click()
    wait_for(lambda: page.find_element("css selector", "html").get_attribute("lang") == "zh-CN")
    wait_for(lambda: text(page, "#impact-heading") == "遗产影响评估")
    assert "需经文物主管部门批准" in text(page, "#impact-result .approval")
    assert "限高 6 米" in text(page, "#impact-result li.height")
    assert text(page, "#site-list button[aria-pressed='true']") == "莫高窟"
    assert axe_violations(page) == []
    save_screenshot(page, "page-impact-zh.png", tmp_path)
    css(page, "#lang-switch")[0].click()
    wait_for(lambda: text(page, "#impact-heading") == "Heritage-impact check")


def test_the_page_ran_every_test_without_a_console_error_or_policy_violation(page: Any) -> None:
    errors = console_errors(page)
    assert errors == [], errors
    assert csp_violations(page) == []
