"""Operators' ``command_status`` feed: command state changes gathered and sent a few times a
second, so that one command to 500 kiosks is a handful of messages, not a thousand."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from server.domain.fleet import status_rank
from server.services.fleet import Change


class CommandStatusFeed:
    """Keeps each command's latest status since the last send; :meth:`send` emits them as one
    ``{"commands": [...]}`` (the hub calls it on its loop, about four times a second)."""

    def __init__(self, emit: Callable[[dict[str, Any]], None], max_batch: int = 1000) -> None:
        self.emit, self.max_batch = emit, max_batch
        self.lock = threading.Lock()  # changes arrive from requests, acks and the loop
        self.changes: dict[str, dict[str, Any]] = {}

    def add(self, changes: Iterable[Change]) -> None:
        with self.lock:
            for change in changes:
                known = self.changes.get(change.id)
                # a status never goes back within a batch (an ack written before a late 'sent')
                if known is not None and status_rank(known["status"]) > status_rank(change.status):
                    continue
                self.changes[change.id] = {
                    "id": change.id, "kiosk_id": change.kiosk_id, "seq": change.seq,
                    "action": change.action, "status": change.status, "error": change.error,
                    "at": change.at.isoformat()}

    def send(self) -> int:
        """Emit what changed since the last call; returns how many commands it named."""
        with self.lock:
            changes, self.changes = list(self.changes.values()), {}
        # bounded messages: a browser parses each at once
        for start in range(0, len(changes), self.max_batch):
            self.emit({"commands": changes[start:start + self.max_batch]})
        return len(changes)
