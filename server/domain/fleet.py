"""The kiosk fleet's rules: actions, targets, pairing codes, command retry and expiry."""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

ACTIONS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "load_scene": {"experience_id": str},
    "play": {},
    "pause": {},
    "start_session": {"duration_s": int},
    "extend_session": {"seconds": int},
    "end_session": {},
    "announce": {"text": (str, dict)},
    "set_language": {"lang": str},
}
LANGUAGES = ("en", "zh")
MAX_TEXT_CHARS = 500  # an announcement's text, per language
MAX_ARGS_BYTES = 4096  # a command's args as UTF-8 JSON: a command is stored once per kiosk
MAX_SEQ = 2**62  # sequence numbers stay well inside a signed 64-bit column


class CommandRejected(ValueError):
    """A command's action or arguments are not part of the contract."""


def check_command(action: str, args: Mapping[str, Any]) -> None:
    """Raise CommandRejected unless ``action`` and its required ``args`` are valid."""
    if action not in ACTIONS:
        raise CommandRejected(f"unknown action {action!r}; one of {', '.join(ACTIONS)}")
    for name, kind in ACTIONS[action].items():
        if name not in args:
            raise CommandRejected(f"{action} needs args.{name}")
        value = args[name]
        if isinstance(value, bool) or not isinstance(value, kind):
            raise CommandRejected(f"{action}: args.{name} has the wrong type")
    if action == "set_language" and args["lang"] not in LANGUAGES:
        raise CommandRejected(f"set_language: lang must be one of {', '.join(LANGUAGES)}")
    for name in ("duration_s", "seconds"):
        if name in ACTIONS[action] and not 0 < args[name] <= 4 * 3600:
            raise CommandRejected(f"{action}: args.{name} must lie in 1..14400")
    if action == "announce":
        _check_announce(args)
    if args_size(args) > MAX_ARGS_BYTES:
        raise CommandRejected(f"{action}: args take more than {MAX_ARGS_BYTES} bytes as JSON")


def _check_announce(args: Mapping[str, Any]) -> None:
    text = args["text"]
    if isinstance(text, dict):
        if not text or set(text) - set(LANGUAGES):
            raise CommandRejected(f"announce: args.text needs one text per language, "
                                  f"languages only {', '.join(LANGUAGES)}")
        texts = list(text.values())
    else:
        texts = [text]
    for value in texts:
        if not isinstance(value, str):
            raise CommandRejected("announce: args.text has the wrong type")
        if len(value) > MAX_TEXT_CHARS:
            raise CommandRejected(f"announce: a text may have at most {MAX_TEXT_CHARS} characters")
    duration = args.get("duration_s")
    if duration is not None and (isinstance(duration, bool) or not isinstance(duration, int)
                                 or not 0 < duration <= 3600):
        raise CommandRejected("announce: args.duration_s must lie in 1..3600")


def args_size(args: Mapping[str, Any]) -> int:
    """Bytes of ``args`` as compact UTF-8 JSON (what is stored and sent)."""
    try:
        return len(json.dumps(args, ensure_ascii=False, separators=(",", ":")).encode())
    except (TypeError, ValueError):  # not JSON at all, or text no encoding can carry
        raise CommandRejected("args must be plain JSON") from None


@dataclass(frozen=True)
class KioskRef:
    id: str
    group: str | None
    status: str


def resolve_targets(kiosks: Iterable[KioskRef], *, kiosk_id: str | None = None,
                    group: str | None = None, exclude: Iterable[str] = ()) -> list[str]:
    """The approved kiosks a command goes to: one kiosk, or a group (``*`` = all) minus exclusions."""
    if (kiosk_id is None) == (group is None):
        raise CommandRejected("name exactly one of kiosk_id or group")
    skip = set(exclude)
    chosen = [k.id for k in kiosks if k.status == "approved"
              and (k.id == kiosk_id if kiosk_id else group in ("*", k.group))
              and k.id not in skip]
    return sorted(chosen)


def pairing_code() -> str:
    """A short code a kiosk shows on its screen, e.g. '481-302'."""
    n = secrets.randbelow(1_000_000)
    return f"{n // 1000:03d}-{n % 1000:03d}"


def pairing_code_matches(given: str, shown: str | None) -> bool:
    """Whether an operator typed the code on the kiosk's screen (the dash and spaces optional)."""
    if shown is None:
        return False
    digits = "".join(ch for ch in given if ch in "0123456789")
    return hmac.compare_digest(digits.encode(), shown.replace("-", "").encode())


def pairing_expired(created_at: datetime, now: datetime, ttl_s: float) -> bool:
    """A pending kiosk may be approved only within ``ttl_s`` of asking to pair."""
    return now - created_at >= timedelta(seconds=ttl_s)


def expired(expires_at: datetime, now: datetime) -> bool:
    return now >= expires_at


def is_offline(last_seen: datetime | None, now: datetime, after_s: float) -> bool:
    return last_seen is None or (now - last_seen).total_seconds() >= after_s
