"""Writing a venue's history: 10,000,000 positions of the Mogao Grottoes, against a raw insert.

``generate_history`` (what ``python -m server history`` runs) writes the Mogao Grottoes into
a fresh SQLite file made by the server's own migration, at full scale (every visitor
reports once a minute) over as many days as the positions need, ending on a fixed date
(2026-10-15, so the window holds the October Golden Week and the run is the same each time);
below full scale when fewer days would do. Everything the history writes is in the figure:
the crowd's plan, the positions (classified, stored once, folded into presence, swept), the
cave readings and their alert rules, the closures, kiosk sessions.

The baseline, in the same run: the same number of ``position_events`` rows (those the
history wrote, read back from its file) written with ``sqlite3.executemany`` into another
fresh, migrated SQLite file, with the server's pragmas (WAL, synchronous NORMAL, foreign keys
on) and the history's page cache (128 MB), a commit every 10,000 rows. Only the inserts and
commits are timed.

    .venv/bin/python -m bench.bench_history [--positions 10000000] [--seed 1] [--json]
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.socketio_peers.report import parser_for, show  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SITE = "mogao"
END = date(2026, 10, 15)
MAX_DAYS = 120
RAW_BATCH = 10_000
TABLES = ("position_events", "zone_transitions", "visitor_presence", "sensor_readings",
          "alerts", "kiosk_session_events", "audit_log")


def fresh_database(path: Path) -> Any:
    """A migrated SQLite file with the demo venues; the server's Database on it."""
    from server.services.venues import import_venues
    from server.storage.database import Database

    db = Database(f"sqlite:///{path}")
    db.migrate()
    with db.transaction() as session:
        import_venues(session, ROOT / "venues")
    return db


def window(db: Any, positions: int, seed: int) -> tuple[int, float, int]:
    """(days, scale, positions at full scale over those days) for about ``positions``."""
    from server.demo.site_run import SiteRun
    from server.storage.zone_index import ZoneIndexCache

    run = SiteRun(db, ZoneIndexCache(), None, SITE, seed, 1.0, {})
    full = 0
    days = 0
    while full < positions and days < MAX_DAYS:
        days += 1
        full += int(run.plan(END - timedelta(days=days)).occ.sum())
    return days, min(1.0, positions / full), full


def raw_insert(source: Path, target: Path) -> tuple[int, float]:
    """Copy ``source``'s position rows into ``target`` with executemany; (rows, seconds)."""
    from server.demo.gateway import PAGE_CACHE_KIB

    read = sqlite3.connect(source)
    conn = sqlite3.connect(target)
    for pragma in ("journal_mode=WAL", "busy_timeout=30000", "foreign_keys=ON",
                   "synchronous=NORMAL", f"cache_size=-{PAGE_CACHE_KIB}"):
        conn.execute(f"PRAGMA {pragma}")
    sql = ("INSERT INTO position_events (event_id, site_id, visitor_id, ts, lon, lat, zone_id) "
           "VALUES (?, ?, ?, ?, ?, ?, ?)")
    cursor = read.execute("SELECT event_id, site_id, visitor_id, ts, lon, lat, zone_id "
                          "FROM position_events ORDER BY id")
    rows, seconds = 0, 0.0
    while batch := cursor.fetchmany(RAW_BATCH):
        t0 = time.perf_counter()
        conn.executemany(sql, batch)
        conn.commit()
        seconds += time.perf_counter() - t0
        rows += len(batch)
    read.close()
    conn.close()
    return rows, seconds


def run(positions: int = 10_000_000, seed: int = 1) -> dict[str, Any]:
    """Write the history, count what it wrote, then time the raw baseline."""
    from server.demo.history import generate_history
    from server.storage.zone_index import ZoneIndexCache

    if positions < 1:
        raise ValueError("positions must be >= 1")
    with tempfile.TemporaryDirectory(prefix="lantern-history-") as tmp:
        db = fresh_database(Path(tmp) / "history.db")
        days, scale, full = window(db, positions, seed)
        db.start_checkpointer()
        t0 = time.perf_counter()
        report = generate_history(db, ZoneIndexCache(), days=days, end=END, sites=[SITE],
                                  seed=seed, scale=scale, assets=ROOT / "assets_sample")
        seconds = time.perf_counter() - t0
        with db.engine.connect() as conn:
            rows = {t: int(conn.exec_driver_sql(f"SELECT COUNT(*) FROM {t}").scalar() or 0)
                    for t in TABLES}
        db.dispose()
        fresh_database(Path(tmp) / "raw.db").dispose()
        raw_rows, raw_s = raw_insert(Path(tmp) / "history.db", Path(tmp) / "raw.db")
    written = report.sites[SITE]
    return {
        "settings": {"positions": positions, "seed": seed, "site": SITE, "days": days,
                     "end": END.isoformat(), "scale": scale, "full_scale_positions": full},
        "history": {"seconds": seconds, "positions": written["positions"],
                    "positions_per_s": written["positions"] / seconds, "rows": rows,
                    "visitors": written["visitors"], "closures": written["closures"],
                    "alerts": written["alerts"]},
        "raw": {"seconds": raw_s, "positions": raw_rows, "positions_per_s": raw_rows / raw_s},
        "of_raw": (written["positions"] / seconds) / (raw_rows / raw_s),
    }


def format_table(report: dict[str, Any]) -> str:
    """Render a report from :func:`run` as a fixed-width table."""
    head = f"{'writer':<22} {'positions':>11} {'seconds':>8} {'positions/s':>11} {'x raw':>6}"
    lines = [head, "-" * len(head)]
    raw, h = report["raw"], report["history"]
    lines.append(f"{'raw sqlite3':<22} {raw['positions']:>11,} {raw['seconds']:>8.1f} "
                 f"{raw['positions_per_s']:>11,.0f} {'base':>6}")
    lines.append(f"{'history (use cases)':<22} {h['positions']:>11,} {h['seconds']:>8.1f} "
                 f"{h['positions_per_s']:>11,.0f} {report['of_raw']:>6.2f}")
    s = report["settings"]
    others = ", ".join(f"{t} {n:,}" for t, n in h["rows"].items() if t != "position_events")
    lines += ["", f"{s['site']}: {s['days']} day(s) to {s['end']} at scale {s['scale']:.3g} "
              f"({s['full_scale_positions']:,} positions at full scale), seed {s['seed']}; "
              f"{h['visitors']:,} visitors, {h['alerts']} alerts, {h['closures']} closures.",
              f"Also written: {others}.",
              "No goal: the figure beside its baseline (the default `python -m server history` "
              "run must stay under 3 minutes; docs/history.md)."]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print the table (and, with ``--json``, the whole report)."""
    parser = parser_for(__doc__)
    parser.add_argument("--positions", type=int, default=10_000_000,
                        help="positions to write (10,000,000)")
    parser.add_argument("--seed", type=int, default=1, help="the history's seed (1)")
    args = parser.parse_args(argv)
    return show(run(args.positions, args.seed), format_table, args.json)


if __name__ == "__main__":
    sys.exit(main())
