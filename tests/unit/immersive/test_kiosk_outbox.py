from __future__ import annotations

import pytest

from immersive.kiosk.outbox import Outbox
from immersive.kiosk.store import StateStore


def test_outbox_keeps_events_in_order_across_a_restart(tmp_path):
    box = Outbox(tmp_path / "o.sqlite3")
    for k in range(3):
        box.add({"event_id": f"e{k}", "event": "hotspot", "n": k})
    box.close()
    again = Outbox(tmp_path / "o.sqlite3")
    assert [e["n"] for e in again.pending()] == [0, 1, 2]


def test_outbox_stores_an_event_id_once(tmp_path):
    box = Outbox(tmp_path / "o.sqlite3")
    box.add({"event_id": "e1", "event": "started"})
    box.add({"event_id": "e1", "event": "started"})
    assert len(box) == 1


def test_outbox_drops_acknowledged_events_for_good(tmp_path):
    box = Outbox(tmp_path / "o.sqlite3")
    box.add({"event_id": "e1"})
    box.add({"event_id": "e2"})
    box.ack("e1")
    box.close()
    assert [e["event_id"] for e in Outbox(tmp_path / "o.sqlite3").pending()] == ["e2"]


def test_outbox_refuses_an_event_without_an_id(tmp_path):
    with pytest.raises(ValueError, match="event_id"):
        Outbox(tmp_path / "o.sqlite3").add({"event": "started"})


def test_state_store_survives_a_restart_and_a_corrupt_file_starts_empty(tmp_path):
    StateStore(tmp_path).update(kiosk_id="k-1", token="t")
    assert StateStore(tmp_path).get("kiosk_id") == "k-1"
    (tmp_path / "state.json").write_text("{not json")
    assert StateStore(tmp_path).get("kiosk_id") is None
