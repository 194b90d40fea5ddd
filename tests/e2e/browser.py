"""Headless Chromium driven by Selenium, the panel's login through its real form, and the page
checks every browser test can make: policy violations, console errors, axe-core's findings."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from tests.conftest import unavailable
from tests.helpers import ROOT, LiveServer

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--lang=en-GB")


def chromium_paths() -> tuple[str, str]:
    """The Chromium binary and its driver, or skip (fail in CI) when they are not installed."""
    binary = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser"),
                               shutil.which("google-chrome")) if p), None)
    driver = shutil.which("chromedriver")
    if binary is None or driver is None:
        unavailable("headless Chromium and chromedriver are not installed "
                    "(apt-get install chromium chromium-driver)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        unavailable("selenium is not installed")
    assert binary is not None and driver is not None
    return binary, driver


def start_browser(profile: Path, size: tuple[int, int] = (1440, 1200)) -> Any:
    """A fresh headless Chromium with its own profile folder, its console log kept."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver = chromium_paths()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={size[0]},{size[1]}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=driver, log_output=subprocess.DEVNULL)
    browser = webdriver.Chrome(options=options, service=service)
    browser.set_page_load_timeout(20)
    return browser


def create_user(server: LiveServer, name: str, role: str) -> str:
    """A user made with the CLI (password on stdin); returns the password."""
    password = f"{name}-pass-phrase"
    done = subprocess.run([*server_cli(), "create-user", name, "--role", role], env=server.env,
                          cwd=Path(__file__).resolve().parents[2], input=password + "\n",
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return password


def server_cli() -> list[str]:
    import sys

    return [sys.executable, "-m", "server"]


def log_in(browser: Any, server: LiveServer, name: str, password: str, site: str = "mogao") -> None:
    """Sign in through the form and wait until the site's panel has loaded."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{server.url}/login?next=/panel%23{site}")
    browser.find_element(By.NAME, "username").send_keys(name)
    browser.find_element(By.NAME, "password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR, "form.login button[type=submit]").click()
    WebDriverWait(browser, 20).until(ec.presence_of_element_located(
        (By.CSS_SELECTOR, f'#panel[data-site="{site}"]')))


# Collects the page's Content-Security-Policy violations into window.__cspViolations. DevTools
# adds it to every document before the page's own scripts run.
CSP_WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => window.__cspViolations.push(
  `${event.effectiveDirective} blocked ${event.blockedURI || "inline"}` +
  ` (${event.sourceFile}:${event.lineNumber})`));
"""


def watch_csp(browser: Any) -> None:
    """Record Content-Security-Policy violations on every page this browser opens from now on."""
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CSP_WATCH})


def csp_violations(browser: Any) -> list[str]:
    return list(browser.execute_script("return window.__cspViolations || [];"))


def temp_profile() -> Path:
    return Path(tempfile.mkdtemp(prefix="lantern-chromium-"))


def console_errors(browser: Any) -> list[str]:
    """The page's console errors since the last call (uncaught exceptions, failed loads)."""
    return [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def axe_violations(browser: Any, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """What axe-core (from node_modules, injected here: the page never ships it) finds on the
    current page at the given impacts, one line a rule with the first offending elements."""
    if not AXE.exists():
        unavailable("axe-core is not installed (npm ci)")
    browser.execute_script(AXE.read_text(encoding="utf-8"))
    browser.set_script_timeout(60)
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, { resultTypes: ['violations'] })"
        "  .then((r) => done(r.violations), (e) => done([{ id: 'axe-error', impact: 'critical',"
        "    help: String(e), nodes: [] }]));")
    return [f"{v['impact']} {v['id']}: {v['help']} at "
            + ", ".join(" ".join(map(str, n["target"])) for n in v["nodes"][:3])
            for v in result if v.get("impact") in impacts]


def save_screenshot(page: Any, name: str, tmp: Path) -> None:
    """The top of the page as it is shown (1366x768 in the tests), toasts cleared: into docs/
    when LANTERN_UPDATE_DOCS=1 is set, else into ``tmp``; either way it must be a picture."""
    import os

    page.execute_script("window.scrollTo(0, 0); document.getElementById('toasts')?.replaceChildren();")
    target = ROOT / "docs" / name if os.environ.get("LANTERN_UPDATE_DOCS") else tmp / name
    assert page.save_screenshot(str(target))
    assert target.stat().st_size > 20_000
