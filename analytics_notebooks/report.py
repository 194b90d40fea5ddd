"""What every report shares: opening it (database, site, window, language, fonts), its title,
and the provenance that ends it."""

from __future__ import annotations

import json
import platform
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib import metadata
from typing import Any

import pandas as pd
from sqlalchemy.engine import Engine

from analytics_notebooks import display
from analytics_notebooks.db import Sql, Window, connect, masked_url, resolve_url
from analytics_notebooks.i18n import Words, check_language
from analytics_notebooks.venue import Site, load_site, load_zones

PACKAGES = ("numpy", "pandas", "matplotlib", "sqlalchemy", "geopandas", "shapely", "papermill",
            "nbconvert", "ipykernel")


@dataclass
class Report:
    """One report being written: its connection, site, zones, window and words."""

    kind: str
    engine: Engine
    site: Site
    zones: pd.DataFrame
    window: Window
    words: Words
    params: dict[str, Any]
    rows: dict[str, int] = field(default_factory=dict)
    #: The share of visitors a generated demo history stored (None for real data, see
    #: :func:`demo_scale`); the visitor load the sensors saw is the stored one over it.
    sample: float | None = None
    _lanes: dict[str, ThreadPoolExecutor] = field(default_factory=dict)
    _pending: dict[str, Future[Any]] = field(default_factory=dict)

    @property
    def language(self) -> str:
        return self.words.language

    @contextmanager
    def sql(self) -> Iterator[Sql]:
        with self.engine.connect() as conn:
            yield Sql(conn)

    def prefetch(self, key: str, query: Callable[[Sql], Any], lane: str = "main") -> None:
        """Start ``query`` on a connection of its own in the background; queries of one lane
        run one after the other, lanes side by side (the database works while the notebook
        draws). :meth:`result` waits for it."""
        if lane not in self._lanes:
            self._lanes[lane] = ThreadPoolExecutor(max_workers=1, thread_name_prefix=lane)

        def run() -> Any:
            with self.sql() as sql:
                return query(sql)

        self._pending[key] = self._lanes[lane].submit(run)

    def result(self, key: str, query: Callable[[Sql], Any] | None = None) -> Any:
        """The prefetched result of ``key`` (or, if none was started, ``query`` run now)."""
        future = self._pending.pop(key, None)
        if future is not None:
            return future.result()
        if query is None:
            raise KeyError(f"nothing was prefetched as {key!r}")
        with self.sql() as sql:
            return query(sql)

    def close(self) -> None:
        for lane in self._lanes.values():
            lane.shutdown(wait=True, cancel_futures=True)
        self.engine.dispose()

    def count(self, table: str, rows: int) -> None:
        """Add to the rows read from ``table`` (for the provenance)."""
        self.rows[table] = self.rows.get(table, 0) + int(rows)

    def zone_name(self, zone_id: str) -> str:
        column = "name_zh" if self.language == "zh" else "name_en"
        match = self.zones.loc[self.zones["zone_id"] == zone_id, column]
        return str(match.iloc[0]) if len(match) and match.iloc[0] else zone_id


def demo_scale(sql: Sql, site_id: str, window: Window) -> float | None:
    """The share of visitors whose positions a demo history (``python -m server history
    --scale``) stored over the window, from its audit record; None if no such history
    overlaps the window, or if overlapping ones disagree."""
    scales = set()
    for detail, in sql.rows("SELECT detail FROM audit_log WHERE action = 'generate_history' "
                            "AND target = :site", site=site_id):
        detail = json.loads(detail) if isinstance(detail, str) else detail
        try:
            first, last = date.fromisoformat(detail["start"]), date.fromisoformat(detail["end"])
            scale = float(detail["scale"])
        except (KeyError, TypeError, ValueError):
            continue
        if first <= window.last and last > window.first and 0 < scale < 1:
            scales.add(scale)
    return scales.pop() if len(scales) == 1 else None


def parse_day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{name!r} should be a date written YYYY-MM-DD, got {value!r}") from None


def use_fonts(language: str) -> str | None:
    """Set the kernel's matplotlib fonts for the language; return a warning if Chinese text
    has no font to be drawn with (the figures would show empty boxes)."""
    import matplotlib

    from geo.render import find_cjk_font, font_families

    matplotlib.rcParams["font.family"] = font_families(language)
    matplotlib.rcParams["axes.unicode_minus"] = False
    # a missing glyph is said once, in the report, not once a character
    warnings.filterwarnings("ignore", message="Glyph .* missing from")
    if language == "zh" and find_cjk_font() is None:
        return Words(language)("font_missing")
    return None


def open_report(kind: str, database_url: str, site_id: str, start: str, end: str,
                language: str, **extra: Any) -> Report:
    """Check the parameters, connect, load the site and its zones, show the title."""
    words = Words(check_language(language))
    first, last = parse_day(start, "start"), parse_day(end, "end")
    if first > last:
        raise ValueError(f"the window is empty: end {last} is before start {first}")
    engine = connect(database_url)
    with engine.connect() as conn:
        sql = Sql(conn)
        site = load_site(sql, site_id)
        zones = load_zones(sql, site_id)
        window = Window(first, last, site.timezone)
        sample = demo_scale(sql, site_id, window)
    params = {"database_url": masked_url(resolve_url(database_url)), "site_id": site_id,
              "start": start, "end": end, "language": language, **extra}
    report = Report(kind, engine, site, zones, window, words, params, sample=sample)
    report.count("zones", len(zones))
    problem = use_fonts(language)
    display.show_html(f"<h1>{_esc(words(kind))}: {_esc(site.name(language))}</h1>")
    display.paragraph(words("window", first=first.isoformat(), last=last.isoformat(),
                            days=window.days, tz=site.timezone))
    if problem:
        display.warning(problem)
    if sample is not None:
        display.warning(words("demo_sample", share=sample))
    return report


def _esc(text: str) -> str:
    from html import escape

    return escape(text)


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "-"
    return out


def provenance(report: Report) -> dict[str, Any]:
    """Show what the report was made from: parameters (the password hidden), the data window,
    rows read per table, the code version and the package versions; return them."""
    from analytics_notebooks.runner import code_version

    w = report.words
    window = report.window
    span = (window.start_utc.isoformat(), window.end_utc.isoformat())
    version, generated = code_version(), datetime.now(UTC).isoformat(timespec="seconds")
    packages = package_versions()
    info: dict[str, Any] = {"parameters": report.params, "window_utc": list(span),
                            "rows": dict(report.rows), "code_version": version,
                            "database": report.engine.dialect.name, "generated_utc": generated,
                            "packages": packages}
    display.heading(w("provenance_title"))
    items = pd.DataFrame(
        [(k, str(v)) for k, v in report.params.items()]
        + [(w("data_window"), f"{span[0]} – {span[1]}"),
           (w("database"), report.engine.dialect.name), (w("code_version"), version),
           (w("generated"), generated)], columns=[w("item"), w("value")])
    display.table(items)
    rows = pd.DataFrame(sorted(report.rows.items()), columns=[w("table"), w("rows")])
    display.table(rows)
    versions = pd.DataFrame(sorted(packages.items()), columns=[w("package"), w("version")])
    display.table(versions)
    report.close()
    return info
