"""Messages between server processes (wake a kiosk's owner, revoke a kiosk) over Redis pub/sub.

With one process there is no bus: the hub handles its own messages directly.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)
CHANNEL = "lantern:hub"


class RedisBus:
    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url)
        self.url = url

    def publish(self, message: dict[str, Any]) -> None:
        self.client.publish(CHANNEL, json.dumps(message))

    def listen(self, handle: Callable[[dict[str, Any]], None], sleep: Callable[[float], Any]) -> None:
        """Deliver every message to ``handle``; reconnects after Redis errors."""
        import redis

        while True:
            try:
                pubsub = self.client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(CHANNEL)
                while True:
                    message = pubsub.get_message(timeout=0.05)
                    if message and message.get("type") == "message":
                        handle(json.loads(message["data"]))
                    elif message is None:
                        sleep(0.01)
            except redis.RedisError as exc:
                log.warning("hub bus: %s; retrying", exc)
                sleep(1.0)
