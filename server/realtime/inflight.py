"""What each kiosk connection has been sent and not yet acknowledged (the in-flight bounds)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from typing import Any


class InFlight:
    """Per connection (sid): the commands sent on it, and of those the unacknowledged ones with
    their size. A connection delivers a command or drops, so a command is sent once per
    connection; while a connection holds ``max_commands`` or ``max_bytes`` unacknowledged, it
    gets no more (one command alone always fits, so a large one cannot block the queue)."""

    def __init__(self, max_commands: int, max_bytes: int) -> None:
        self.max_commands, self.max_bytes = max_commands, max_bytes
        self.lock = threading.Lock()  # acks arrive on the connections' own greenlets
        self.sent: dict[str, set[str]] = {}
        self.unacked: dict[str, dict[str, int]] = {}

    def was_sent(self, sid: str, command_id: str) -> bool:
        return command_id in self.sent.get(sid, ())

    def claim(self, sid: str, command: dict[str, Any]) -> bool:
        """Record ``command`` as sent on ``sid`` if the connection has room; False if not."""
        size = len(json.dumps(command))  # about what goes on the wire
        with self.lock:
            unacked = self.unacked.setdefault(sid, {})
            if unacked and (len(unacked) >= self.max_commands
                            or sum(unacked.values()) + size > self.max_bytes):
                return False
            unacked[command["id"]] = size
            self.sent.setdefault(sid, set()).add(command["id"])
        return True

    def acked(self, sid: str, command_id: str) -> None:
        """The kiosk acknowledged: the command stops counting, but stays among those sent (its
        ack is written to the database a moment later; until then it still reads as pending)."""
        with self.lock:
            self.unacked.get(sid, {}).pop(command_id, None)

    def settle(self, sids: Iterable[str], pending: set[str]) -> None:
        """Keep only the commands still pending: acknowledged, failed and expired ones leave."""
        with self.lock:
            for sid in sids:
                if sid in self.sent:
                    self.sent[sid] &= pending
                unacked = self.unacked.get(sid, {})
                for command_id in [c for c in unacked if c not in pending]:
                    del unacked[command_id]

    def forget(self, sid: str) -> None:
        """The connection closed."""
        with self.lock:
            self.sent.pop(sid, None)
            self.unacked.pop(sid, None)
