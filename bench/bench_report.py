"""The visitor report over N position events, whole run to HTML, against a plain pandas script.

A fresh database (SQLite by default, ``--database-url`` for PostgreSQL) gets the real venues
and a synthetic week at the Mogao Grottoes, written straight into the tables: visitors arrive
between 08:00 and 16:30, walk the entrance plaza, the exhibition hall, two cave terraces and
two caves on each, and report a position every 30 s (so N events make N/200 or so visits);
their zone transitions as the server writes them; cave readings from a one-box CO2 balance;
kiosk sessions; and one cave closure with its audit entries.

Measured in the same run, one after the other:

* the report: ``analytics_notebooks.runner.execute("visitor_report", ...)``, from the call to
  the HTML on disk (child process, kernel start, queries, figures, HTML);
* the baseline: a plain script in its own process that reads the same rows with
  ``pandas.read_sql`` (positions, transitions, kiosk session events) and computes the same
  tables (visits per day and hour, hourly peak occupancy per zone with roll-up, peaks, dwell
  quantiles, the flow matrix, kiosk use).

Peak memory is the sum of the peak resident sets (``VmHWM``) of the runner's child and the
kernel, sampled every 20 ms. Goal: the report <= 1.0x the baseline's time, <= 1 GB.

    .venv/bin/python -m bench.bench_report [--events 10000000] [--days 7] [--database-url URL]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.report_history import fill  # noqa: E402
from bench.socketio_peers.report import parser_for, show  # noqa: E402

GOAL_RATIO = 1.0
GOAL_MB = 1024.0
START = date(2026, 10, 1)


class PeakSampler(threading.Thread):
    """Samples the peak RSS (VmHWM) of every process below this one until stopped."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peaks: dict[int, tuple[str, float]] = {}
        self._done = threading.Event()

    def run(self) -> None:
        import psutil

        me = psutil.Process()
        while not self._done.is_set():
            for proc in me.children(recursive=True):
                try:
                    status = Path(f"/proc/{proc.pid}/status").read_text()
                    kb = float(next(line.split()[1] for line in status.splitlines()
                                    if line.startswith("VmHWM")))
                    name = " ".join(proc.cmdline()[1:4])
                except (OSError, StopIteration, psutil.Error):
                    continue
                self.peaks[proc.pid] = (name, max(kb / 1024, self.peaks.get(proc.pid, ("", 0))[1]))
            self._done.wait(0.02)

    def stop(self) -> dict[int, tuple[str, float]]:
        self._done.set()
        self.join()
        return self.peaks


def run_report(url: str, days: int, out: Path) -> dict[str, Any]:
    from analytics_notebooks.runner import execute

    sampler = PeakSampler()
    sampler.start()
    t0 = time.perf_counter()
    outcome = execute("visitor_report", {"database_url": url, "site_id": "mogao",
                                         "start": START.isoformat(),
                                         "end": (START + timedelta(days=days - 1)).isoformat()},
                      out_dir=out, timeout_s=3600)
    seconds = time.perf_counter() - t0
    peaks = sampler.stop()
    if outcome.status != "succeeded":
        raise SystemExit(f"the report failed: {outcome.error}")
    html = outcome.html_path.read_text(encoding="utf-8") if outcome.html_path else ""
    return {"seconds": seconds, "peak_mb": sum(mb for _, mb in peaks.values()),
            "processes": {name: round(mb, 1) for name, mb in peaks.values()},
            "html_bytes": len(html), "visits": sum(d["visits"] for d in
                                                    outcome.results["visits_per_day"])}


def run_baseline(url: str, days: int) -> dict[str, Any]:
    """The plain pandas script in its own process: wall time of the whole process."""
    cmd = [sys.executable, "-m", "bench.report_baseline", url, START.isoformat(), str(days)]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=Path(__file__).resolve().parents[1], capture_output=True,
                          text=True, check=True)
    seconds = time.perf_counter() - t0
    peak_mb, visits = (float(v) for v in done.stdout.split())
    return {"seconds": seconds, "peak_mb": peak_mb, "visits": int(visits)}


def run(events: int, days: int, url: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        url = url or f"sqlite:///{Path(tmp) / 'lantern.db'}"
        t0 = time.perf_counter()
        counts = fill(url, events, days=days, start=START)
        fill_s = time.perf_counter() - t0
        report = run_report(url, days, Path(tmp) / "out")
        baseline = run_baseline(url, days)
    ratio = report["seconds"] / baseline["seconds"]
    return {"events": counts["position_events"], "rows": counts, "fill_s": fill_s,
            "database": url.split(":", 1)[0], "report": report, "baseline": baseline,
            "ratio": ratio, "same_visits": report["visits"] == baseline["visits"],
            "meets_goal": ratio <= GOAL_RATIO and report["peak_mb"] <= GOAL_MB}


def format_table(r: dict[str, Any]) -> str:
    rep, base = r["report"], r["baseline"]
    lines = [f"visitor report over {r['events']:,} position events ({r['database']}, "
             f"{r['rows']['zone_transitions']:,} transitions, filled in {r['fill_s']:.0f} s)",
             f"{'':<34} {'seconds':>8} {'peak MB':>8} {'visits':>8}",
             f"{'report (runner + kernel, to HTML)':<34} {rep['seconds']:>8.1f} "
             f"{rep['peak_mb']:>8.0f} {rep['visits']:>8,}",
             f"{'plain pandas script':<34} {base['seconds']:>8.1f} {base['peak_mb']:>8.0f} "
             f"{base['visits']:>8,}",
             f"ratio {r['ratio']:.2f}x the plain script; processes: "
             + ", ".join(f"{k} {v:.0f} MB" for k, v in rep["processes"].items()),
             f"goal (set at 10,000,000 events) <= {GOAL_RATIO:g}x and <= {GOAL_MB:,.0f} MB: "
             f"{'met' if r['meets_goal'] else 'NOT met'}; same visits: {r['same_visits']}"]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print the table (and, with ``--json``, the whole report)."""
    parser = parser_for(__doc__)
    parser.add_argument("--events", type=int, default=10_000_000,
                        help="position events to write (10,000,000)")
    parser.add_argument("--days", type=int, default=7, help="days of history (7)")
    parser.add_argument("--database-url", help="an empty database to fill (default: a new "
                                               "SQLite file)")
    args = parser.parse_args(argv)
    return show(run(args.events, args.days, args.database_url), format_table, args.json)


if __name__ == "__main__":
    sys.exit(main())
