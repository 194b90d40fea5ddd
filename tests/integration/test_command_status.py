"""Operators follow each command's delivery live: ``command_status`` on /control names the same
statuses as ``GET /api/v1/kiosks/<id>/commands`` (pending, sent, acked, failed, expired), and a
command to a whole fleet is a few messages a second, not one per kiosk and change."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from bench.socketio_peers.lean import LeanKiosk
from tests.helpers import Kiosk, LiveServer, Operator, new_kiosk, wait_for

TTL_S = 4  # short, so that an offline kiosk's command expires within the test
FLEET = 200


class StatusOperator(Operator):
    """An operator that also records ``command_status``, with when each arrived."""

    EVENTS = (*Operator.EVENTS, "command_status")  # type: ignore[assignment]

    def statuses(self, command_id: str) -> list[str]:
        """The statuses heard for one command, in order, repeats folded."""
        heard = [c["status"] for m in self.heard("command_status") for c in m["commands"]
                 if c["id"] == command_id]
        return [s for i, s in enumerate(heard) if i == 0 or heard[i - 1] != s]

    def entry(self, command_id: str) -> dict[str, Any] | None:
        return next((c for m in reversed(self.heard("command_status")) for c in m["commands"]
                     if c["id"] == command_id), None)


class SlowKiosk(Kiosk):
    """A kiosk that answers each command after ``delay_s`` with ``answer``."""

    def __init__(self, *args: Any, delay_s: float = 0.0, answer: dict[str, Any] | None = None,
                 **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.delay_s, self.answer = delay_s, answer or {"ok": True}

    def _on_command(self, data: dict[str, Any]) -> dict[str, Any]:
        super()._on_command(data)
        time.sleep(self.delay_s)  # each command is handled on a thread of its own
        return self.answer


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path_factory.mktemp("status"), LANTERN_COMMAND_TTL_S=str(TTL_S)).start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def operator(server: LiveServer) -> Iterator[StatusOperator]:
    watching = StatusOperator(server)
    yield watching
    watching.close()


def rest_status(server: LiveServer, kiosk_id: str, command_id: str) -> str:
    body = server.api("GET", f"/kiosks/{kiosk_id}/commands").json()
    return next(c["status"] for c in body["commands"] if c["id"] == command_id)


def send(server: LiveServer, kiosk_id: str, action: str, **args: Any) -> str:
    response = server.api("POST", f"/kiosks/{kiosk_id}/commands",
                          json={"action": action, "args": args})
    assert response.status_code == 202, response.text
    return str(response.json()["commands"][0]["id"])


def test_a_command_the_kiosk_acknowledges_is_heard_as_sent_then_acked(
        server: LiveServer, operator: StatusOperator) -> None:
    kiosk = SlowKiosk(server, *new_kiosk(server), delay_s=1.0).connect()
    try:
        command_id = send(server, kiosk.kiosk_id, "pause")
        wait_for(lambda: kiosk.commands, what="the command at the kiosk")
        wait_for(lambda: operator.statuses(command_id) == ["sent"], what="sent")
        assert rest_status(server, kiosk.kiosk_id, command_id) == "sent"  # delivered, not done
        wait_for(lambda: operator.statuses(command_id) == ["sent", "acked"], what="acked")
        assert rest_status(server, kiosk.kiosk_id, command_id) == "acked"
        entry = operator.entry(command_id)
        assert entry is not None and entry["error"] is None
        assert (entry["kiosk_id"], entry["seq"], entry["action"]) == (kiosk.kiosk_id, 1, "pause")
    finally:
        kiosk.close()


def test_a_command_the_kiosk_refuses_is_heard_as_failed_with_the_kiosks_error(
        server: LiveServer, operator: StatusOperator) -> None:
    refusal = {"ok": False, "error": "no session is running"}
    kiosk = SlowKiosk(server, *new_kiosk(server), answer=refusal).connect()
    try:
        command_id = send(server, kiosk.kiosk_id, "extend_session", seconds=60)
        wait_for(lambda: (operator.entry(command_id) or {}).get("status") == "failed",
                 what="failed")
        assert operator.entry(command_id)["error"] == "no session is running"  # type: ignore[index]
        assert rest_status(server, kiosk.kiosk_id, command_id) == "failed"
    finally:
        kiosk.close()


def test_an_offline_kiosks_command_stays_pending_and_expires_at_its_ttl(
        server: LiveServer, operator: StatusOperator) -> None:
    kiosk_id, _ = new_kiosk(server)  # registered, never connected
    issued = time.monotonic()
    command_id = send(server, kiosk_id, "play")
    wait_for(lambda: operator.statuses(command_id) == ["pending"], what="pending")
    assert rest_status(server, kiosk_id, command_id) == "pending"
    wait_for(lambda: operator.statuses(command_id) == ["pending", "expired"],
             timeout=TTL_S + 5, what="expired")
    assert time.monotonic() - issued >= TTL_S - 0.5  # not before its time
    assert rest_status(server, kiosk_id, command_id) == "expired"


def test_one_command_to_a_fleet_reaches_operators_in_a_few_messages(
        server: LiveServer, operator: StatusOperator) -> None:
    creds = [dict(zip(("kiosk_id", "token"), new_kiosk(server, group="fleet"), strict=True))
             for _ in range(FLEET)]
    fleet = LeanFleet(server.url, creds)
    try:
        before = len(operator.heard("command_status"))
        started = time.monotonic()
        response = server.api("POST", "/commands", json={"group": "fleet", "action": "play"})
        assert response.status_code == 202, response.text
        ids = {c["id"] for c in response.json()["commands"]}
        assert len(ids) == FLEET

        def all_acked() -> bool:
            last: dict[str, str] = {}
            for message in operator.heard("command_status")[before:]:
                last.update((c["id"], c["status"]) for c in message["commands"] if c["id"] in ids)
            return len(last) == FLEET and set(last.values()) == {"acked"}

        wait_for(all_acked, timeout=60, interval=0.2, what="every command acked")
        elapsed = time.monotonic() - started
        messages = len(operator.heard("command_status")) - before
        assert fleet.received() == FLEET
        # at most about four a second, and nowhere near one per kiosk and change (400 here)
        assert messages <= 4 * elapsed + 2, (messages, elapsed)
        assert messages <= 20
    finally:
        fleet.close()


class LeanFleet:
    """Many kiosks on one event loop in a thread of its own: each acknowledges every command."""

    def __init__(self, url: str, creds: list[dict[str, str]]) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.kiosks: list[LeanKiosk] = []
        self.commands = 0
        self.http: Any = None
        asyncio.run_coroutine_threadsafe(self._connect(url, creds), self.loop).result(120)

    async def _connect(self, url: str, creds: list[dict[str, str]]) -> None:
        import aiohttp

        self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        for start in range(0, len(creds), 50):
            chunk = [LeanKiosk("/kiosk", self._on_event) for _ in creds[start:start + 50]]
            await asyncio.gather(*(k.connect(self.http, url, c) for k, c in
                                   zip(chunk, creds[start:start + 50], strict=True)))
            self.kiosks += chunk

    def _on_event(self, name: str, data: Any, t: float) -> None:
        if name == "command":
            self.commands += 1

    def received(self) -> int:
        return self.commands

    def close(self) -> None:
        async def shut() -> None:
            await asyncio.gather(*(k.close() for k in self.kiosks), return_exceptions=True)
            if self.http is not None:
                await self.http.close()

        asyncio.run_coroutine_threadsafe(shut(), self.loop).result(60)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()
