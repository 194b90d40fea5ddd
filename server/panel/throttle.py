"""Failed sign-ins are rate-limited per client address and per user name.

Only failed attempts count (a view marks them with :func:`count_failure`); once a limit is
reached every attempt is refused with 429, the right password included, until the window
moves on. The counts live in memory, or in the Redis of ``SOCKETIO_MESSAGE_QUEUE`` when several
server processes share one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, g, request
from flask.wrappers import Response
from flask_limiter import Limiter

login_limiter = Limiter(key_func=lambda: f"address:{request.remote_addr or '-'}",
                        key_prefix="lantern-login", strategy="moving-window")


def bind(app: Flask) -> None:
    """Bind the limiter to ``app``, with the storage its settings name."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("SOCKETIO_MESSAGE_QUEUE")
                          or "memory://")
    login_limiter.init_app(app)


def count_failure() -> None:
    """This request is a failed sign-in: it counts against the address and the user name."""
    g.login_failed = True


def _failed(response: Response) -> bool:
    return bool(g.get("login_failed"))


def _user_name() -> str:
    # case-folded so that "Olga" and "olga" share one allowance
    name = (request.form.get("username") or "").strip().casefold()[:80]
    return f"user:{name or '-'}"


def limit_failed_logins(view: Callable[..., Any]) -> Callable[..., Any]:
    """Refuse sign-ins from an address, or for a name, with too many recent failures."""
    per_user = login_limiter.limit(lambda: current_app.config["LANTERN_LOGIN_USER_RATE"],
                                   key_func=_user_name, methods=["POST"], deduct_when=_failed)
    per_address = login_limiter.limit(lambda: current_app.config["LANTERN_LOGIN_RATE"],
                                      methods=["POST"], deduct_when=_failed)
    return per_address(per_user(view))


def retry_after_s() -> int:
    """Seconds until the breached limit of this request allows an attempt again."""
    limit = login_limiter.current_limit
    if limit is None:
        return 60
    return max(1, int(limit.reset_at - time.time()))
