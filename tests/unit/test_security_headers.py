"""Every response carries a script-tight Content-Security-Policy and the anti-framing headers."""

from __future__ import annotations

import pytest

from server.security_headers import content_security_policy

EXPECTED = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def directives(header: str) -> dict[str, list[str]]:
    parts = [d.split() for d in header.split(";") if d.strip()]
    return {name: values for name, *values in parts}


@pytest.mark.parametrize("path", [
    "/login",                                   # a page
    "/api/v1/sites",                            # the API, refused without credentials
    "/api/v1/health",                           # the API, answered
    "/panel-static/panel.js",                   # the panel's own static files
    "/vendor/leaflet/dist/leaflet.js",          # vendored libraries
    "/no/such/page",                            # errors too
])
def test_every_response_carries_the_security_headers(client, path: str) -> None:  # type: ignore[no-untyped-def]
    with client.get(path, headers={"Host": "venue.example:8000"}) as response:
        headers = response.headers
    for name, value in EXPECTED.items():
        assert headers[name] == value, name
    policy = directives(headers["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["connect-src"] == ["'self'", "ws://venue.example:8000", "wss://venue.example:8000"]
    assert "style-src" not in policy  # default-src: stylesheets from here, no inline style


def test_a_host_header_that_is_not_a_host_name_never_reaches_the_policy() -> None:
    policy = content_security_policy("evil; script-src *")
    assert directives(policy)["connect-src"] == ["'self'"]
    assert "*" not in policy


def test_an_ip_v6_host_may_open_its_websocket() -> None:
    assert directives(content_security_policy("[::1]:8000"))["connect-src"] == [
        "'self'", "ws://[::1]:8000", "wss://[::1]:8000"]
