"""Position ingest over HTTP into SQLite, against raw ``sqlite3`` executemany of the same rows.

A real server process (``python -m server run`` on loopback, the real venues, a fresh SQLite
file) takes batches of 1,000 positions at random points of the Mogao site's bounding box,
posted with ``requests`` over one keep-alive session per client thread; each batch is
classified, stored once per event_id (committed before the answer) and folded into the
visitors' presence, which the server writes behind every second. 5,000 visitors report;
timestamps start at the moment the bench starts and rise by 10 ms a position, each round
going on from the one before. Bodies are serialised before the clock starts. The figure is
positions/s over the measured batches (after 20 warm-up batches, so that every visitor is
known), with 1 and with 2 client threads; with one thread the server waits while the client
reads each answer, with two it is busy all the time. The server runs with the default
settings, which include its write-ahead-log checkpointer thread.

The baseline, in the same run: the same rows (the zone ids the server answered) written with
``sqlite3.executemany`` into a fresh SQLite file made by the server's own migration, with the
server's pragmas (WAL, synchronous NORMAL, foreign keys on), one commit per batch of 1,000.
Goal: >= 50,000 positions/s and >= 1/4 of the raw rate.

    .venv/bin/python -m bench.bench_ingest [--batches 50] [--warmup 20] [--size 1000]
"""

from __future__ import annotations

import json
import random
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.socketio_peers.report import parser_for, show  # noqa: E402
from bench.socketio_peers.venue import SITE, live_server, server_cpu, site_bbox  # noqa: E402

GOAL_RATE = 50_000.0
GOAL_OF_RAW = 0.25
VISITORS = 5_000
Row = tuple[str, str, str, str, float, float, str | None]


def make_batches(n: int, size: int, bbox: tuple[float, float, float, float],
                 seed: int = 1, t0: datetime | None = None) -> list[list[dict[str, Any]]]:
    """``n`` batches of ``size`` positions, uniform in ``bbox``, 5,000 visitors, ts rising by
    10 ms from ``t0`` (the current second by default: positions of visitors there now, so
    that none has timed out)."""
    rng = random.Random(seed)
    x0, y0, x1, y1 = bbox
    t0 = t0 or datetime.now(UTC).replace(microsecond=0)
    batches = []
    for b in range(n):
        batch = []
        for i in range(size):
            k = b * size + i
            ts = t0 + timedelta(milliseconds=10 * k)
            batch.append({"event_id": f"e-{seed}-{k:09d}", "visitor_id": f"v-{rng.randrange(VISITORS)}",
                          "ts": ts.isoformat(), "lon": rng.uniform(x0, x1),
                          "lat": rng.uniform(y0, y1)})
        batches.append(batch)
    return batches


def post_all(url: str, token: str, bodies: Sequence[bytes], threads: int) -> tuple[float, list[Any]]:
    """POST every body, split over ``threads`` keep-alive sessions; (seconds, answers)."""
    import requests

    answers: list[Any] = [None] * len(bodies)
    errors: list[str] = []

    def worker(start: int) -> None:
        with requests.Session() as http:
            http.headers.update({"Authorization": f"Bearer {token}",
                                 "Content-Type": "application/json"})
            for i in range(start, len(bodies), threads):
                resp = http.post(url, data=bodies[i], timeout=120)
                if resp.status_code != 200:
                    errors.append(f"{resp.status_code} {resp.text[:200]}")
                    return
                answers[i] = resp.json()

    pool = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    t0 = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - t0
    if errors:
        raise RuntimeError(f"ingest failed: {errors[0]}")
    return elapsed, answers


def rows_of(batch: list[dict[str, Any]], answer: dict[str, Any]) -> list[Row]:
    """The ``position_events`` rows the server stored for one batch (ts as the server writes it)."""
    zones = {r["event_id"]: r["zone_id"] for r in answer["results"]}
    out = []
    for p in batch:
        ts = datetime.fromisoformat(p["ts"]).astimezone(UTC).replace(tzinfo=None)
        out.append((p["event_id"], SITE, p["visitor_id"], ts.isoformat(" ", "microseconds"),
                    p["lon"], p["lat"], zones[p["event_id"]]))
    return out


def raw_insert(batches: Sequence[list[Row]]) -> float:
    """Seconds to executemany + commit each batch into a fresh, migrated SQLite file (WAL)."""
    from server.storage.database import Database

    with tempfile.TemporaryDirectory(prefix="lantern-raw-") as tmp:
        path = Path(tmp) / "raw.db"
        db = Database(f"sqlite:///{path}")
        db.migrate()
        db.dispose()
        conn = sqlite3.connect(path)
        for pragma in ("journal_mode=WAL", "busy_timeout=30000", "foreign_keys=ON",
                       "synchronous=NORMAL"):
            conn.execute(f"PRAGMA {pragma}")
        conn.execute("INSERT INTO sites (id, name_en, name_zh, timezone, center_lon, center_lat, "
                     "config, zones_version, updated_at) VALUES (?, 'Mogao', '莫高窟', "
                     "'Asia/Shanghai', 94.8, 40.04, '{}', 1, '2026-05-01 00:00:00')", (SITE,))
        conn.commit()
        sql = ("INSERT INTO position_events (event_id, site_id, visitor_id, ts, lon, lat, zone_id) "
               "VALUES (?, ?, ?, ?, ?, ?, ?)")
        t0 = time.perf_counter()
        for rows in batches:
            conn.executemany(sql, rows)
            conn.commit()
        elapsed = time.perf_counter() - t0
        conn.close()
    return elapsed


def run(batches: int = 50, warmup: int = 20, size: int = 1000,
        threads: Sequence[int] = (1, 2)) -> dict[str, Any]:
    """Measure HTTP ingest with each count of client threads, then the raw baseline."""
    if batches < 1 or warmup < 0 or size < 1 or not threads:
        raise ValueError("batches and size must be >= 1, warmup >= 0, threads non-empty")
    results: dict[str, Any] = {}
    with live_server() as server:
        bbox = site_bbox(server)
        url = f"{server.url}/api/v1/sites/{SITE}/positions"
        # each round goes on in time from the one before: a round that went back in time would
        # be all out-of-order positions, which the server only stores
        start = datetime.now(UTC).replace(microsecond=0)
        step = timedelta(milliseconds=10)
        rounds = [make_batches(warmup, size, bbox, seed=100, t0=start)]
        for k, t in enumerate(threads):
            rounds.append(make_batches(batches, size, bbox, seed=t,
                                       t0=start + step * size * (warmup + k * batches)))
        post_all(url, server.admin, [json.dumps({"positions": b}).encode() for b in rounds[0]], 1)
        raw_rows: list[list[Row]] = []
        for t, measured in zip(threads, rounds[1:], strict=True):
            bodies = [json.dumps({"positions": b}).encode() for b in measured]
            cpu0 = server_cpu(server)
            elapsed, answers = post_all(url, server.admin, bodies, t)
            cpu = server_cpu(server) - cpu0
            accepted = sum(a["accepted"] for a in answers)
            if accepted != batches * size:
                raise RuntimeError(f"server accepted {accepted} of {batches * size} positions")
            classified = sum(r["zone_id"] is not None for a in answers for r in a["results"])
            results[f"http x{t}"] = {
                "threads": t, "seconds": elapsed, "positions_per_s": batches * size / elapsed,
                "server_cpu": cpu / elapsed, "ms_per_batch": elapsed / batches * 1e3 * t,
                "classified": classified / (batches * size)}
            if not raw_rows:
                raw_rows = [rows_of(b, a) for b, a in zip(measured, answers, strict=True)]
    raw_s = raw_insert(raw_rows)
    raw_rate = batches * size / raw_s
    best = max(r["positions_per_s"] for r in results.values())
    for r in results.values():
        r["of_raw"] = r["positions_per_s"] / raw_rate
        r["meets_goal"] = r["positions_per_s"] >= GOAL_RATE and r["of_raw"] >= GOAL_OF_RAW
    return {"settings": {"batches": batches, "warmup": warmup, "size": size,
                         "threads": list(threads)},
            "raw": {"seconds": raw_s, "positions_per_s": raw_rate,
                    "ms_per_batch": raw_s / batches * 1e3},
            "results": results, "best_positions_per_s": best,
            "meets_goal": any(r["meets_goal"] for r in results.values())}


def format_table(report: dict[str, Any]) -> str:
    """Render a report from :func:`run` as a fixed-width table."""
    head = (f"{'ingest':<12} {'positions/s':>11} {'ms/batch':>8} {'srv cpu':>7} "
            f"{'in zone':>7} {'x raw':>6} {'goal':>4}")
    lines = [head, "-" * len(head)]
    raw = report["raw"]
    lines.append(f"{'raw sqlite3':<12} {raw['positions_per_s']:>11,.0f} {raw['ms_per_batch']:>8.1f} "
                 f"{'':>7} {'':>7} {'base':>6} {'':>4}")
    for name, r in report["results"].items():
        lines.append(f"{name:<12} {r['positions_per_s']:>11,.0f} {r['ms_per_batch']:>8.1f} "
                     f"{r['server_cpu']:>7.0%} {r['classified']:>7.0%} {r['of_raw']:>6.2f} "
                     f"{'yes' if r['meets_goal'] else 'no':>4}")
    s = report["settings"]
    lines += ["", f"{s['batches']} measured batches of {s['size']} after {s['warmup']} warm-up "
              f"batches; 'http xN' = N client threads, ms/batch per thread. Goal: >= "
              f"{GOAL_RATE:,.0f} positions/s and >= {GOAL_OF_RAW:g}x raw: "
              f"{'met' if report['meets_goal'] else 'NOT met'}."]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print the table (and, with ``--json``, the whole report)."""
    parser = parser_for(__doc__)
    parser.add_argument("--batches", type=int, default=50, help="measured batches (50)")
    parser.add_argument("--warmup", type=int, default=20, help="warm-up batches (20)")
    parser.add_argument("--size", type=int, default=1000, help="positions a batch (1000)")
    parser.add_argument("--threads", default="1,2", help="client thread counts (1,2)")
    args = parser.parse_args(argv)
    threads = [int(t) for t in args.threads.split(",") if t.strip()]
    report = run(args.batches, args.warmup, args.size, threads)
    return show(report, format_table, args.json)


if __name__ == "__main__":
    sys.exit(main())
