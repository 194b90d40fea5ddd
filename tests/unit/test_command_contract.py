"""One definition of the kiosk commands: the models that build the OpenAPI document are the
ones every front door validates with."""

from __future__ import annotations

from typing import Any

import pytest

from server.errors import InvalidContent
from server.schemas.fleet import ARGS_OF
from server.services.commands import parse_command


def test_commands_outside_the_contract_are_refused() -> None:
    assert parse_command("set_language", {"lang": "zh"}) == {"lang": "zh"}
    for action, args in [("dance", {}), (None, {}), ("set_language", {"lang": "fr"}),
                         ("load_scene", {}), ("start_session", {"duration_s": True}),
                         ("extend_session", {"seconds": 0}), ("play", {"speed": 2}),
                         ("play", []), ("load_scene", {"experience_id": "x", "note": "n"})]:
        with pytest.raises(InvalidContent):
            parse_command(action, args)


def test_an_unknown_action_is_named_with_the_actions_there_are() -> None:
    with pytest.raises(InvalidContent, match="unknown action 'fly'; one of load_scene, play"):
        parse_command("fly", {})


@pytest.mark.parametrize("action,args", [
    ("start_session", {"duration_s": 14401}), ("extend_session", {"seconds": -1}),
    ("start_session", {"duration_s": 0}), ("announce", {"text": "hi", "duration_s": -5})])
def test_session_and_announcement_bounds_hold(action: str, args: dict[str, Any]) -> None:
    with pytest.raises(InvalidContent) as refused:
        parse_command(action, args)
    assert refused.value.code == "invalid" and f"{action} args." in refused.value.message


def test_the_openapi_document_offers_exactly_the_actions_of_the_contract(app) -> None:  # type: ignore[no-untyped-def]
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    text = str(document)
    for action in ARGS_OF:
        assert f"'{action}'" in text
    schemas = document["components"]["schemas"]
    announce = next(v for k, v in schemas.items() if k.endswith(".AnnounceArgs"))
    assert announce["properties"]["duration_s"]["anyOf"][0]["maximum"] == 3600
    assert announce["additionalProperties"] is False


def test_a_valid_command_comes_back_without_unset_options() -> None:
    assert parse_command("load_scene", {"experience_id": "x"}) == {"experience_id": "x"}
    assert parse_command("pause", {}) == {}
