"""Checks of parameter values against a notebook's spec: every problem, each with its field.

Values reach a notebook as Python literals written by the runner (``repr``), so no text can
become code; these checks still refuse what no report needs (quotes and spaces in a URL,
control characters, unknown names) so that a crafted value fails early and visibly.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

from analytics_notebooks.spec import SERVER_OWNED, NotebookSpec, Param

ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
URL_FORBIDDEN = re.compile(r"[\s\"'\\`<>]")
DEFAULT_MAX_LENGTH = 2000
GEOJSON_MAX_LENGTH = 200_000
GEOJSON_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon",
                 "MultiPolygon", "GeometryCollection", "Feature")
#: The longest report window, in days (a season and more; a heat map of longer is unreadable).
MAX_DAYS = 366

Problem = dict[str, str]


def check_params(spec: NotebookSpec, params: Mapping[str, Any], *,
                 site_ids: Collection[str] | None = None,
                 server_side: bool = False) -> tuple[dict[str, Any], list[Problem]]:
    """Return the full parameters (defaults filled in) and every problem found."""
    problems: list[Problem] = []
    if not isinstance(params, Mapping):
        return {}, [{"field": "", "message": f"parameters should be an object, got "
                                              f"{type(params).__name__}"}]
    known = {p.name for p in spec.parameters}
    for key in params:
        if not isinstance(key, str) or key not in known:
            shown = repr(key) if len(repr(key)) <= 60 else repr(key)[:57] + "..."
            problems.append({"field": str(key)[:60], "message": f"unknown parameter {shown}; "
                             f"{spec.name} takes {', '.join(sorted(known))}"})
        elif server_side and key in SERVER_OWNED:
            problems.append({"field": key, "message": f"{key} is set by the server and "
                             f"cannot be given"})
    full: dict[str, Any] = {}
    for p in spec.parameters:
        if server_side and p.name in SERVER_OWNED:
            continue  # the server adds its own
        if p.name in params:
            value = params[p.name]
            message = check_value(p, value)
            if message:
                problems.append({"field": p.name, "message": message})
            elif p.type == "float":
                value = float(value)
            full[p.name] = value
        elif p.required:
            problems.append({"field": p.name, "message": "is required"})
        else:
            full[p.name] = p.default
    problems += _cross_checks(spec, full, {pr["field"] for pr in problems}, site_ids)
    return full, problems


def check_value(p: Param, value: Any) -> str | None:
    """A message saying what is wrong with ``value`` for ``p``, or None."""
    kind = p.type
    if kind == "bool":
        return None if isinstance(value, bool) else f"should be true or false, got {_show(value)}"
    if kind == "int" and (not isinstance(value, int) or isinstance(value, bool)):
        return f"should be a whole number, got {_show(value)}"
    if kind == "float":
        if not isinstance(value, int | float) or isinstance(value, bool):
            return f"should be a number, got {_show(value)}"
        if not math.isfinite(value):
            return f"should be a finite number, got {value!r}"
    if kind == "str" and not isinstance(value, str):
        return f"should be text, got {_show(value)}"
    if p.choices is not None and value not in p.choices:
        return f"should be one of {', '.join(map(str, p.choices))}, got {_show(value)}"
    if p.minimum is not None and value < p.minimum:
        return f"should be at least {p.minimum:g}, got {value!r}"
    if p.maximum is not None and value > p.maximum:
        return f"should be at most {p.maximum:g}, got {value!r}"
    return _check_text(p, value) if kind == "str" else None


def _check_text(p: Param, value: str) -> str | None:
    limit = p.max_length or (GEOJSON_MAX_LENGTH if p.format == "geojson" else DEFAULT_MAX_LENGTH)
    if len(value) > limit:
        return f"is {len(value)} characters long; at most {limit} are accepted"
    if p.format != "geojson" and ("\n" in value or "\r" in value or "\t" in value):
        return "should be one line of text"
    if CONTROL.search(value):
        return "contains control characters"
    fmt = p.format
    if fmt == "date":
        return _check_date(value)
    if fmt in ("site", "id") and not ID.match(value):
        return (f"should be an identifier (letters, digits, '_', '.', '-'), got "
                f"{_show(value)}")
    if fmt == "url" and value:
        return _check_url(value)
    if fmt == "geojson":
        return _check_geojson(value)
    return None


def _check_date(value: str) -> str | None:
    if not DATE.match(value):
        return f"should be a date written YYYY-MM-DD, got {_show(value)}"
    try:
        date.fromisoformat(value)
    except ValueError:
        return f"is not a calendar date: {value}"
    return None


def _check_url(value: str) -> str | None:
    if URL_FORBIDDEN.search(value):
        return ("should be a database URL without spaces, quotes, backslashes or angle "
                "brackets (percent-encode them in a password)")
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(value)
    except (ArgumentError, ValueError):
        return "is not a database URL (e.g. sqlite:///instance/lantern.db)"
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        return f"names an unsupported database {url.get_backend_name()!r} (sqlite or postgresql)"
    return None


def _check_geojson(value: str) -> str | None:
    try:
        data = json.loads(value)
    except ValueError as exc:
        return f"is not valid JSON: {exc}"
    if not isinstance(data, dict) or data.get("type") not in GEOJSON_TYPES:
        return "should be a GeoJSON geometry or Feature, e.g. {\"type\": \"Polygon\", ...}"
    return None


def _cross_checks(spec: NotebookSpec, full: dict[str, Any], bad: set[str],
                  site_ids: Collection[str] | None) -> list[Problem]:
    out: list[Problem] = []
    start, end = spec.param("start"), spec.param("end")
    if start is not None and end is not None and not {"start", "end"} & bad:
        first: date | None = None
        last: date | None = None
        try:
            first, last = date.fromisoformat(full["start"]), date.fromisoformat(full["end"])
        except (TypeError, ValueError):
            pass
        if first is not None and last is not None:
            if first > last:
                out.append({"field": "end", "message": f"the window is empty: end {last} is "
                                                       f"before start {first}"})
            elif (last - first).days + 1 > MAX_DAYS:
                out.append({"field": "end", "message": f"the window is {(last - first).days + 1}"
                                                       f" days long; at most {MAX_DAYS} are "
                                                       f"accepted"})
    if site_ids is not None:
        for p in spec.parameters:
            if p.format == "site" and p.name not in bad and full.get(p.name) not in site_ids:
                known = ", ".join(sorted(site_ids)) or "none"
                out.append({"field": p.name, "message": f"no site {full.get(p.name)!r} "
                                                        f"(sites: {known})"})
    return out


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
