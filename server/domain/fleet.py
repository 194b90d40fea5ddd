"""The kiosk fleet's rules: targets, pairing codes, command expiry, presence.

A command's actions and arguments are defined once, in ``server.schemas.fleet``."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_SEQ = 2**62  # sequence numbers stay well inside a signed 64-bit column
KIOSK_KINDS = ("exhibition", "vr")  # the first is the default
# a command's life: queued, emitted on the kiosk's connection, then answered or out of time;
# REST, /control's command_status and the queue itself use these names
COMMAND_STATUSES = ("pending", "sent", "acked", "failed", "expired")
OPEN_STATUSES = ("pending", "sent")  # not yet answered: delivered (again) on a new connection
MAX_SCREENSHOT_BYTES = 512 * 1024  # a kiosk's uploaded frame; well past a 1280x720 JPEG
SCREENSHOT_TYPES = ("image/png", "image/jpeg")


class CommandRejected(ValueError):
    """A command cannot be addressed as given."""


@dataclass(frozen=True)
class KioskRef:
    id: str
    group: str | None
    status: str


def resolve_targets(kiosks: Iterable[KioskRef], *, kiosk_id: str | None = None,
                    group: str | None = None, exclude: Iterable[str] = ()) -> list[str]:
    """The approved kiosks a command goes to: one kiosk, or a group (``*`` = all) minus exclusions.

    >>> fleet = [KioskRef("k1", "hall", "approved"), KioskRef("k2", "hall", "approved"),
    ...          KioskRef("k3", "cave", "approved"), KioskRef("k4", "hall", "pending")]
    >>> resolve_targets(fleet, group="hall"), resolve_targets(fleet, group="*", exclude=["k2"])
    (['k1', 'k2'], ['k1', 'k3'])
    >>> resolve_targets(fleet, kiosk_id="k4")  # not approved (yet): no target
    []
    >>> resolve_targets(fleet, kiosk_id="k1", group="hall")
    Traceback (most recent call last):
    ...
    server.domain.fleet.CommandRejected: name exactly one of kiosk_id or group
    """
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
    """Whether an operator typed the code on the kiosk's screen (the dash and spaces optional).

    >>> pairing_code_matches("481 302", "481-302"), pairing_code_matches("481302", "481-302")
    (True, True)
    >>> pairing_code_matches("481-303", "481-302"), pairing_code_matches("481-302", None)
    (False, False)
    """
    if shown is None:
        return False
    digits = "".join(ch for ch in given if ch in "0123456789")
    return hmac.compare_digest(digits.encode(), shown.replace("-", "").encode())


def pairing_expired(created_at: datetime, now: datetime, ttl_s: float) -> bool:
    """A pending kiosk may be approved only within ``ttl_s`` of asking to pair."""
    return now - created_at >= timedelta(seconds=ttl_s)


def status_rank(status: str) -> int:
    """Statuses only move forward; a client that hears two keeps the later one.

    >>> sorted(["acked", "pending", "sent"], key=status_rank)
    ['pending', 'sent', 'acked']
    """
    return min(COMMAND_STATUSES.index(status), 2)


def expired(expires_at: datetime, now: datetime) -> bool:
    return now >= expires_at


def is_offline(last_seen: datetime | None, now: datetime, after_s: float) -> bool:
    return last_seen is None or (now - last_seen).total_seconds() >= after_s
