"""The control panel in headless Chromium against a real server on the real venues."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import socketio

from tests.e2e.browser import (
    create_user,
    csp_violations,
    log_in,
    start_browser,
    temp_profile,
    watch_csp,
)
from tests.helpers import LiveServer, wait_for


@pytest.fixture(scope="module")
def operator_page(server: LiveServer) -> Iterator[Any]:
    browser = start_browser(temp_profile())
    try:
        watch_csp(browser)
        log_in(browser, server, "olga", create_user(server, "olga", "operator"))
        yield browser
    finally:
        browser.quit()


def inside(server: LiveServer, zone_id: str, apart: int = 0) -> tuple[float, float]:
    """A point that lies inside the zone, from the zones the server serves; ``apart`` > 0
    gives another point of the zone, so that kiosks placed there do not hide each other's
    marker on the map."""
    from shapely.geometry import Point, shape

    zones = server.api("GET", "/sites/mogao/zones").json()["features"]
    zone = shape(next(f for f in zones if f["properties"]["id"] == zone_id)["geometry"])
    point = zone.representative_point()
    for step in range(apart, 0, -1):  # about 10 m along the zone's long side a step
        moved = Point(point.x, point.y + 1e-4 * step)
        if zone.contains(moved):
            return moved.x, moved.y
    return point.x, point.y


def visitors_into(server: LiveServer, zone_id: str, n: int, tag: str) -> None:
    lon, lat = inside(server, zone_id)
    now = datetime.now(UTC).isoformat()
    positions = [{"event_id": f"{tag}-{i}", "visitor_id": f"{tag}-v{i}", "ts": now, "lon": lon,
                  "lat": lat} for i in range(n)]
    response = server.api("POST", "/sites/mogao/positions", json={"positions": positions})
    assert response.ok, response.text


def css(page: Any, selector: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return list(page.find_elements(By.CSS_SELECTOR, selector))


def texts(page: Any, selector: str) -> list[str]:
    """The text of every element the selector matches, read in one go in the page: live updates
    replace cards and tooltips, so an element found first and read after may be gone."""
    return list(page.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map((e) => e.innerText);", selector))


def zone_count(page: Any, zone_id: str) -> str:
    return str(page.execute_script(
        "const c = document.querySelector(`#zone-rows tr[data-zone='${arguments[0]}'] .count`);"
        "return c ? c.textContent : '';", zone_id))


class ScriptedKiosk:
    """A kiosk on /kiosk that records the commands it receives and acknowledges them."""

    def __init__(self, server: LiveServer, auth: dict[str, Any]) -> None:
        self.commands: list[dict[str, Any]] = []
        self.events: dict[str, Any] = {}
        self.client = socketio.Client(reconnection=False)
        self.client.on("command", self._command, namespace="/kiosk")
        for event in ("pairing", "paired"):
            self.client.on(event, self._store(event), namespace="/kiosk")
        self.client.connect(server.url, namespaces=["/kiosk"], transports=["websocket"], auth=auth,
                            wait_timeout=5)

    def _store(self, event: str):  # type: ignore[no-untyped-def]
        return lambda data: self.events.__setitem__(event, data)

    def _command(self, data: dict[str, Any]) -> dict[str, Any]:
        self.commands.append(data)
        return {"ok": True}

    def close(self) -> None:
        self.client.disconnect()


def test_the_map_draws_every_zone_of_mogao(server: LiveServer, operator_page: Any) -> None:
    features = server.api("GET", "/sites/mogao/zones").json()["features"]
    drawn = wait_for(lambda: css(operator_page, "#map path.zone"))
    assert len(drawn) == len(features) == 18
    ids = {p.get_attribute("data-zone") for p in drawn}
    assert ids == {f["properties"]["id"] for f in features}
    assert "莫高窟" in operator_page.find_element("css selector", "#site-title").text


def test_visitors_posted_to_a_cave_show_up_on_the_page_without_a_reload(
        server: LiveServer, operator_page: Any) -> None:
    wait_for(lambda: zone_count(operator_page, "mogao-cave-096") == "0")
    visitors_into(server, "mogao-cave-096", 35, "busy")
    wait_for(lambda: zone_count(operator_page, "mogao-cave-096") == "35", timeout=10)
    row = css(operator_page, "#zone-rows tr[data-zone='mogao-cave-096']")[0]
    assert "divert" in row.get_attribute("class")  # 35 of 40 is past the 80 % tier


def test_a_pending_kiosk_appears_and_an_operator_approves_it(
        server: LiveServer, operator_page: Any) -> None:
    kiosk = ScriptedKiosk(server, {"pair": True, "name": "Hall B screen", "kind": "exhibition",
                                   "site": "mogao"})
    try:
        code = wait_for(lambda: kiosk.events.get("pairing"))["code"]
        card = wait_for(lambda: css(operator_page, ".pending-kiosk"), timeout=10)[0]
        # the code is on the kiosk's own screen, not in the panel: the operator types it
        assert code not in card.text and "Hall B screen" in card.text
        card.find_element("css selector", "input.pairing-code").send_keys(code)
        card.find_element("css selector", "button.approve").click()
        paired = wait_for(lambda: kiosk.events.get("paired"), timeout=10)
        assert paired["token"]
        wait_for(lambda: not css(operator_page, ".pending-kiosk"))
        listed = {k["kiosk_id"]: k for k in server.api("GET", "/kiosks").json()["kiosks"]}
        assert listed[paired["kiosk_id"]]["status"] == "approved"
        assert listed[paired["kiosk_id"]]["site_id"] == "mogao"
    finally:
        kiosk.close()


def test_a_command_button_reaches_the_kiosk(server: LiveServer, operator_page: Any) -> None:
    lon, lat = inside(server, "mogao-va-central")
    made = server.cli_json("create-kiosk", "--site", "mogao", "--lon", str(lon), "--lat", str(lat),
                           "--json")
    kiosk_id = made["kiosk_id"]
    kiosk = ScriptedKiosk(server, {"kiosk_id": kiosk_id, "token": made["token"]})
    try:
        kiosk.client.call("heartbeat", {"scene": "mogao_cave", "state": "playing", "fps": 42.0},
                          namespace="/kiosk", timeout=5)
        card_selector = f".kiosk[data-kiosk='{kiosk_id}']"
        wait_for(lambda: css(operator_page, f"{card_selector}[data-online='true']"), timeout=10)
        css(operator_page, f"{card_selector} button[data-action='pause']")[0].click()
        wait_for(lambda: [c for c in kiosk.commands if c["action"] == "pause"], timeout=10)
        card = css(operator_page, card_selector)[0]
        card.find_element("css selector", "input[aria-label='Announcement in English']").send_keys(
            "The caves close at 17:30")
        card.find_element("css selector", "button[data-action='announce']").click()
        said = wait_for(lambda: [c for c in kiosk.commands if c["action"] == "announce"], timeout=10)
        assert said[0]["args"]["text"]["en"] == "The caves close at 17:30"
    finally:
        kiosk.close()


def test_closing_a_zone_shows_it_closed(server: LiveServer, operator_page: Any) -> None:
    row = "#zone-rows tr[data-zone='mogao-cave-465']"
    css(operator_page, f"{row} button.danger")[0].click()
    css(operator_page, f"{row} input.reason")[0].send_keys("Mural survey")
    css(operator_page, f"{row} button.confirm-close")[0].click()
    wait_for(lambda: css(operator_page, "#map path.zone.closed[data-zone='mogao-cave-465']"))
    wait_for(lambda: "state-closed" in css(operator_page, row)[0].get_attribute("class"))
    assert "Mural survey" in css(operator_page, row)[0].text
    states = {r["zone_id"]: r["state"]
              for r in server.api("GET", "/sites/mogao/occupancy").json()["zones"]}
    assert states["mogao-cave-465"] == "closed"


def test_a_viewer_sees_everything_but_no_action_buttons(server: LiveServer) -> None:
    browser = start_browser(temp_profile())
    try:
        log_in(browser, server, "vera", create_user(server, "vera", "viewer"))
        wait_for(lambda: len(css(browser, "#map path.zone")) == 18)
        wait_for(lambda: css(browser, ".kiosk"))
        assert css(browser, "#zone-rows tr")
        assert not css(browser, "#panel .controls, #panel button.approve, #zone-rows button.danger,"
                                " #zone-rows td.actions button, #alerts button.ack")
    finally:
        browser.quit()


def test_a_command_the_server_refuses_shows_its_message_in_a_toast(
        server: LiveServer, operator_page: Any) -> None:
    lon, lat = inside(server, "mogao-va-north")
    kiosk_id = server.cli_json("create-kiosk", "--site", "mogao", "--lon", str(lon), "--lat",
                               str(lat), "--json")["kiosk_id"]
    operator_page.refresh()
    card = f".kiosk[data-kiosk='{kiosk_id}']"
    wait_for(lambda: css(operator_page, card), timeout=15)
    assert server.api("POST", f"/kiosks/{kiosk_id}/revoke").ok  # behind the page's back
    css(operator_page, f"{card} button[data-action='play']")[0].click()
    toast = wait_for(lambda: css(operator_page, ".toast.error"), timeout=10)[0]
    assert f"kiosk {kiosk_id} is revoked" in toast.text


def place_kiosk(server: LiveServer, kiosk_id: str, zone_id: str) -> None:
    """Put a kiosk in a zone, as a venue file does (the map shows kiosks at their zone)."""
    with sqlite3.connect(Path(server.env["LANTERN_INSTANCE_PATH"]) / "lantern.db") as db:
        db.execute("UPDATE kiosks SET zone_id = ? WHERE id = ?", (zone_id, kiosk_id))


# Markup that would run script if a page parsed it as HTML.
NAME_MARKUP = '<img src=x onerror="window.__pwned = (window.__pwned || 0) + 1">'
SCENE_MARKUP = '<svg onload="window.__pwned = (window.__pwned || 0) + 2"></svg>'


def test_a_kiosk_named_with_markup_shows_it_as_text_and_runs_no_script(server: LiveServer) -> None:
    lon, lat = inside(server, "mogao-va-north", apart=2)
    made = server.cli_json("create-kiosk", "--site", "mogao", "--lon", str(lon), "--lat", str(lat),
                           "--name", NAME_MARKUP, "--json")
    place_kiosk(server, made["kiosk_id"], "mogao-va-north")
    kiosk = ScriptedKiosk(server, {"kiosk_id": made["kiosk_id"], "token": made["token"]})
    browser = start_browser(temp_profile())
    try:
        watch_csp(browser)
        log_in(browser, server, "sam", create_user(server, "sam", "operator"))
        kiosk.client.call("heartbeat", {"scene": SCENE_MARKUP, "state": "playing", "fps": 30.0},
                          namespace="/kiosk", timeout=5)
        # the card shows the kiosk online at its connect, and its scene once the heartbeat is in
        card = wait_for(lambda: [c for c in texts(browser, f"#kiosks .kiosk[data-kiosk='{made['kiosk_id']}']")
                                 if SCENE_MARKUP in c], timeout=10)[0]
        assert NAME_MARKUP in card and SCENE_MARKUP in card
        marker = wait_for(lambda: css(browser, f".kiosk-marker[data-kiosk='{made['kiosk_id']}']"))[0]
        # the pointer's own event on the marker (another marker may lie on top of it at this zoom)
        browser.execute_script(
            "arguments[0].dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));", marker)
        tip = wait_for(lambda: [t for t in texts(browser, ".leaflet-tooltip") if "onerror" in t])[0]
        assert NAME_MARKUP in tip and SCENE_MARKUP in tip
        assert not css(browser, ".leaflet-tooltip img, .leaflet-tooltip svg")
        css(browser, "#zone-rows tr[data-zone='mogao-va-north'] button.link-like")[0].click()
        wait_for(lambda: [t for t in texts(browser, ".leaflet-tooltip") if "visitors" in t])
        assert browser.execute_script("return window.__pwned;") is None
        assert not css(browser, "img[src='x'], #map svg[onload], #kiosks svg[onload]")
        assert csp_violations(browser) == []
    finally:
        browser.quit()
        kiosk.close()


def test_the_operator_panel_ran_every_test_without_a_policy_violation(operator_page: Any) -> None:
    assert csp_violations(operator_page) == []
