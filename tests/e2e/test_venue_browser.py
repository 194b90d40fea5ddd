"""The venue at a glance in headless Chromium, against a real server on the real venues and a
real kiosk program: a cave's CO2 closes it and everything on the page follows; the page in
Chinese; and the page as a keyboard, a small screen and axe-core find it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
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
from tests.e2e.test_panel_browser import visitors_into
from tests.helpers import ROOT, KioskProgram, LiveServer, wait_for

DOCS = ROOT / "docs"
CAVE = "mogao-cave-096"
SENSOR = "mogao-s-096-1"
SUBSTITUTE = "mogao-cave-096-virtual"  # venues/mogao/site.json: content rule cave-096-closed
SCREEN = (1366, 768)


@pytest.fixture(scope="module")
def page(server: LiveServer) -> Iterator[Any]:
    """An operator's panel at Mogao on a 1366x768 screen, in English."""
    browser = start_browser(temp_profile(), size=SCREEN)
    try:
        watch_csp(browser)
        log_in(browser, server, "olga", create_user(server, "olga", "operator"))
        yield browser
    finally:
        browser.quit()


@pytest.fixture(scope="module")
def kiosk(server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real kiosk program on the Nine-storey terrace, beside Cave 96 (a venue kiosk's spot)."""
    spot = next(k for k in json.loads((ROOT / "venues/mogao/kiosks.json").read_text())["kiosks"]
                if k["zone_id"] == "mogao-va-central")
    made = server.cli_json("create-kiosk", "--site", "mogao", "--lon", str(spot["lon"]),
                           "--lat", str(spot["lat"]), "--name", "Terrace screen", "--json")
    program = KioskProgram(server, made["kiosk_id"], made["token"],
                           tmp_path_factory.mktemp("kiosk-state")).start()
    try:
        yield made["kiosk_id"]
    finally:
        program.stop()


def css(page: Any, selector: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return list(page.find_elements(By.CSS_SELECTOR, selector))


def kiosk_record(server: LiveServer, kiosk_id: str) -> dict[str, Any]:
    return next(k for k in server.api("GET", "/kiosks").json()["kiosks"] if k["kiosk_id"] == kiosk_id)


def co2_episode(now: datetime) -> list[dict[str, Any]]:
    """Six calm hours, then CO2 climbing past the 1,500 ppm limit and staying there for
    longer than the cave's 300 s hold: every reading inside the server's event window."""
    calm = [now - timedelta(hours=6) + timedelta(minutes=10 * i) for i in range(34)]
    rising = [now - timedelta(seconds=840) + timedelta(seconds=20 * i) for i in range(43)]
    readings = [(ts, 650.0 + 5 * i, 45.0) for i, ts in enumerate(calm)]
    readings += [(ts, min(900.0 + 40 * i, 1900.0), 52.0) for i, ts in enumerate(rising)]
    return [{"event_id": f"episode-{n}", "sensor_id": SENSOR, "ts": ts.isoformat(),
             "co2_ppm": co2, "relative_humidity": rh, "temperature_c": 17.5}
            for n, (ts, co2, rh) in enumerate(readings)]


def test_a_cave_closed_by_its_co2_shows_closed_on_the_map_in_its_chart_and_its_substitute_on_the_kiosk(
        server: LiveServer, page: Any, kiosk: str) -> None:
    wait_for(lambda: kiosk_record(server, kiosk)["online"], timeout=60, what="the kiosk online")
    css(page, f"#zone-rows tr[data-zone='{CAVE}'] button.link-like")[0].click()
    wait_for(lambda: css(page, f"#climate-chart[data-zone='{CAVE}']"), what="the cave's chart")

    posted = server.api("POST", "/sites/mogao/sensor-readings",
                        json={"readings": co2_episode(datetime.now(UTC))})
    assert posted.ok, posted.text

    # the alert rules close the cave; the map marks it, not only with a hatch
    wait_for(lambda: css(page, f"#map path.zone.closed[data-zone='{CAVE}']"), timeout=15,
             what="the cave hatched on the map")
    assert css(page, f"#map .closed-mark[data-zone='{CAVE}']")
    # its chart shows the rise past the limit and the closure shaded
    chart = css(page, "#climate-chart")[0]
    wait_for(lambda: chart.get_attribute("data-closures") == "1", timeout=10, what="the closure")
    wait_for(lambda: chart.get_attribute("data-co2-max") == "1900", timeout=10, what="the rise")
    assert int(chart.get_attribute("data-points")) >= 77
    assert "closed since" in css(page, "#climate-chart .chart-summary")[0].text
    # the alert is listed, and the closure is in the activity
    wait_for(lambda: css(page, "#alert-list li.alert.microclimate"), what="the raised alert")
    wait_for(lambda: [e for e in css(page, "#activity-list li[data-kind='zone_state']")
                      if "Cave 96" in e.text and "closed" in e.text], what="the closure in the feed")
    # an empty closed cave is closed, not "at divert or stop"
    totals = css(page, "#totals")[0].text
    assert "0 zones at divert or stop" in totals and "1 closed" in totals

    # the kiosk beside it shows the cave's virtual substitute
    scene = next(x["scene"] for x in server.api("GET", "/experiences").json()["experiences"]
                 if x["id"] == SUBSTITUTE)
    wait_for(lambda: kiosk_record(server, kiosk)["experience_id"] == SUBSTITUTE, timeout=30,
             what="the kiosk program showing the substitute")
    wait_for(lambda: css(page, f".kiosk[data-kiosk='{kiosk}'][data-scene='{scene}']"), timeout=10,
             what="the kiosk's card showing the scene")


def test_the_panel_switches_to_chinese_and_remembers_it_after_a_reload(
        server: LiveServer, page: Any, tmp_path: Path) -> None:
    for zone, n in (("mogao-cave-061", 22), ("mogao-cave-016", 33), ("mogao-plaza-entrance", 180),
                    ("mogao-hall-exhibition", 95), ("mogao-va-south", 120), ("mogao-cave-130", 36)):
        visitors_into(server, zone, n, zone)  # a living site for the screenshots
    wait_for(lambda: "486 visitors on site" in css(page, "#totals")[0].text, timeout=10)
    css(page, "#lang-switch")[0].click()
    wait_for(lambda: page.find_element("css selector", "html").get_attribute("lang") == "zh-CN")
    assert css(page, "#zones h2")[0].text == "分区"
    assert css(page, "#site-list button[aria-pressed='true']")[0].text == "莫高窟"
    wait_for(lambda: "第96窟" in css(page, f"#zone-rows tr[data-zone='{CAVE}']")[0].text)
    assert "在园游客" in css(page, "#totals")[0].text
    page.refresh()
    wait_for(lambda: css(page, "#panel[data-site='mogao']"), timeout=20)
    assert page.find_element("css selector", "html").get_attribute("lang") == "zh-CN"
    # the server counts the day's visitors from the database every few seconds
    wait_for(lambda: counted_today(page), timeout=40, interval=2, what="today's visitors counted")
    assert css(page, "#zones h2")[0].text == "分区"
    assert css(page, "#lang-switch")[0].text == "English"
    save_screenshot(page, "panel-zh.png", tmp_path)
    css(page, "#lang-switch")[0].click()
    wait_for(lambda: css(page, "#zones h2")[0].text == "Zones")
    save_screenshot(page, "panel-en.png", tmp_path)


def counted_today(page: Any, visitors: int = 486) -> bool:
    """Whether the header counts every visitor of today; if not yet, read the page again."""
    if int(css(page, "#visitors-today .value")[0].text.split("/")[0].replace(",", "")) >= visitors:
        return True
    page.refresh()
    wait_for(lambda: css(page, "#panel[data-site='mogao']"), timeout=20)
    return False


def test_at_1366_by_768_every_site_tab_and_zone_row_is_shown_whole(page: Any) -> None:
    assert page.execute_script("return window.innerWidth") <= SCREEN[0]
    tabs = css(page, "#site-list button")
    assert len(tabs) == 3
    for tab in tabs:  # none cut off ("Qin Shi Huang Mausoleum and T...")
        assert page.execute_script("return arguments[0].scrollWidth <= arguments[0].clientWidth", tab)
        assert page.execute_script("return arguments[0].getBoundingClientRect().right", tab) <= SCREEN[0]
    rows = css(page, "#zone-rows tr")
    assert len(rows) == 18
    table = css(page, "#zones")[0]  # the table grows with its rows: no box to scroll
    assert page.execute_script("return arguments[0].scrollHeight <= arguments[0].clientHeight + 1", table)


def test_the_panel_is_usable_from_the_keyboard(page: Any) -> None:
    from selenium.webdriver.common.keys import Keys

    page.execute_script("window.scrollTo(0, 0); document.querySelector('#site-list button').focus();")
    page.switch_to.active_element.send_keys(Keys.TAB)  # from here on the keyboard moves the focus
    reached = []
    for _ in range(60):
        focused = page.switch_to.active_element
        reached.append((focused.tag_name, focused.get_attribute("id") or focused.get_attribute("class")))
        outline = page.execute_script(
            "const s = getComputedStyle(document.activeElement);"
            "return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;")
        assert outline, f"no visible focus on {reached[-1]}"
        focused.send_keys(Keys.TAB)
    ids = {r[1] for r in reached}
    assert {"lang-switch", "map", "leaflet-control-zoom-in", "link-like"} <= ids
    assert any("tile" in str(r[1]) for r in reached)  # the caves' tiles pick a cave
    # the alerts' tabs are buttons: Enter opens the history with its filters
    tab = css(page, "#alerts-tab-history")[0]
    tab.send_keys(Keys.ENTER)
    wait_for(lambda: css(page, "#alerts-history form.filters select[name='state']"))
    assert css(page, "#alerts-tab-history")[0].get_attribute("aria-selected") == "true"


def texts(page: Any, selector: str) -> list[str]:
    """The text of every element the selector finds now (parts redraw as events arrive)."""
    return list(page.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map((e) => e.innerText);", selector))


def click(page: Any, selector: str) -> None:
    page.execute_script("document.querySelector(arguments[0]).click();", selector)


def test_the_history_lists_the_raised_alert_and_its_acknowledgement(page: Any) -> None:
    click(page, "#alerts-tab-history")
    found = wait_for(lambda: texts(page, "#alerts-history li.alert.microclimate"), timeout=10)
    assert "Cave 96" in found[0]
    click(page, "#alerts-tab-raised")
    click(page, "#alert-list li.alert.microclimate button.ack")
    wait_for(lambda: [a for a in texts(page, "#alert-list li.alert.microclimate")
                      if "acknowledged by olga" in a], what="the acknowledgement")
    click(page, "#alerts-tab-history")
    wait_for(lambda: [a for a in texts(page, "#alerts-history li.alert")
                      if "acknowledged by olga" in a], what="the acknowledgement in the history")


def test_axe_finds_nothing_serious_on_the_panel_in_both_languages(page: Any) -> None:
    page.execute_script("window.scrollTo(0, 0)")
    assert axe_violations(page) == []
    css(page, "#lang-switch")[0].click()
    wait_for(lambda: page.find_element("css selector", "html").get_attribute("lang") == "zh-CN")
    try:
        assert axe_violations(page) == []
    finally:
        css(page, "#lang-switch")[0].click()


def test_the_login_page_speaks_both_languages_and_axe_finds_nothing_serious(server: LiveServer) -> None:
    browser = start_browser(temp_profile(), size=SCREEN)
    try:
        watch_csp(browser)
        browser.get(f"{server.url}/login")
        wait_for(lambda: css(browser, "#lang-switch:not([hidden])"))
        assert axe_violations(browser) == []
        css(browser, "#lang-switch")[0].click()
        wait_for(lambda: css(browser, "form.login h1")[0].text == "登录")
        assert axe_violations(browser) == []
        browser.refresh()
        wait_for(lambda: css(browser, "form.login h1")[0].text == "登录")
        assert csp_violations(browser) == [] and console_errors(browser) == []
    finally:
        browser.quit()


def test_the_page_ran_every_test_without_a_console_error_or_policy_violation(page: Any) -> None:
    assert console_errors(page) == []
    assert csp_violations(page) == []
