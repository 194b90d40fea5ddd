"""The admins' page in headless Chromium against a real server on the real venues: users,
API tokens, kiosks asking to pair, the audit log and one's own password, as an admin works
them; in both languages, by keyboard, without policy violations or serious axe findings."""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest
import requests
import socketio

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
from tests.helpers import ROOT, LiveServer, wait_for

ADMIN = "ada"
NEW_PASSWORD = "a new phrase 2026"


def css(page: Any, selector: str) -> list[Any]:
    return list(page.find_elements("css selector", selector))


def one(page: Any, selector: str, timeout: float = 10) -> Any:
    """The element, once it is on the page."""
    return wait_for(lambda: (css(page, selector) or [None])[0], timeout=timeout, what=selector)


def open_admin_page(browser: Any, server: LiveServer, name: str, password: str) -> None:
    """Sign in through the form and wait until every part of the admin page has loaded."""
    browser.get(f"{server.url}/login?next=/panel/admin")
    browser.find_element("name", "username").send_keys(name)
    browser.find_element("name", "password").send_keys(password)
    browser.find_element("css selector", "form.login button[type=submit]").click()
    one(browser, "#admin[data-ready='true']", timeout=20)
    one(browser, "#link[data-state='live']")


def with_token(server: LiveServer, token: str) -> requests.Response:
    """A REST call as a machine holding ``token``."""
    return requests.get(f"{server.url}/api/v1/sites", headers={"Authorization": f"Bearer {token}"},
                        timeout=10)


def sign_in(server: LiveServer, name: str, password: str) -> requests.Session | None:
    """A session signed in through the form, or None when the form refuses."""
    session = requests.Session()
    form = session.get(f"{server.url}/login", timeout=10).text
    csrf = form.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    done = session.post(f"{server.url}/login", timeout=10,
                        data={"username": name, "password": password, "csrf_token": csrf})
    return session if done.ok and "/login" not in done.url else None


def confirm(page: Any) -> None:
    one(page, "dialog.modal[open] button[data-action='confirm']").click()
    wait_for(lambda: not css(page, "dialog.modal[open]"), what="the dialog closed")


def audit_rows(page: Any) -> list[tuple[str, str, str]]:
    """(actor, action, target) of each audit row shown, newest first."""
    return [tuple(row) for row in page.execute_script(  # read at once: the table redraws after changes
        "return [...document.querySelectorAll('#audit tbody tr[data-entry]')].map((r) =>"
        " [r.dataset.actor, r.dataset.action, r.querySelector('td.target').textContent]);")]


@pytest.fixture(scope="module")
def page(server: LiveServer) -> Iterator[Any]:
    browser = start_browser(temp_profile(), size=(1366, 768))
    try:
        watch_csp(browser)
        open_admin_page(browser, server, ADMIN, create_user(server, ADMIN, "admin"))
        yield browser
    finally:
        browser.quit()


def test_an_issued_token_works_over_rest_until_it_is_revoked_on_the_page(
        server: LiveServer, page: Any) -> None:
    form = one(page, "#tokens form.create-token")
    form.find_element("name", "name").send_keys("east gate gateway")
    form.find_element("css selector", "select[name=role] option[value=viewer]").click()
    form.find_element("css selector", "select[name=expires] option[value='30']").click()
    form.find_element("css selector", "button[type=submit]").click()
    secret = one(page, "#tokens .secret-box input.secret").get_attribute("value")
    assert secret.startswith("lt_")
    assert with_token(server, secret).status_code == 200
    listed = next(t for t in server.api("GET", "/tokens").json()["tokens"]
                  if t["name"] == "east gate gateway")
    assert listed["role"] == "viewer" and listed["expires_at"] is not None
    row = one(page, f"#tokens tr[data-token='{listed['id']}']")
    assert secret not in row.text and listed["prefix"] in row.text
    one(page, "#tokens .secret-box button[data-action='hide_secret']").click()
    assert not css(page, "#tokens .secret-box")  # the page keeps no copy once hidden
    row.find_element("css selector", "button[data-action='revoke']").click()
    confirm(page)
    wait_for(lambda: not css(page, f"#tokens tr[data-token='{listed['id']}']"),
             what="the revoked token folded away")
    refused = with_token(server, secret)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthenticated"


def test_a_created_user_signs_in_and_their_open_panel_signs_out_when_disabled(
        server: LiveServer, page: Any) -> None:
    form = one(page, "#users form.create-user")
    form.find_element("name", "username").send_keys("nina")
    form.find_element("css selector", "select[name=role] option[value=operator]").click()
    form.find_element("css selector", "button[type=submit]").click()
    password = one(page, "#users .secret-box input.secret").get_attribute("value")
    row = one(page, "#users tr[data-user='nina'][data-active='true']")
    assert row.get_attribute("data-role") == "operator"
    nina = start_browser(temp_profile(), size=(1366, 768))
    try:
        log_in(nina, server, "nina", password)
        assert not css(nina, "header nav a[href='/panel/admin']")  # no link for an operator
        row.find_element("css selector", "button[data-action='disable']").click()
        text = one(page, "dialog.modal[open]").text
        assert "nina" in text and "signed out at once" in text
        confirm(page)
        one(page, "#users tr[data-user='nina'][data-active='false']")
        wait_for(lambda: "/login" in nina.current_url, timeout=15, what="nina's panel signed out")
    finally:
        nina.quit()
    assert sign_in(server, "nina", password) is None


def test_the_last_admin_cannot_be_demoted_and_the_page_says_why(page: Any) -> None:
    from selenium.webdriver.support.ui import Select

    Select(one(page, f"#users tr[data-user='{ADMIN}'] select[data-field='role']")).select_by_value("viewer")
    assert "ends every sign-in" in one(page, "dialog.modal[open]").text
    confirm(page)
    notice = one(page, "#users p.notice:not([hidden])")
    assert "last active admin" in notice.text and ADMIN in notice.text
    role = Select(one(page, f"#users tr[data-user='{ADMIN}'] select[data-field='role']"))
    assert role.first_selected_option.get_attribute("value") == "admin"


def test_the_audit_log_lists_these_changes_filters_by_actor_and_pages_back(
        server: LiveServer, page: Any) -> None:
    mine = {(action, target) for actor, action, target in audit_rows(page) if actor == ADMIN}
    assert {("create_user", "nina"), ("update_user", "nina")} <= mine
    assert {"create_token", "revoke_token"} <= {action for action, _ in mine}
    # 60 tokens issued and revoked by a script: 120 entries of one actor, read 50 at a time
    issued = [server.api("POST", "/tokens", json={"role": "ingest", "name": f"probe {i}"}).json()["id"]
              for i in range(60)]
    for token_id in issued:
        server.api("POST", f"/tokens/{token_id}/revoke")
    script = server.api("GET", "/audit?action=create_token&limit=1").json()["entries"][0]["actor"]
    form = one(page, "#audit form.audit-filters")
    form.find_element("name", "actor").send_keys(script)
    form.find_element("css selector", "button[data-action='filter']").click()
    wait_for(lambda: len(audit_rows(page)) == 50 and {r[0] for r in audit_rows(page)} == {script})
    for shown in (100, 120):
        one(page, "#audit button[data-action='older']:not([hidden])").click()
        wait_for(partial(lambda n: len(audit_rows(page)) == n, shown), what=f"{shown} rows")
    assert not css(page, "#audit button[data-action='older']:not([hidden])")
    times = css(page, "#audit tbody time")
    assert times[0].get_attribute("title").endswith(" UTC")
    one(page, "#audit button[data-action='clear']").click()
    newest = server.api("GET", "/audit?limit=1").json()["entries"][0]
    wait_for(lambda: len(audit_rows(page)) == 50 and audit_rows(page)[0][1] == newest["action"],
             what="the whole log again")
    assert one(page, "#audit form.audit-filters input[name=actor]").get_attribute("value") == ""


class PairingKiosk:
    """A new kiosk asking to pair at Mogao, as the kiosk program does: records what it hears."""

    def __init__(self, server: LiveServer, name: str) -> None:
        self.heard: dict[str, Any] = {}
        self.client = socketio.Client(reconnection=False)
        for event in ("pairing", "paired"):
            self.client.on(event, partial(self.heard.__setitem__, event), namespace="/kiosk")
        self.client.connect(server.url, namespaces=["/kiosk"], transports=["websocket"],
                            auth={"pair": True, "name": name, "site": "mogao"}, wait_timeout=5)

    def shown(self) -> dict[str, Any]:
        """What its screen shows: its id and the pairing code."""
        shown: dict[str, Any] = wait_for(lambda: self.heard.get("pairing", {}), what="a pairing code")
        return shown

    def close(self) -> None:
        self.client.disconnect()


def test_a_kiosk_asking_to_pair_appears_live_and_is_approved_to_a_site_zone_and_group(
        server: LiveServer, page: Any) -> None:
    kiosk = PairingKiosk(server, "North hall screen")
    try:
        pairing = kiosk.shown()
        card = one(page, f"#pairing .pairing-card[data-kiosk='{pairing['kiosk_id']}']")
        assert "North hall screen" in card.text and pairing["code"] not in card.text
        zone = next(f["properties"] for f in server.api("GET", "/sites/mogao/zones").json()["features"]
                    if f["properties"]["kind"] == "visitor_area")
        option = f"select[name=zone] option[value='{zone['id']}']"
        wait_for(lambda: card.find_elements("css selector", option), what="the site's zones")
        card.find_element("css selector", option).click()
        card.find_element("name", "group").send_keys("north")
        code = card.find_element("name", "code")
        code.send_keys("000-000")
        card.find_element("css selector", "button[data-action='approve']").click()
        wait_for(lambda: any("not the code on the screen" in e.text
                             for e in css(page, "#toasts .toast.error")), what="the wrong code refused")
        code.clear()
        code.send_keys(pairing["code"])
        card.find_element("css selector", "button[data-action='approve']").click()
        paired: dict[str, Any] = wait_for(lambda: kiosk.heard.get("paired", {}), what="its token")
        assert paired["token"].startswith("kt_")
        approved = next(k for k in server.api("GET", "/kiosks").json()["kiosks"]
                        if k["kiosk_id"] == pairing["kiosk_id"])
        assert (approved["status"], approved["site_id"], approved["zone_id"], approved["group"]) == (
            "approved", "mogao", zone["id"], "north")
        wait_for(lambda: not css(page, f"#pairing [data-kiosk='{pairing['kiosk_id']}']"))
    finally:
        kiosk.close()


def test_one_changes_ones_own_password_from_the_header(server: LiveServer, page: Any) -> None:
    one(page, "#my-password:not([hidden])").click()
    dialog = one(page, "dialog.password-dialog[open]")
    for name, value in (("current", "not my password"), ("new", NEW_PASSWORD), ("again", NEW_PASSWORD)):
        dialog.find_element("name", name).send_keys(value)
    dialog.find_element("css selector", "button[data-action='change_password']").click()
    error = one(page, "dialog.password-dialog p.error[role=alert]")
    wait_for(lambda: "not right" in error.text, what="the wrong current password refused")
    field = dialog.find_element("name", "current")
    field.clear()
    field.send_keys(f"{ADMIN}-pass-phrase")
    dialog.find_element("css selector", "button[data-action='change_password']").click()
    one(page, "dialog.password-dialog p.done")
    dialog.find_element("css selector", ".dialog-actions button").click()
    assert sign_in(server, ADMIN, NEW_PASSWORD) is not None
    assert sign_in(server, ADMIN, f"{ADMIN}-pass-phrase") is None


def test_other_roles_get_403_and_no_link_to_the_admin_page(server: LiveServer) -> None:
    for role in ("operator", "planner", "viewer"):
        made = server.api("POST", "/users", json={"username": f"someone-{role}", "role": role})
        session = sign_in(server, f"someone-{role}", made.json()["password"])
        assert session is not None
        assert session.get(f"{server.url}/panel/admin", timeout=10).status_code == 403
        assert 'href="/panel/admin"' not in session.get(f"{server.url}/panel", timeout=10).text


def test_the_page_reads_in_chinese_by_keyboard_without_violations(server: LiveServer, page: Any) -> None:
    # so far the console may hold only the refusals the tests asked for (409, 422, 403)
    assert [e for e in console_errors(page) if "the server responded with a status of 4" not in e] == []
    waiting = PairingKiosk(server, "Cave 16 entrance screen")  # a pairing card is read too
    try:
        page.get(page.current_url)
        one(page, "#admin[data-ready='true']", timeout=20)
        one(page, f"#pairing .pairing-card[data-kiosk='{waiting.shown()['kiosk_id']}']")
        read_in_both_languages(page)
    finally:
        waiting.close()
    assert_keyboard_reaches_every_part(page)
    assert csp_violations(page) == []
    assert console_errors(page) == []


def read_in_both_languages(page: Any) -> None:
    """axe-core on the page in English and in Chinese (and the screenshots of both)."""
    assert axe_violations(page) == []
    if os.environ.get("LANTERN_UPDATE_DOCS"):
        page.save_screenshot(str(ROOT / "docs" / "page-admin.png"))
    one(page, "#lang-switch").click()
    one(page, "html[lang='zh-CN']")
    assert one(page, "#users-heading").text == "用户"
    assert one(page, "#users th[scope=col]").text == "用户"
    assert "审计日志" in one(page, "#audit-heading").text
    assert axe_violations(page) == []
    if os.environ.get("LANTERN_UPDATE_DOCS"):
        page.save_screenshot(str(ROOT / "docs" / "page-admin-zh.png"))
    one(page, "#lang-switch").click()
    one(page, "html[lang='en']")


def assert_keyboard_reaches_every_part(page: Any) -> None:
    """Tab from the header on: each stop shows its focus, and every part's controls are reached."""
    from selenium.webdriver.common.keys import Keys

    page.execute_script("window.scrollTo(0, 0); document.querySelector('header.top a').focus();")
    page.switch_to.active_element.send_keys(Keys.TAB)
    reached = set()
    for _ in range(150):
        focused = page.switch_to.active_element
        if focused.tag_name == "body":
            break  # past the last control
        reached.add(focused.get_attribute("data-action") or focused.get_attribute("name")
                    or focused.get_attribute("id"))
        outline = page.execute_script(
            "const s = getComputedStyle(document.activeElement);"
            "return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;")
        assert outline, f"no visible focus on {focused.get_attribute('outerHTML')[:120]}"
        focused.send_keys(Keys.TAB)
    assert {"my-password", "create_user", "role", "disable", "reset_password", "create_token", "expires",
            "actor", "from", "filter", "clear"} <= reached
