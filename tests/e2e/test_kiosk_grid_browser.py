"""The kiosk grid of the panel in headless Chromium, against a real server on the real venues and
the real kiosk program rendering offscreen: what a card shows, and commands followed to the
kiosk's answer."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.browser import (
    axe_violations,
    console_errors,
    create_user,
    csp_violations,
    log_in,
    start_browser,
    temp_profile,
    watch_csp,
)
from tests.helpers import KioskProgram, LiveServer, wait_for

GROUP = "west-gallery"
KIOSK_SIZE, KIOSK_FPS = "320x180", 8  # small and slow: three programs share a test machine


@pytest.fixture(scope="module")
def kiosks(server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Three real kiosk programs at Mogao: "solo" made with the CLI, "east" and "west" in one
    group (registered over REST, which takes a group)."""
    made = {"solo": server.cli_json("create-kiosk", "--site", "mogao", "--lon", "94.8085",
                                    "--lat", "40.0379", "--kind", "vr", "--name", "Solo VR",
                                    "--json")}
    for name in ("east", "west"):
        response = server.api("POST", "/kiosks", json={
            "site_id": "mogao", "lon": 94.8049, "lat": 40.0383, "kind": "exhibition",
            "name": f"Gallery {name}", "group": GROUP})
        assert response.status_code == 201, response.text
        made[name] = response.json()
    state = tmp_path_factory.mktemp("kiosk-state")
    programs = [KioskProgram(server, m["kiosk_id"], m["token"], state / name, size=KIOSK_SIZE,
                             max_fps=KIOSK_FPS, extra=("--scene", "mogao_cave")).start()
                for name, m in made.items()]
    try:
        yield {name: m["kiosk_id"] for name, m in made.items()}
    finally:
        for program in programs:
            program.stop()


@pytest.fixture(scope="module")
def page(server: LiveServer, kiosks: dict[str, str]) -> Iterator[Any]:
    browser = start_browser(temp_profile(), size=(1366, 768))
    try:
        watch_csp(browser)
        log_in(browser, server, "olga", create_user(server, "olga", "admin"))
        for kiosk_id in kiosks.values():  # the programs render and connect in their own time
            wait_for(partial(css, browser, f"{card(kiosk_id)}[data-online='true'][data-scene='mogao_cave']"),
                     timeout=60, what=f"kiosk {kiosk_id} online on the page")
        yield browser
    finally:
        browser.quit()


def css(page: Any, selector: str) -> list[Any]:
    return list(page.find_elements("css selector", selector))


def card(kiosk_id: str) -> str:
    return f"#kiosks .kiosk[data-kiosk='{kiosk_id}']"


def command_rows(page: Any, kiosk_id: str, action: str, status: str = "") -> list[Any]:
    state = f"[data-status='{status}']" if status else ""
    return css(page, f"{card(kiosk_id)} .kiosk-commands li[data-action='{action}']{state}")


def click(page: Any, element: Any) -> None:
    """Click as a person would, after scrolling the element into view."""
    page.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()


def use_form(page: Any, target: str, action: str) -> Any:
    """Open the form for several kiosks and choose its target and action; returns the form."""
    from selenium.webdriver.support.ui import Select

    form = css(page, "#kiosks details.command-form")[0]
    if not form.get_attribute("open"):
        click(page, form.find_element("css selector", "summary"))
    Select(form.find_element("css selector", "select[name='target']")).select_by_value(target)
    Select(form.find_element("css selector", "select[name='action']")).select_by_value(action)
    return form


def test_an_online_kiosk_shows_its_scene_state_fps_and_how_it_renders(
        page: Any, kiosks: dict[str, str]) -> None:
    solo = css(page, card(kiosks["solo"]))[0]
    assert solo.get_attribute("data-scene") == "mogao_cave"
    assert solo.get_attribute("data-state") in {"attract", "playing"}
    assert solo.get_attribute("data-status") == "approved"
    text = wait_for(lambda: solo.text if "320×180 · 8 fps cap" in solo.text else "", timeout=15,
                    what="the render settings from the heartbeat")
    assert "Solo VR" in text and "online" in text and "VR" in text
    assert "fps" in text.split("320×180")[0]  # the measured rate, beside the cap
    assert "scene mogao_cave" in text


def test_a_command_is_shown_acknowledged_once_the_kiosk_has_run_it(
        page: Any, kiosks: dict[str, str]) -> None:
    solo = kiosks["solo"]
    click(page, css(page, f"{card(solo)} .controls button[data-action='pause']")[0])
    row = wait_for(lambda: command_rows(page, solo, "pause", "acked"), timeout=20,
                   what="pause acknowledged on the card")[0]
    assert "acknowledged" in row.text
    wait_for(lambda: css(page, f"{card(solo)}[data-state='paused']"), timeout=15,
             what="the kiosk's next heartbeat saying paused")


def test_a_command_the_kiosk_refuses_is_shown_failed_with_the_kiosks_reason(
        page: Any, kiosks: dict[str, str]) -> None:
    solo = kiosks["solo"]
    form = use_form(page, f"kiosk:{solo}", "extend_session")
    minutes = form.find_element("css selector", "input[name='minutes']")
    minutes.clear()
    minutes.send_keys("2")
    click(page, form.find_element("css selector", "button[type='submit']"))
    row = wait_for(lambda: command_rows(page, solo, "extend_session", "failed"), timeout=20,
                   what="extend_session failed on the card")[0]
    assert "no session is running" in row.text
    assert not command_rows(page, solo, "extend_session", "acked")


def test_a_screenshot_asked_for_on_the_card_appears_on_it(page: Any, kiosks: dict[str, str]) -> None:
    east = kiosks["east"]
    shot = f"{card(east)} img.kiosk-shot"
    click(page, css(page, f"{card(east)} .controls button[data-action='screenshot']")[0])
    wait_for(lambda: page.execute_script(
        "const img = document.querySelector(arguments[0]);"
        "return img && img.complete && img.naturalWidth > 0;", shot), timeout=30,
        what="the kiosk's uploaded frame shown on its card")
    image = css(page, shot)[0]
    assert "Gallery east" in image.get_attribute("alt")
    assert page.execute_script("return document.querySelector(arguments[0]).naturalWidth;", shot) == 320
    assert f"/api/v1/kiosks/{east}/screenshot" in image.get_attribute("src")


def test_a_group_command_with_an_exclusion_reaches_the_others_only(
        page: Any, server: LiveServer, kiosks: dict[str, str]) -> None:
    east, west = kiosks["east"], kiosks["west"]
    form = use_form(page, f"group:{GROUP}", "announce")
    form.find_element("css selector", "input[name='text_en']").send_keys("West gallery closes at 17:00")
    click(page, form.find_element("css selector", f"input[name='exclude'][value='{west}']"))
    click(page, form.find_element("css selector", "button[type='submit']"))
    wait_for(lambda: command_rows(page, east, "announce", "acked"), timeout=20,
             what="the announcement acknowledged by the kiosk left in")
    sent_west = server.api("GET", f"/kiosks/{west}/commands").json()["commands"]
    assert not [c for c in sent_west if c["action"] == "announce"]
    assert not command_rows(page, west, "announce")


def test_a_session_started_on_the_card_counts_down_and_extends(
        page: Any, kiosks: dict[str, str]) -> None:
    from selenium.webdriver.support.ui import Select

    west = css(page, card(kiosks["west"]))[0]
    click(page, west.find_element("css selector", ".session-forms details > summary"))
    start = west.find_element("css selector", ".session-forms form.start")
    Select(start.find_element("css selector", "select")).select_by_value("mogao-cave-016-virtual")
    minutes = start.find_element("css selector", "input.minutes")
    minutes.clear()
    minutes.send_keys("3")
    click(page, start.find_element("css selector", "button[data-action='start_session']"))
    wait_for(lambda: west.find_elements("css selector", ".kiosk-session .countdown"),
             timeout=20, what="the running session on the card")
    assert "Cave 16 and the Library Cave" in west.find_element("css selector", ".kiosk-session").text
    first = wait_for(partial(countdown, west), what="the countdown")
    assert 150 <= first <= 180
    wait_for(lambda: 0 < countdown(west) < first, timeout=5, what="the countdown to move")
    click(page, west.find_element("css selector", "button[data-action='extend_session']"))
    wait_for(lambda: countdown(west) > first + 200, timeout=20, what="five more minutes on the countdown")
    wait_for(lambda: command_rows(page, kiosks["west"], "extend_session", "acked"), timeout=20,
             what="the kiosk acknowledging the extension")


def countdown(kiosk_card: Any) -> int:
    """The seconds the card's session countdown shows (245 for "4:05"), 0 while it has none."""
    text = kiosk_card.parent.execute_script(
        "const c = arguments[0].querySelector('.kiosk-session .countdown');"
        "return c ? c.textContent : '';", kiosk_card)
    total = 0
    for part in str(text).split(":") if text else []:
        total = total * 60 + int(part)
    return total


def test_the_grid_keeps_to_the_page_rules(page: Any) -> None:
    """No policy violation, no console error, nothing serious for axe in the kiosk grid."""
    assert csp_violations(page) == []
    assert console_errors(page) == []
    assert [v for v in axe_violations(page) if "kiosk" in v] == []


def test_a_viewer_sees_the_kiosks_but_no_action_buttons(
        server: LiveServer, kiosks: dict[str, str], tmp_path: Path) -> None:
    browser = start_browser(temp_profile(), size=(1366, 768))
    try:
        log_in(browser, server, "vera", create_user(server, "vera", "viewer"))
        solo = wait_for(lambda: css(browser, f"{card(kiosks['solo'])}[data-online='true']"),
                        timeout=20)[0]
        assert "Solo VR" in solo.text
        assert not css(browser, "#kiosks button, #kiosks form, #kiosks .controls")
    finally:
        browser.quit()
