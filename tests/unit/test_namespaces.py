"""The Socket.IO namespaces in process, through Flask-SocketIO's test client: who may connect to
/kiosk, /control and /ingest, and how each refuses a bad event in its ack (docs/protocol.md).

What needs the network or the hub's background loop (delivery, replay, timers, origin checks,
frame limits) is tested over real sockets in tests/integration."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from socketio import packet
from sqlalchemy import func, select

from server.extensions import socketio
from server.services.venues import import_venues
from server.storage.models import KioskSessionEvent
from tests.conftest import AuthActions, bearer, make_app
from tests.helpers import occupancy, positions, wait_for

LAST_SEQ_RULE = "last_seq must be a whole number from 0 to 2**62 - 1"
YEAR_10000 = "9999-12-31T23:59:59-14:00"  # valid ISO 8601; in UTC, the year 10000
YEAR_0 = "0001-01-01T00:00:00+14:00"  # in UTC, 1 BC


class Socket:
    """A test client connected, or refused, on one namespace, keeping the refusal's message
    (Flask-SocketIO's test client records only that a connect failed)."""

    def __init__(self, app: Flask, namespace: str, auth: Any = None,
                 browser: FlaskClient | None = None, headers: dict[str, str] | None = None) -> None:
        self.namespace = namespace
        self.refusal: str | None = None
        # on "/" first, so that the namespace's connect answer passes through record() below
        self.client = socketio.test_client(app, flask_test_client=browser)
        send = socketio.server._send_packet

        def record(eio_sid: str, pkt: packet.Packet) -> None:
            if eio_sid == self.client.eio_sid and pkt.packet_type == packet.CONNECT_ERROR:
                self.refusal = pkt.data["message"] if isinstance(pkt.data, dict) else str(pkt.data)
            send(eio_sid, pkt)

        socketio.server._send_packet = record
        try:
            self.client.connect(namespace, auth=auth, headers=headers)
        finally:
            socketio.server._send_packet = send

    @property
    def connected(self) -> bool:
        return self.client.is_connected(self.namespace)

    def call(self, event: str, data: Any) -> Any:
        """Emit ``event`` and return its ack."""
        return self.client.emit(event, data, namespace=self.namespace, callback=True)


def register_kiosk(app: Flask, tokens: dict[str, str], group: str | None = None) -> tuple[str, str]:
    response = app.test_client().post("/api/v1/kiosks", headers=bearer(tokens["admin"]), json={
        "site_id": "testsite", "lon": 100.0, "lat": 29.999, "kind": "vr", "group": group})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["kiosk_id"], response.get_json()["token"]


def listed(app: Flask, tokens: dict[str, str]) -> dict[str, dict[str, Any]]:
    body = app.test_client().get("/api/v1/kiosks", headers=bearer(tokens["admin"])).get_json()
    return {k["kiosk_id"]: k for k in body["kiosks"]}


def logged_in(app: Flask, username: str, role: str) -> FlaskClient:
    """A browser with a login session of a new user ``username``."""
    browser = app.test_client()
    auth = AuthActions(browser, app.extensions["lantern"].db)
    auth.create(username, role)
    assert auth.login(username).status_code == 302
    return browser


def session_event(event_id: str, ts: datetime | str | None = None, **fields: Any) -> dict[str, Any]:
    when = ts.isoformat() if isinstance(ts, datetime) else ts or datetime.now(UTC).isoformat()
    return {"event_id": event_id, "event": "started", "session_id": "s-1",
            "experience_id": "t-cave-01-virtual", "ts": when, **fields}


# -- /kiosk -------------------------------------------------------------------------------------
def test_a_kiosk_without_auth_or_with_a_wrong_token_is_refused_and_stays_offline(  # type: ignore[no-untyped-def]
        loaded, tokens) -> None:
    kiosk_id, token = register_kiosk(loaded, tokens)
    for auth in (None, {}, {"token": token}, {"kiosk_id": kiosk_id},
                 {"kiosk_id": kiosk_id, "token": "kt_wrong"}, {"kiosk_id": kiosk_id, "token": 7}):
        kiosk = Socket(loaded, "/kiosk", auth)
        assert not kiosk.connected and kiosk.refusal == "unauthorized", auth
    assert listed(loaded, tokens)[kiosk_id]["online"] is False
    assert Socket(loaded, "/kiosk", {"kiosk_id": kiosk_id, "token": token}).connected
    assert listed(loaded, tokens)[kiosk_id]["online"] is True


def test_a_last_seq_outside_0_to_2_62_is_refused_with_a_clear_message(loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    kiosk_id, token = register_kiosk(loaded, tokens)
    for last_seq in (2**70, 2**62, -1, "7", True, 1.5, None):
        kiosk = Socket(loaded, "/kiosk", {"kiosk_id": kiosk_id, "token": token, "last_seq": last_seq})
        assert not kiosk.connected and kiosk.refusal == LAST_SEQ_RULE, last_seq
    assert Socket(loaded, "/kiosk", {"kiosk_id": kiosk_id, "token": token,
                                     "last_seq": 2**62 - 1}).connected  # the largest allowed


def test_pairing_with_an_unknown_site_is_refused_naming_the_site_and_stores_nothing(  # type: ignore[no-untyped-def]
        loaded, tokens) -> None:
    before = listed(loaded, tokens)
    lost = Socket(loaded, "/kiosk", {"pair": True, "name": "Lost kiosk", "site": "atlantis"})
    assert not lost.connected and lost.refusal == "cannot pair: no site 'atlantis'"
    odd = Socket(loaded, "/kiosk", {"pair": True, "name": "Odd kiosk", "site": 5})
    assert not odd.connected and odd.refusal == "site must be a site id"
    assert listed(loaded, tokens) == before
    assert Socket(loaded, "/kiosk", {"pair": True, "name": "Found kiosk", "site": "testsite"}).connected
    added = [k for k in listed(loaded, tokens).values() if k["kiosk_id"] not in before]
    assert [(k["name"], k["site_id"], k["status"]) for k in added] == [
        ("Found kiosk", "testsite", "pending")]


def test_one_address_may_ask_to_pair_five_times_a_minute_and_others_are_not_held_up(  # type: ignore[no-untyped-def]
        loaded, tokens) -> None:
    before = len(listed(loaded, tokens))
    flooding, other = loaded.test_client(), loaded.test_client()
    flooding.environ_base["REMOTE_ADDR"] = "10.0.0.7"
    other.environ_base["REMOTE_ADDR"] = "10.0.0.8"
    attempts = [Socket(loaded, "/kiosk", {"pair": True, "name": f"flood {i}"}, browser=flooding)
                for i in range(8)]
    assert [a.connected for a in attempts] == [True] * 5 + [False] * 3
    for refused in attempts[5:]:
        assert refused.refusal is not None
        assert refused.refusal.startswith("too many pairing attempts from 10.0.0.7; try again in")
    assert Socket(loaded, "/kiosk", {"pair": True, "name": "elsewhere"}, browser=other).connected
    assert len(listed(loaded, tokens)) == before + 6


def test_a_heartbeat_with_a_bad_field_is_refused_in_its_ack_as_invalid(loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    kiosk_id, token = register_kiosk(loaded, tokens)
    kiosk = Socket(loaded, "/kiosk", {"kiosk_id": kiosk_id, "token": token})
    assert kiosk.call("heartbeat", {"scene": "mogao_cave", "state": "playing", "fps": 31.5}) == {
        "ok": True}
    for beat, field in [({"fps": "fast"}, "fps"), ({"fps": -1}, "fps"), ({"fps": 1001}, "fps"),
                        ({"state": "x" * 17}, "state"), ("playing", "data")]:
        ack = kiosk.call("heartbeat", beat)
        assert set(ack) == {"ok", "error", "code"} and ack["ok"] is False, beat
        assert ack["code"] == "invalid" and isinstance(ack["error"], str), beat
        assert ack["error"].startswith(f"{field}: "), ack
    pairing = Socket(loaded, "/kiosk", {"pair": True, "name": "not yet paired"})
    assert pairing.call("heartbeat", {"fps": 30}) == {
        "ok": False, "error": "not a paired kiosk", "code": "unauthenticated"}


def test_a_session_event_is_stored_once_and_one_outside_the_contract_is_refused(  # type: ignore[no-untyped-def]
        loaded, tokens, db) -> None:
    kiosk_id, token = register_kiosk(loaded, tokens)
    kiosk = Socket(loaded, "/kiosk", {"kiosk_id": kiosk_id, "token": token})
    event = session_event("ev-1")
    assert kiosk.call("session", event) == {"ok": True, "duplicate": False}
    assert kiosk.call("session", event) == {"ok": True, "duplicate": True}
    for bad in ({**event, "event_id": "ev-2", "event": "teleported"},
                {**event, "event_id": "ev-3", "completion": 1.5}, {**event, "ts": "yesterday"}):
        ack = kiosk.call("session", bad)
        assert ack["ok"] is False and ack["code"] == "invalid", ack
    with db.open_session() as session:
        assert session.scalar(select(func.count()).select_from(KioskSessionEvent)) == 1


def test_a_session_event_dated_outside_the_window_is_refused_for_good_and_not_stored(  # type: ignore[no-untyped-def]
        loaded, tokens) -> None:
    kiosk_id, token = register_kiosk(loaded, tokens)
    kiosk = Socket(loaded, "/kiosk", {"kiosk_id": kiosk_id, "token": token})
    now = datetime.now(UTC)
    for when in (now - timedelta(days=9), now + timedelta(hours=1), YEAR_10000):
        event = session_event(f"ev-{when}", when)
        ack = kiosk.call("session", event)
        assert ack["ok"] is False and ack["code"] == "event_time_out_of_window", when
        assert f"session[0] (ev-{when})" in ack["error"] and "was not stored" in ack["error"]
        # the same event, dated now, is new: the refused one left nothing behind
        assert kiosk.call("session", session_event(f"ev-{when}")) == {"ok": True,
                                                                      "duplicate": False}


def app_token(app: Flask, role: str) -> str:
    from server.services.tokens import create_token

    with app.extensions["lantern"].db.transaction() as session:
        return create_token(session, role, f"test {role}")  # type: ignore[no-any-return]


def test_a_connection_over_its_event_rate_is_refused_until_its_bucket_refills(  # type: ignore[no-untyped-def]
        tmp_path: Path, mini_venues: Path) -> None:
    app = make_app(tmp_path, LANTERN_SOCKET_RATE=10)  # 10 events a second, bursts of 20
    db = app.extensions["lantern"].db
    try:
        with db.transaction() as session:
            import_venues(session, mini_venues)
        tokens = {role: app_token(app, role) for role in ("admin", "ingest")}
        kiosk_id, token = register_kiosk(app, tokens)
        kiosk = Socket(app, "/kiosk", {"kiosk_id": kiosk_id, "token": token})
        answers = [kiosk.call("session", session_event(f"ev-{i}")) for i in range(30)]
        accepted = [a for a in answers if a["ok"]]
        assert answers[:20] == [{"ok": True, "duplicate": False}] * 20
        assert {"ok": False, "error": "rate limited", "code": "rate_limited"} in answers
        with db.open_session() as session:  # a refused event is not processed
            stored = session.scalar(select(func.count()).select_from(KioskSessionEvent))
        assert stored == len(accepted) < 30
        other_id, other_token = register_kiosk(app, tokens)
        other = Socket(app, "/kiosk", {"kiosk_id": other_id, "token": other_token})
        assert other.call("heartbeat", {"fps": 30}) == {"ok": True}, "each connection has its own"
        # a token back every tenth of a second: the limited connection is heard again soon
        wait_for(lambda: kiosk.call("heartbeat", {"fps": 30}) == {"ok": True}, interval=0.02)
        gateway = Socket(app, "/ingest", {"token": tokens["ingest"]})
        acks = [gateway.call("readings", {"site_id": "testsite", "readings": []})
                for _ in range(25)]
        assert {"ok": False, "error": "too many batches", "code": "rate_limited"} in acks
    finally:
        db.dispose()


# -- /control -----------------------------------------------------------------------------------
def test_control_refuses_a_connection_without_a_login_session(loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    for headers in (None, bearer(tokens["admin"])):  # an API token is not a login session
        anonymous = Socket(loaded, "/control", headers=headers)
        assert not anonymous.connected and anonymous.refusal == "log in first", headers
    assert Socket(loaded, "/control", browser=logged_in(loaded, "olga", "operator")).connected


def test_a_viewer_may_watch_over_control_but_not_command(loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    kiosk_id, _ = register_kiosk(loaded, tokens)
    viewer = Socket(loaded, "/control", browser=logged_in(loaded, "vera", "viewer"))
    assert viewer.connected
    assert viewer.call("command", {"kiosk_id": kiosk_id, "action": "play"}) == {
        "ok": False, "error": "your role may not command kiosks", "code": "forbidden"}
    rest = loaded.test_client().post(f"/api/v1/kiosks/{kiosk_id}/commands", json={"action": "play"},
                                     headers=bearer(tokens["viewer"]))
    assert rest.status_code == 403 and rest.get_json()["error"]["code"] == "forbidden"
    assert listed_commands(loaded, tokens, kiosk_id) == []


BAD_COMMANDS: list[dict[str, Any]] = [
    {"action": "announce", "args": {"text": "hi", "duration_s": -5}},
    {"action": "announce", "args": {"text": {"fr": "Bonjour"}}},
    {"action": "announce", "args": {"text": "x" * 501}},
    {"action": "set_language", "args": {"lang": "fr"}},
    {"action": "start_session", "args": {"duration_s": True}},
    {"action": "extend_session", "args": {"seconds": 14401}},
    {"action": "play", "args": {"speed": 2}},
    {"action": "fly", "args": {}},
    {"action": "pause", "args": []},
    {"action": "load_scene", "args": {}},
    {"action": "load_scene", "args": {"experience_id": "atlantis", "scene": "mogao_cave"}},
]


def listed_commands(app: Flask, tokens: dict[str, str], kiosk_id: str) -> list[dict[str, Any]]:
    response = app.test_client().get(f"/api/v1/kiosks/{kiosk_id}/commands",
                                     headers=bearer(tokens["admin"]))
    return response.get_json()["commands"]  # type: ignore[no-any-return]


def test_a_bad_command_gets_the_same_refusal_over_rest_and_over_control(loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    kiosk_id, _ = register_kiosk(loaded, tokens, group="same")
    operator = Socket(loaded, "/control", browser=logged_in(loaded, "olga", "operator"))
    client = loaded.test_client()
    for command in BAD_COMMANDS:
        rest = client.post(f"/api/v1/kiosks/{kiosk_id}/commands", json=command,
                           headers=bearer(tokens["operator"]))
        group = client.post("/api/v1/commands", json={"group": "same", **command},
                            headers=bearer(tokens["operator"]))
        over_socket = operator.call("command", {"kiosk_id": kiosk_id, **command})
        assert over_socket["ok"] is False and set(over_socket) == {"ok", "error", "code"}, command
        for answer in (rest, group):
            assert answer.status_code == 422, (command, answer.get_json())
            assert answer.get_json()["error"]["code"] == over_socket["code"], command
            assert answer.get_json()["error"]["message"] == over_socket["error"], command
    assert operator.call("command", BAD_COMMANDS[0] | {"kiosk_id": kiosk_id}) == {
        "ok": False, "code": "invalid",
        "error": "invalid command: announce args.duration_s: Input should be greater than 0"}
    assert operator.call("command", BAD_COMMANDS[-1] | {"kiosk_id": kiosk_id}) == {
        "ok": False, "error": "no experience 'atlantis'", "code": "unknown_experience"}
    nowhere = client.post("/api/v1/kiosks/k-nope/commands", json={"action": "play"},
                          headers=bearer(tokens["operator"]))
    assert nowhere.status_code == 404
    assert operator.call("command", {"kiosk_id": "k-nope", "action": "play"}) == {
        "ok": False, "code": "not_found", "error": nowhere.get_json()["error"]["message"]}
    assert listed_commands(loaded, tokens, kiosk_id) == [], "a refused command is stored nowhere"


def test_load_scene_with_only_an_experience_carries_that_experiences_scene_on_every_path(  # type: ignore[no-untyped-def]
        loaded, tokens) -> None:
    kiosk_id, _ = register_kiosk(loaded, tokens, group="scenes")
    load = {"action": "load_scene", "args": {"experience_id": "t-intro"}}
    client = loaded.test_client()
    operator = Socket(loaded, "/control", browser=logged_in(loaded, "olga", "operator"))
    sent = [client.post(f"/api/v1/kiosks/{kiosk_id}/commands", json=load,
                        headers=bearer(tokens["operator"])).get_json(),
            client.post("/api/v1/commands", json={"group": "scenes", **load},
                        headers=bearer(tokens["operator"])).get_json(),
            operator.call("command", {"kiosk_id": kiosk_id, **load})]
    for answer in sent:
        assert [c["args"] for c in answer["commands"]] == [
            {"experience_id": "t-intro", "scene": "mogao_cave"}], answer
    stored = listed_commands(loaded, tokens, kiosk_id)
    assert [c["args"]["scene"] for c in stored] == ["mogao_cave"] * 3


# -- /ingest ------------------------------------------------------------------------------------
def test_ingest_refuses_a_token_whose_role_may_not_ingest_and_a_wrong_token(loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    for role in ("viewer", "planner"):
        refused = Socket(loaded, "/ingest", {"token": tokens[role]})
        assert not refused.connected and refused.refusal == "this token's role may not ingest"
    for auth in (None, {"token": "lt_wrong"}, {"token": 5}, {"token": "x" * 201}):
        refused = Socket(loaded, "/ingest", auth)
        assert not refused.connected and refused.refusal == "unauthorized", auth
    for role in ("ingest", "operator", "admin"):
        assert Socket(loaded, "/ingest", {"token": tokens[role]}).connected, role


def test_a_bad_batch_is_refused_in_its_ack_and_nothing_of_it_is_stored(loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    gateway = Socket(loaded, "/ingest", {"token": tokens["ingest"]})
    late, ancient = positions(2), positions(1)
    late[1]["ts"] = (datetime.now(UTC) - timedelta(days=9)).isoformat()
    ancient[0]["ts"] = YEAR_0
    reading = {"event_id": "r-1", "sensor_id": "t-s-01", "ts": YEAR_10000, "co2_ppm": 900.0}
    for event, data, code in [
            ("positions", {"positions": positions(1)}, "bad_request"),
            ("positions", "positions", "bad_request"),
            ("positions", {"site_id": "atlantis", "positions": positions(1)}, "not_found"),
            ("positions", {"site_id": "testsite", "positions": [{"event_id": "x"}]}, "invalid"),
            ("positions", {"site_id": "testsite", "positions": late}, "event_time_out_of_window"),
            ("positions", {"site_id": "testsite", "positions": ancient}, "event_time_out_of_window"),
            ("readings", {"site_id": "testsite", "readings": [reading]}, "event_time_out_of_window")]:
        ack = gateway.call(event, data)
        assert ack["ok"] is False and ack["code"] == code, ack
        assert set(ack) == {"ok", "error", "code"} and isinstance(ack["error"], str)
    assert sum(z["count"] for z in occupancy(loaded, tokens).values()) == 0
    ack = gateway.call("positions", {"site_id": "testsite", "positions": positions(3)})
    assert ack["ok"] is True and (ack["accepted"], ack["duplicates"]) == (3, 0)
