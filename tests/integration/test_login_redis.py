"""With a message queue, the failed-login counts live in its Redis, shared by every process."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.conftest import REDIS_URL, AuthActions, make_app, unavailable


@pytest.mark.redis
def test_with_a_message_queue_the_counts_are_kept_in_its_redis_for_every_process(tmp_path: Path) -> None:
    import redis
    from limits.storage import RedisStorage

    from server.extensions import socketio
    from server.panel.throttle import login_limiter

    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError:
        unavailable(f"Redis is not reachable at {REDIS_URL}")
    app = make_app(tmp_path, SOCKETIO_MESSAGE_QUEUE=REDIS_URL)
    try:
        assert isinstance(login_limiter.storage, RedisStorage)
        auth = AuthActions(app.test_client(), app.extensions["lantern"].db)
        auth.create("olga")
        name = f"probe-{uuid.uuid4().hex[:8]}"  # fresh counts whatever an earlier run left
        statuses = [auth.login(name, "guess", address=f"10.9.{i}.1").status_code
                    for i in range(6)]
        assert statuses == [401] * 5 + [429]
    finally:
        login_limiter.storage.reset()
        app.extensions["lantern"].db.dispose()
        # the SocketIO extension keeps the queue's client manager among its options, and would
        # hand it to every app made later in this process, queue or not
        socketio.server_options.pop("client_manager", None)
