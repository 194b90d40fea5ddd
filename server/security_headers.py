"""Security headers on every response: pages, the API, static and vendored files.

The Content-Security-Policy allows scripts, styles and connections from this origin only (the
panel loads no inline script, and its libraries are served from here), images from here and
``data:`` URLs (Leaflet's and the page's icon), and Socket.IO's WebSocket to this same host.
"""

from __future__ import annotations

import re

from flask import Flask, request
from flask.wrappers import Response

POLICY = (
    "default-src 'self'",
    "script-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
)
HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
# A Host header that may be named in the policy: a name or an IP literal, with a port.
_HOST = re.compile(r"(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")


def content_security_policy(host: str) -> str:
    """The policy for a page served as ``host``: connections to it over HTTP and WebSocket.

    >>> content_security_policy("venue.example:8000").split("; ")[-1]
    "connect-src 'self' ws://venue.example:8000 wss://venue.example:8000"
    """
    connect = "connect-src 'self'"
    if _HOST.fullmatch(host):
        connect += f" ws://{host} wss://{host}"
    return "; ".join((*POLICY, connect))


def add_security_headers(response: Response) -> Response:
    """Set the headers a view has not set itself."""
    response.headers.setdefault("Content-Security-Policy", content_security_policy(request.host))
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def register(app: Flask) -> None:
    app.after_request(add_security_headers)
