"""Refused requests leave nothing behind: a client sending large invalid bodies over and over
does not grow the server's memory (the server makes full garbage collections rare, so a
reference cycle that held each body would)."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import LiveServer, rss_mb


def test_three_hundred_refused_half_megabyte_bodies_do_not_grow_the_server(tmp_path: Path) -> None:
    server = LiveServer(tmp_path).start()
    assert server.proc is not None
    body = {"role": "viewer", "name": "x" * 500_000}  # schema-invalid: name too long
    try:
        for _ in range(20):  # warm up
            assert server.api("POST", "/tokens", json=body).status_code == 422
        before = rss_mb(server.proc.pid)
        for _ in range(300):  # 150 MB of refused bodies
            assert server.api("POST", "/tokens", json=body).status_code == 422
        assert rss_mb(server.proc.pid) - before < 40
    finally:
        server.stop()
