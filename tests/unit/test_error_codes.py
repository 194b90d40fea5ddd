"""Every error code the server can answer is listed, once, in docs/protocol.md."""

from __future__ import annotations

import re
from pathlib import Path

from server import errors
from server.api import envelope

ROOT = Path(__file__).resolve().parents[2]


def _listed_codes() -> list[str]:
    text = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
    section = text.split("## Error codes", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.MULTILINE)


def _defined_codes() -> set[str]:
    """Codes of the error classes and of the HTTP table, and every ``code = "..."`` in server/."""
    found = {cls.code for cls in vars(errors).values()
             if isinstance(cls, type) and issubclass(cls, errors.LanternError)
             and cls is not errors.LanternError}
    found |= set(envelope.HTTP_CODES.values())
    for path in (ROOT / "server").rglob("*.py"):
        found |= set(re.findall(r'^\s+code = "([a-z_]+)"', path.read_text(encoding="utf-8"),
                                flags=re.MULTILINE))
    found.discard(errors.LanternError.code)  # the base class is never raised itself
    return found | {"invalid_geometry"}  # answered for geo's errors by the envelope's handler


def test_every_error_code_of_the_server_is_listed_in_the_protocol() -> None:
    missing = _defined_codes() - set(_listed_codes())
    assert not missing, f"docs/protocol.md lists no line for {sorted(missing)}"


def test_the_protocol_lists_each_error_code_once_and_only_real_ones() -> None:
    listed = _listed_codes()
    assert len(listed) == len(set(listed))
    assert set(listed) <= _defined_codes()


def test_the_socket_refusal_shape_carries_the_rest_code() -> None:
    from server.realtime.packets import error_ack

    assert error_ack(errors.UnknownExperience("no experience 'x'")) == {
        "ok": False, "error": "no experience 'x'", "code": "unknown_experience"}
