"""What the kiosk controller keeps: a running session, a banner, and the command error."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from immersive.errors import ImmersiveError


class CommandError(ImmersiveError):
    """A command cannot be executed; its message goes back in the ack."""


@dataclass
class Session:
    session_id: str
    experience_id: str | None
    started: float
    duration_s: float
    played_s: float = 0.0
    hotspots_seen: set[str] = field(default_factory=set)


@dataclass
class Banner:
    text: dict[str, str]
    until: float


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def positive_number(value: Any, name: str) -> float:
    """``value`` as a float if it is a positive JSON number, else a :class:`CommandError`.

    Examples
    --------
    >>> positive_number(2, "seconds")
    2.0
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise CommandError(f"{name} should be a positive number, got {value!r}")
    return float(value)
