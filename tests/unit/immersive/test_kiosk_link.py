"""The kiosk's link and identity: pairing anew, refusals it explains, and what it logs."""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import socketio

from immersive.catalog import SceneCatalog
from immersive.kiosk import link as link_module
from immersive.kiosk.controller import KioskController
from immersive.kiosk.link import KioskLink
from immersive.kiosk.outbox import Outbox
from immersive.kiosk.program import add_arguments, take_identity
from immersive.kiosk.store import StateStore

URL = "http://127.0.0.1:9"


def arguments(*argv: str) -> argparse.Namespace:
    p = argparse.ArgumentParser()
    add_arguments(p)
    return p.parse_args(["--server", URL, *argv])


@pytest.fixture
def store(tmp_path: Path) -> StateStore:
    made = StateStore(tmp_path)
    made.update(kiosk_id="k-old", token="kt_old", last_seq=17)  # an earlier kiosk's state
    return made


@pytest.fixture
def controller(tmp_path: Path, store: StateStore) -> KioskController:
    return KioskController(SceneCatalog(), Outbox(tmp_path / "outbox.sqlite3"), store)


def test_pair_forgets_a_stored_token_so_the_kiosk_asks_to_pair(store, controller) -> None:
    assert take_identity(arguments("--pair", "--name", "Hall A"), store) is None
    link = KioskLink(controller, store, URL, pair_info={"name": "Hall A"})
    assert link.credentials() == {"pair": True, "name": "Hall A"}


def test_without_pair_the_stored_token_is_used(store, controller) -> None:
    assert take_identity(arguments(), store) is None
    assert KioskLink(controller, store, URL).credentials() == {
        "kiosk_id": "k-old", "token": "kt_old", "last_seq": 17}


def test_pair_and_a_kiosk_id_together_are_refused(store) -> None:
    problem = take_identity(arguments("--pair", "--kiosk-id", "k-1", "--token", "t"), store)
    assert problem == "give --kiosk-id and --token, or --pair, not both"


def test_a_new_token_is_stored_logged_and_numbers_commands_from_one_again(
    store, controller, caplog
) -> None:
    caplog.set_level(logging.INFO, "immersive.kiosk.link")
    link = KioskLink(controller, store, URL)
    link._on_paired({"kiosk_id": "k-new", "token": "kt_new"})
    assert (store.get("kiosk_id"), store.get("token"), store.get("last_seq")) == (
        "k-new", "kt_new", 0)
    # seq 1 runs (and is refused: no scene) instead of being taken for one run long ago
    assert controller.handle_command({"id": "c-1", "seq": 1, "action": "play"})["ok"] is False
    assert "paired: kiosk k-new received its token" in caplog.text


class FakeClient:
    """Stands in for ``socketio.Client``: a server that refuses, fails or accepts."""

    behaviour: Callable[[FakeClient], None]

    def __init__(self, **_: Any) -> None:
        self.handlers: dict[str, Callable[..., Any]] = {}
        self.connected = False
        self.auths: list[dict[str, Any]] = []

    def on(self, event: str, handler: Callable[..., Any], namespace: str | None = None) -> None:
        self.handlers[event] = handler

    def connect(self, url: str, auth: dict[str, Any], **_: Any) -> None:
        self.auths.append(auth)
        type(self).behaviour(self)

    def call(self, event: str, data: Any, **_: Any) -> Any:
        return {"ok": True}

    def disconnect(self) -> None:
        self.connected = False


def refuse(client: FakeClient) -> None:
    client.handlers["connect_error"]({"message": "unauthorized"})
    raise socketio.exceptions.ConnectionError("One or more namespaces failed to connect: /kiosk")


def unreachable(client: FakeClient) -> None:
    client.handlers["connect_error"]("Connection refused by the server")
    raise socketio.exceptions.ConnectionError("Connection refused by the server")


def accept(client: FakeClient) -> None:
    client.connected = True


def run_link(controller: KioskController, store: StateStore, behaviour: Callable[[FakeClient], None],
             monkeypatch: pytest.MonkeyPatch, until: Callable[[], bool]) -> KioskLink:
    monkeypatch.setattr(FakeClient, "behaviour", staticmethod(behaviour), raising=False)
    monkeypatch.setattr(link_module.socketio, "Client", FakeClient)
    link = KioskLink(controller, store, URL, heartbeat_s=0.05, backoff_s=(0.01, 0.02))
    link.start()
    try:
        end = time.monotonic() + 5
        while not until() and time.monotonic() < end:
            time.sleep(0.01)
    finally:
        link.stop()
    return link


def test_a_refused_token_is_logged_as_a_warning_with_the_servers_reason_and_what_to_do(
    store, controller, caplog, monkeypatch
) -> None:
    caplog.set_level(logging.INFO, "immersive.kiosk.link")
    warned = lambda: any(r.levelno == logging.WARNING for r in caplog.records)  # noqa: E731
    run_link(controller, store, refuse, monkeypatch, until=warned)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings and warnings[0].startswith(
        "server refused kiosk k-old: unauthorized (its token is revoked or unknown there): "
        "pair again with --pair; retrying in")
    assert "not reachable" not in caplog.text
    assert controller.refused == "unauthorized"  # the screen shows it beside "offline"


def test_an_unreachable_server_is_not_reported_as_a_refusal(
    store, controller, caplog, monkeypatch
) -> None:
    caplog.set_level(logging.INFO, "immersive.kiosk.link")
    run_link(controller, store, unreachable, monkeypatch,
             until=lambda: "server not reachable" in caplog.text)
    assert "server not reachable" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert controller.refused is None


def test_connecting_with_a_token_logs_online(store, controller, caplog, monkeypatch) -> None:
    caplog.set_level(logging.INFO, "immersive.kiosk.link")
    run_link(controller, store, accept, monkeypatch, until=lambda: "online" in caplog.text)
    assert f"online: connected to {URL} as kiosk k-old" in caplog.text


def test_a_session_event_refused_for_the_rate_limit_is_kept_and_one_refused_for_good_dropped(
        store, controller) -> None:
    link = KioskLink(controller, store, URL)
    controller.outbox.add({"event_id": "e-limited", "event": "started"})
    answers = {"e-limited": {"ok": False, "error": "rate limited", "code": "rate_limited"}}

    class Answering(FakeClient):
        def call(self, event: str, data: Any, **_: Any) -> Any:
            return answers[data["event_id"]]

    link._flush(Answering())  # type: ignore[arg-type]
    assert [e["event_id"] for e in controller.outbox.pending()] == ["e-limited"]
    answers["e-limited"] = {"ok": False, "error": "too old", "code": "event_time_out_of_window"}
    link._flush(Answering())  # type: ignore[arg-type]
    assert controller.outbox.pending() == []
