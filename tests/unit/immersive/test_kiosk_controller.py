from __future__ import annotations

from pathlib import Path

import pytest

from immersive.catalog import SceneCatalog
from immersive.kiosk.controller import KioskController
from immersive.kiosk.outbox import Outbox
from immersive.kiosk.store import StateStore
from immersive.tour import tour_length


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float, ctl: KioskController, step: float = 0.5) -> None:
        end = self.now + seconds
        while self.now < end:
            self.now = min(end, self.now + step)
            ctl.tick()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make(tmp_path: Path, clock: Clock):
    def make_controller() -> KioskController:
        return KioskController(
            SceneCatalog(), Outbox(tmp_path / "outbox.sqlite3"), StateStore(tmp_path),
            clock=clock, timestamp=lambda: "2026-11-23T10:00:00Z",
        )
    return make_controller


class Sender:
    """Numbers commands the way the server does."""

    def __init__(self, ctl: KioskController) -> None:
        self.ctl, self.seq = ctl, 0

    def __call__(self, action: str, **args) -> dict:
        self.seq += 1
        return self.ctl.handle_command(
            {"id": f"c-{self.seq}", "seq": self.seq, "action": action, "args": args}
        )


def events(ctl: KioskController) -> list[dict]:
    return ctl.outbox.pending(1000)


def test_a_new_kiosk_is_idle_without_a_scene(make):
    ctl = make()
    assert ctl.state == "idle"
    assert ctl.heartbeat(29.96) == {"scene": None, "state": "idle", "fps": 30.0,
                                    "session_id": None, "experience_id": None}


def test_load_scene_shows_the_first_waypoint_and_runs_the_attract_loop(make, clock):
    ctl = make()
    send = Sender(ctl)
    assert send("load_scene", scene="mogao_cave", experience_id="x-mogao") == {"ok": True}
    assert ctl.state == "attract"
    first = ctl.spec.camera.tour[0]
    assert ctl.camera_pose()[0] == pytest.approx(first.pos)
    clock.advance(3, ctl)
    assert ctl.camera_pose()[0] != pytest.approx(first.pos)
    assert ctl.heartbeat(30)["experience_id"] == "x-mogao"


def test_load_scene_of_an_unknown_scene_is_refused_and_keeps_the_current_one(make):
    ctl = make()
    send = Sender(ctl)
    send("load_scene", scene="mogao_cave")
    ack = send("load_scene", scene="no_such_cave")
    assert ack["ok"] is False and "no_such_cave" in ack["error"]
    assert ctl.scene_id == "mogao_cave"


def test_play_and_pause_start_and_stop_the_tour_clock(make, clock):
    ctl = make()
    send = Sender(ctl)
    send("load_scene", scene="longmen_niche")
    assert send("pause") == {"ok": True}
    assert ctl.state == "paused"
    before = ctl.tour_time
    clock.advance(2, ctl)
    assert ctl.tour_time == before
    assert send("play") == {"ok": True}
    clock.advance(2, ctl)
    assert ctl.tour_time == pytest.approx(before + 2)


def test_play_without_a_scene_is_refused(make):
    ack = Sender(make())("play")
    assert ack == {"ok": False, "error": "no scene loaded"}


def test_start_session_plays_from_the_start_and_records_a_started_event(make, clock):
    ctl = make()
    send = Sender(ctl)
    send("load_scene", scene="mogao_cave", experience_id="x-mogao")
    clock.advance(5, ctl)
    assert send("start_session", session_id="s-1", duration_s=60) == {"ok": True}
    assert ctl.state == "playing" and ctl.tour_time == 0
    (started,) = events(ctl)
    assert started["event"] == "started" and started["session_id"] == "s-1"
    assert started["experience_id"] == "x-mogao" and started["ts"] == "2026-11-23T10:00:00Z"
    assert ctl.heartbeat(30)["session_id"] == "s-1"


def test_the_session_timer_ends_the_session_and_returns_to_the_attract_loop(make, clock):
    ctl = make()
    send = Sender(ctl)
    send("load_scene", scene="mogao_cave")
    send("start_session", session_id="s-1", duration_s=10)
    clock.advance(9.5, ctl)
    assert ctl.session is not None and ctl.session_left_s() == pytest.approx(0.5)
    clock.advance(1.0, ctl)
    assert ctl.session is None and ctl.state == "attract"
    ended = events(ctl)[-1]
    assert ended["event"] == "ended" and ended["reason"] == "timer"
    assert ended["completion"] == pytest.approx(10 / tour_length(ctl.spec.camera.tour), abs=0.02)


def test_extend_session_moves_the_end_later(make, clock):
    ctl = make()
    send = Sender(ctl)
    send("load_scene", scene="mogao_cave")
    send("start_session", session_id="s-1", duration_s=10)
    assert send("extend_session", seconds=20) == {"ok": True}
    clock.advance(25, ctl)
    assert ctl.session is not None
    clock.advance(6, ctl)
    assert ctl.session is None


def test_extend_session_without_a_session_is_refused(make):
    ctl = make()
    send = Sender(ctl)
    send("load_scene", scene="mogao_cave")
    assert send("extend_session", seconds=20) == {"ok": False, "error": "no session is running"}


def test_end_session_ends_now_with_reason_command(make, clock):
    ctl = make()
    send = Sender(ctl)
    send("load_scene", scene="terracotta_pit")
    send("start_session", session_id="s-9", duration_s=600)
    clock.advance(3, ctl)
    assert send("end_session") == {"ok": True}
    assert ctl.session is None and ctl.state == "attract"
    assert [e["event"] for e in events(ctl)] == ["started", "ended"]
    assert events(ctl)[-1]["reason"] == "command"


def test_hotspots_show_narration_and_are_reported_once_per_session(make, clock):
    ctl = make()
    send = Sender(ctl)
    send("load_scene", scene="mogao_cave")
    send("start_session", session_id="s-1", duration_s=600)
    length = tour_length(ctl.spec.camera.tour)
    seen_narration = set()
    for _ in range(int(2 * length / 0.5)):  # two full passes of the tour
        clock.advance(0.5, ctl)
        if ctl.narration():
            seen_narration.add(ctl.narration()["id"])
    hotspot_events = [e["hotspot_id"] for e in events(ctl) if e["event"] == "hotspot"]
    assert sorted(hotspot_events) == sorted(h.id for h in ctl.spec.hotspots)
    assert seen_narration == set(hotspot_events)


def test_hotspots_in_the_attract_loop_show_narration_but_record_nothing(make, clock):
    ctl = make()
    send = Sender(ctl)
    send("load_scene", scene="mogao_cave")
    clock.advance(tour_length(ctl.spec.camera.tour), ctl)
    assert events(ctl) == []


def test_set_language_switches_the_narration(make, clock):
    ctl = make()
    send = Sender(ctl)
    send("load_scene", scene="mogao_cave")
    while ctl.narration() is None:
        clock.advance(0.5, ctl)
    english = ctl.narration()["title"]
    assert send("set_language", lang="zh") == {"ok": True}
    assert ctl.narration()["title"] != english
    assert send("set_language", lang="fr")["ok"] is False


def test_announce_shows_a_banner_for_its_duration(make, clock):
    ctl = make()
    send = Sender(ctl)
    assert send("announce", text={"en": "Closing soon", "zh": "即将闭馆"}, duration_s=10) == {
        "ok": True}
    assert ctl.banner_text() == "Closing soon"
    send("set_language", lang="zh")
    assert ctl.banner_text() == "即将闭馆"
    clock.now += 11
    assert ctl.banner_text() is None
    assert send("announce", text={}, duration_s=10)["ok"] is False


def test_an_unknown_action_is_refused_in_the_ack(make):
    ack = Sender(make())("dance")
    assert ack == {"ok": False, "error": "unknown action 'dance'"}


def test_a_command_without_a_valid_seq_is_refused(make):
    ctl = make()
    assert ctl.handle_command({"id": "c", "action": "play"})["ok"] is False
    assert ctl.handle_command({"id": "c", "seq": "7", "action": "play"})["ok"] is False
    assert ctl.handle_command("play")["ok"] is False


def test_a_repeated_seq_is_acknowledged_again_without_running_twice(make):
    ctl = make()
    send = Sender(ctl)
    send("load_scene", scene="mogao_cave")
    start = {"id": "c-2", "seq": 2, "action": "start_session",
             "args": {"session_id": "s-1", "duration_s": 60}}
    assert ctl.handle_command(start) == {"ok": True}
    assert ctl.handle_command(start) == {"ok": True}
    assert [e["event"] for e in events(ctl)] == ["started"]
    bad = {"id": "c-3", "seq": 3, "action": "set_language", "args": {"lang": "xx"}}
    first = ctl.handle_command(bad)
    assert ctl.handle_command(bad) == first and first["ok"] is False
    assert ctl.last_seq == 3


def test_last_seq_survives_a_restart_and_old_seqs_are_not_run_again(make):
    ctl = make()
    send = Sender(ctl)
    send("load_scene", scene="mogao_cave")
    send("set_language", lang="zh")
    restarted = make()
    assert restarted.last_seq == 2
    assert restarted.scene_id == "mogao_cave" and restarted.language == "zh"
    again = {"id": "c-2", "seq": 2, "action": "set_language", "args": {"lang": "en"}}
    assert restarted.handle_command(again) == {"ok": True}
    assert restarted.language == "zh"


def test_a_restarted_kiosk_shows_its_scene_in_the_attract_loop_not_paused(make):
    ctl = make()
    send = Sender(ctl)
    send("load_scene", scene="mogao_cave")
    assert ctl.state == "attract"
    assert make().state == "attract"


def test_session_events_survive_a_restart_in_the_outbox(make, clock):
    ctl = make()
    send = Sender(ctl)
    send("load_scene", scene="mogao_cave")
    send("start_session", session_id="s-1", duration_s=60)
    ctl.outbox.close()
    restarted = make()
    kinds = [(e["event"], e.get("reason")) for e in events(restarted)]
    # the session that was running when the program stopped is closed for the record
    assert kinds == [("started", None), ("ended", "restart")]
    assert restarted.session is None


def test_acknowledged_events_leave_the_outbox(make):
    ctl = make()
    send = Sender(ctl)
    send("load_scene", scene="mogao_cave")
    send("start_session", session_id="s-1", duration_s=60)
    send("end_session")
    first, second = events(ctl)
    ctl.outbox.ack(first["event_id"])
    assert events(ctl) == [second]


def test_start_session_replaces_a_running_session(make):
    ctl = make()
    send = Sender(ctl)
    send("load_scene", scene="mogao_cave")
    send("start_session", session_id="s-1", duration_s=60)
    send("start_session", session_id="s-2", duration_s=60)
    got = [(e["event"], e["session_id"]) for e in events(ctl)]
    assert got == [("started", "s-1"), ("ended", "s-1"), ("started", "s-2")]


@pytest.mark.parametrize("args", [{}, {"session_id": ""}, {"session_id": "s", "duration_s": 0},
                                  {"session_id": "s", "duration_s": "ten"}])
def test_start_session_with_bad_args_is_refused(make, args):
    ctl = make()
    send = Sender(ctl)
    send("load_scene", scene="mogao_cave")
    assert send("start_session", **args)["ok"] is False
    assert ctl.session is None
