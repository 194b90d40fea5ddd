"""Every alert raised or cleared, posted to the venue's own endpoint (LANTERN_ALERT_WEBHOOK_URL).

A venue's duty phone, chat room or ticket system hears of an alert without a browser open.
Posting is slow and may fail, so it never happens where the alert is decided: ``send`` puts
the alert on a bounded queue and returns; one background task posts them in order, retrying
each with exponential back-off, and logs an alert it gives up on (or drops when the queue is
full) rather than holding up the hub's loop or a request.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

EVENTS = ("raised", "cleared")  # the alert changes that are posted (not acknowledgements)


def payload(alert: dict[str, Any], site_name: str | None) -> dict[str, Any]:
    """The body posted: the alert as /control's ``alert`` event has it, plus ``event``
    (raised or cleared) and ``site`` (the site's English name).

    >>> payload({"id": 7, "site_id": "mogao", "change": "raised"}, "Mogao Grottoes")["event"]
    'raised'
    """
    return {**alert, "event": alert["change"], "site": site_name or alert.get("site_id")}


class AlertWebhook:
    """A bounded queue of alerts and the one task that posts them."""

    def __init__(self, url: str, *, attempts: int = 5, first_delay_s: float = 1.0,
                 timeout_s: float = 5.0, queue_size: int = 1000,
                 site_name: Callable[[str], str | None] = lambda site_id: None,
                 spawn: Callable[..., Any] | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"the alert webhook must be an http:// or https:// URL, got {url!r}")
        self.url = url
        self.attempts = max(1, attempts)
        self.first_delay_s = first_delay_s
        self.timeout_s = timeout_s
        self.site_name = site_name
        self.spawn = spawn or _thread
        self.sleep = sleep
        self.queue: queue.Queue[dict[str, Any]] = queue.Queue(maxsize=queue_size)
        self.delivered = 0
        self.given_up = 0
        self._started = False
        self._lock = threading.Lock()

    def send(self, alert: dict[str, Any]) -> bool:
        """Queue a raised or cleared alert for posting (other changes are not posted); False
        when it was not queued."""
        if alert.get("change") not in EVENTS:
            return False
        self._start()
        try:
            self.queue.put_nowait(alert)
        except queue.Full:
            log.error("alert webhook: queue full (%d), alert %s (%s) not posted",
                      self.queue.maxsize, alert.get("id"), alert.get("change"))
            self.given_up += 1
            return False
        return True

    def _start(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
        self.spawn(self._run)

    def _run(self) -> None:
        while True:
            alert = self.queue.get()
            try:
                self.deliver(alert)
            except Exception:  # noqa: BLE001 - one bad alert must not end the task
                log.exception("alert webhook: alert %s could not be posted", alert.get("id"))

    def deliver(self, alert: dict[str, Any]) -> bool:
        """Post one alert, retrying after first_delay_s, then twice that, and so on; True when
        the endpoint took it (a 2xx answer)."""
        body = json.dumps(payload(alert, self._name(alert.get("site_id")))).encode()
        error = ""
        for attempt in range(self.attempts):
            if attempt:
                self.sleep(self.first_delay_s * 2 ** (attempt - 1))
            error = self._post(body)
            if not error:
                self.delivered += 1
                return True
            log.warning("alert webhook: attempt %d of %d for alert %s failed: %s",
                        attempt + 1, self.attempts, alert.get("id"), error)
        self.given_up += 1
        log.error("alert webhook: gave up on alert %s (%s) after %d attempts: %s",
                  alert.get("id"), alert.get("change"), self.attempts, error)
        return False

    def _name(self, site_id: str | None) -> str | None:
        if site_id is None:
            return None
        try:
            return self.site_name(site_id)
        except Exception:  # noqa: BLE001 - the alert goes out with the site's id instead
            log.exception("alert webhook: no name for site %s", site_id)
            return None

    def _post(self, body: bytes) -> str:
        """Post ``body``; an empty string when it was taken, else what went wrong."""
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json", "User-Agent": "Lantern alert webhook"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as answer:  # noqa: S310
                return "" if 200 <= answer.status < 300 else f"HTTP {answer.status}"
        except urllib.error.HTTPError as exc:
            return f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError) as exc:
            return str(getattr(exc, "reason", exc))


def _thread(target: Callable[[], None]) -> None:
    threading.Thread(target=target, name="alert-webhook", daemon=True).start()
