"""The kiosk's Socket.IO link to the server: connect (or pair), obey commands, send
heartbeats and drain the outbox; reconnect with back-off when the server goes away."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from typing import Any

import socketio

from immersive.kiosk.controller import KioskController
from immersive.kiosk.store import StateStore

NAMESPACE = "/kiosk"
log = logging.getLogger("immersive.kiosk.link")


class KioskLink:
    """Keeps one kiosk connected to ``/kiosk`` on the server, in a background thread.

    The kiosk works without it: commands simply stop arriving and session events wait in the
    outbox until the link is back.
    """

    def __init__(
        self,
        controller: KioskController,
        store: StateStore,
        url: str,
        pair_info: dict[str, Any] | None = None,
        fps: Callable[[], float] = lambda: 0.0,
        heartbeat_s: float = 5.0,
        backoff_s: tuple[float, float] = (1.0, 30.0),
        timeout_s: float = 5.0,
        render: dict[str, Any] | None = None,
    ) -> None:
        self.controller, self.store, self.url = controller, store, url
        self.render = render  # how this kiosk renders, told in every heartbeat
        self.pair_info = pair_info or {}
        self.fps, self.heartbeat_s, self.backoff_s = fps, heartbeat_s, backoff_s
        self.timeout_s = timeout_s
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._reconnect = False
        self._thread: threading.Thread | None = None
        self.client: socketio.Client | None = None
        self.last_error: str | None = None
        self._refusal: str | None = None  # the server's message when it refused this attempt
        self.connects = 0

    # -- lifecycle -------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="kiosk-link", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        client = self.client
        if client is not None and client.connected:
            client.disconnect()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def request_flush(self) -> None:
        """Send waiting session events now (called by the controller on a new event)."""
        self._wake.set()

    # -- connecting ------------------------------------------------------------------
    def credentials(self) -> dict[str, Any]:
        """The ``auth`` of the next connection: the kiosk's token, or a pairing request."""
        kiosk_id, token = self.store.get("kiosk_id"), self.store.get("token")
        if kiosk_id and token:
            return {"kiosk_id": kiosk_id, "token": token, "last_seq": self.controller.last_seq}
        return {"pair": True, **self.pair_info}

    def _new_client(self) -> socketio.Client:
        client = socketio.Client(reconnection=False)
        client.on("command", self._on_command, namespace=NAMESPACE)
        client.on("pairing", self._on_pairing, namespace=NAMESPACE)
        client.on("paired", self._on_paired, namespace=NAMESPACE)
        client.on("disconnect", lambda *a: self._wake.set(), namespace=NAMESPACE)
        client.on("connect_error", self._on_connect_error, namespace=NAMESPACE)
        return client

    def _run(self) -> None:
        delay = self.backoff_s[0]
        while not self._stop.is_set():
            client = self._new_client()
            self.client = client
            self._reconnect, self._refusal = False, None
            auth = self.credentials()
            try:
                client.connect(self.url, auth=auth, namespaces=[NAMESPACE],
                               wait_timeout=self.timeout_s)
            except socketio.exceptions.ConnectionError as exc:
                self.last_error = self.last_error or str(exc)
                if self._refusal is not None:
                    log.warning("%s; retrying in %.1f s", refusal_advice(auth, self._refusal),
                                delay)
                else:
                    log.info("server not reachable (%s); retrying in %.1f s", exc, delay)
                self._stop.wait(delay * random.uniform(0.8, 1.2))
                delay = min(delay * 2, self.backoff_s[1])
                continue
            delay = self.backoff_s[0]
            self.connects += 1
            self.last_error = None
            self.controller.refused = None
            self.controller.online = True
            if "token" in auth:
                log.info("online: connected to %s as kiosk %s", self.url, auth["kiosk_id"])
            else:
                log.info("connected to %s to pair; waiting for a pairing code", self.url)
            try:
                self._serve(client)
            finally:
                self.controller.online = False
                if client.connected:
                    client.disconnect()

    def _serve(self, client: socketio.Client) -> None:
        next_beat = 0.0
        while not self._stop.is_set() and client.connected and not self._reconnect:
            self._wake.clear()
            self._flush(client)
            now = time.monotonic()
            if now >= next_beat and "token" in self.credentials():
                self._call(client, "heartbeat", self.heartbeat())
                next_beat = now + self.heartbeat_s
            self._wake.wait(min(1.0, max(0.05, next_beat - time.monotonic())))

    def heartbeat(self) -> dict[str, Any]:
        """The ``heartbeat`` payload: the controller's state, the fps and the render facts."""
        beat = self.controller.heartbeat(self.fps())
        if self.render is not None:
            beat["render"] = self.render
        return beat

    def _call(self, client: socketio.Client, event: str, data: dict[str, Any]) -> Any:
        try:
            return client.call(event, data, namespace=NAMESPACE, timeout=self.timeout_s)
        except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError) as exc:
            log.info("%s not acknowledged: %s", event, exc)
            return None

    def _flush(self, client: socketio.Client) -> None:
        if "token" not in self.credentials():
            return  # a pairing connection carries no session events
        for event in self.controller.outbox.pending(50):
            ack = self._call(client, "session", event)
            if ack is None:
                return  # keep it for the next try
            if isinstance(ack, dict) and ack.get("code") == "rate_limited":
                return  # not processed: sent again on the next flush
            if not (isinstance(ack, dict) and ack.get("ok")):
                log.warning("server refused session event %s: %r", event["event_id"], ack)
            self.controller.outbox.ack(event["event_id"])

    # -- server events -----------------------------------------------------------------
    def _on_command(self, data: Any) -> dict[str, Any]:
        return self.controller.handle_command(data)

    def _on_pairing(self, data: Any) -> None:
        if isinstance(data, dict):
            self.controller.pairing = dict(data, received=time.monotonic())
            # a headless kiosk's log is its screen: the operator approving it needs the code
            log.warning("pairing code %s for kiosk %s: approve it in the control panel",
                        data.get("code"), data.get("kiosk_id"))

    def _on_paired(self, data: Any) -> None:
        if isinstance(data, dict) and data.get("kiosk_id") and data.get("token"):
            # numbering restarts before the new identity is stored: a state file never names
            # the new kiosk with the old kiosk's last command
            self.controller.start_numbering_again()
            self.store.update(kiosk_id=data["kiosk_id"], token=data["token"])
            self.controller.pairing = None
            log.info("paired: kiosk %s received its token; connecting with it", data["kiosk_id"])
            self._reconnect = True
            self._wake.set()

    def _on_connect_error(self, data: Any) -> None:
        # the server's refusal arrives as {"message": ...}; a network failure as a bare string
        if isinstance(data, dict) and "message" in data:
            self._refusal = str(data["message"])
            self.controller.refused = self._refusal
        message = data.get("message") if isinstance(data, dict) else data
        self.last_error = str(message)
        log.debug("connection failed: %s", message)


def refusal_advice(auth: dict[str, Any], message: str) -> str:
    """One log line: what the server refused, its reason, and what to do about it.

    Examples
    --------
    >>> refusal_advice({"kiosk_id": "k-1", "token": "t"}, "unauthorized")
    'server refused kiosk k-1: unauthorized (its token is revoked or unknown there): pair again with --pair'
    >>> refusal_advice({"pair": True}, "cannot pair: no site 'atlantis'")
    "server refused to pair: cannot pair: no site 'atlantis'"
    """
    if "token" not in auth:
        return f"server refused to pair: {message}"
    line = f"server refused kiosk {auth.get('kiosk_id')}: {message}"
    if message == "unauthorized":
        line += " (its token is revoked or unknown there): pair again with --pair"
    return line
