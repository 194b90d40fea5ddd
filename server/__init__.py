"""Lantern server. ``create_app`` builds the Flask app; see server/app.py.

Importing ``server`` (or ``server.domain``) loads no framework: the app factory is imported on
first use, so the domain rules stay testable on their own.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app", "socketio"]


def __getattr__(name: str) -> Any:
    if name in ("create_app", "socketio", "LanternState"):
        from server import app

        return getattr(app, name)
    raise AttributeError(f"module 'server' has no attribute {name!r}")
