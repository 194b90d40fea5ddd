"""Where signing in may send the browser next: only a path of this site."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# Browsers drop tabs and newlines anywhere in a URL and controls and spaces around it, so
# "/\t/evil.example" is "//evil.example", another site, to them.
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x1f\x7f\s]")


def same_site_path(target: str | None) -> str | None:
    """``target`` if it is a path of this site, else None (the caller picks its own page).

    A target holding control characters or whitespace is refused, not cleaned: it is judged
    as a browser would read it, and what the browser would read is never silently changed.

    >>> same_site_path("/panel#mogao")
    '/panel#mogao'
    >>> same_site_path("//evil.example") is None
    True
    """
    if not target:
        return None
    seen = _CONTROL_OR_SPACE.sub("", target)
    if seen != target or not seen.startswith("/") or seen.startswith(("//", "/\\")):
        return None
    parts = urlsplit(seen)
    if parts.scheme or parts.netloc:
        return None
    return seen
