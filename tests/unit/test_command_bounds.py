"""Commands are bounded: announcement text per language, languages, and args as JSON."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.errors import InvalidContent
from server.services.commands import parse_command
from server.services.kiosks import create_kiosk
from server.storage.models import AuditLog, KioskCommand
from tests.conftest import bearer


def test_an_announcement_may_have_500_characters_in_each_of_english_and_chinese() -> None:
    parse_command("announce", {"text": {"en": "a" * 500, "zh": "窟" * 500}, "duration_s": 10})
    parse_command("announce", {"text": "b" * 500})
    with pytest.raises(InvalidContent, match="500 characters"):
        parse_command("announce", {"text": {"en": "a" * 501}})
    with pytest.raises(InvalidContent, match="500 characters"):
        parse_command("announce", {"text": "b" * 501})


@pytest.mark.parametrize("text", [{"fr": "Bonjour"}, {}, {"en": "hi", "de": "hallo"}, {"en": 5}])
def test_an_announcement_speaks_only_english_and_chinese(text) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidContent, match="announce args.text"):
        parse_command("announce", {"text": text})


@pytest.mark.parametrize("duration", [0, -5, 3601, True, "10"])
def test_an_announcement_lasts_one_second_to_an_hour(duration) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidContent, match="duration_s"):
        parse_command("announce", {"text": "hi", "duration_s": duration})


def test_a_commands_args_take_at_most_4_kib_as_json() -> None:
    # a control character takes six bytes as JSON: 500 of them in each language pass the
    # per-text bound but not the size bound
    with pytest.raises(InvalidContent, match="4096 bytes"):
        parse_command("announce", {"text": {"en": "\x01" * 500, "zh": "\x01" * 500}})
    parse_command("announce", {"text": {"en": "\x01" * 300, "zh": "\x01" * 300}})
    with pytest.raises(InvalidContent, match="4096 bytes"):
        parse_command("play", {"padding": ["窟" * 100] * 20})  # counted in UTF-8 bytes


def test_args_that_are_not_plain_json_are_refused() -> None:
    with pytest.raises(InvalidContent, match="plain JSON"):
        parse_command("play", {"blob": b"\x00\x01"})
    with pytest.raises(InvalidContent, match="plain JSON"):
        parse_command("announce", {"text": "\ud800"})  # a lone surrogate no store can keep


def test_an_oversized_announcement_over_rest_is_refused_and_stores_nothing(loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    db = loaded.extensions["lantern"].db
    with db.transaction() as session:
        kiosk_id, _ = create_kiosk(session, "testsite", 100.0, 30.0)
    client = loaded.test_client()
    for text in ({"en": "x" * 1_000_000}, "x" * 501, {"fr": "Bonjour"}):
        response = client.post(f"/api/v1/kiosks/{kiosk_id}/commands", headers=bearer(tokens["operator"]),
                                json={"action": "announce", "args": {"text": text}})
        assert response.status_code == 422, response.get_json()
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(KioskCommand)) == 0
        assert session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "command")) == 0
