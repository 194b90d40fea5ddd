"""The three live loads together for minutes: the server's memory and each load's rate over time.

A real server process (``python -m server run``, gevent, the real venues, a fresh SQLite file,
the default settings but a raised per-connection event rate) takes at once, for ``--seconds``
after ``--warmup`` seconds of the same load:

- position ingest over HTTP: batches of 1,000 positions at random points of the Mogao site's
  bounding box (``bench_ingest.make_batches``), posted back to back from one or two client
  threads; each thread's 5,000 visitors are its own, and each batch's timestamps run from the
  end of that thread's previous batch up to the moment it is built, as a live gateway's do;
- 100 kiosks registered over REST, each a python-socketio client on ``/kiosk`` that calls
  ``heartbeat`` and waits for the ack, back to back (``socketio_peers.load``), and acks every
  command it receives with ``{"ok": true}``;
- a command fan-out every ``--fanout-every`` seconds: ``POST /api/v1/commands`` ``announce``
  to the group of all 100 kiosks; latency from just before the POST to each kiosk's receipt
  (``bench_fanout.Fleet.round``).

Figures: the server's RSS (``VmRSS``) after the warm-up and at the end, and its slope over the
run (least squares over a sample every ``--sample-every`` seconds); each load's rate and p99 in
the first and the last third of the run; errors and timeouts of every kind (a refused batch, a
heartbeat ack that is not ``ok``, a call that timed out, a kiosk that missed a command, a
disconnected kiosk, a traceback in the server's log); ``GET /api/v1/health`` after the warm-up
and at the end. The baseline is the same run's first third. Goal: no errors, health 200 at the
end, each load's last-third rate >= 0.8x its first third's, RSS slope <= 2 MB/min. The exit
status is 1 when there were errors or the health check failed.

    .venv/bin/python -m bench.bench_soak [--seconds 180] [--warmup 10] [--kiosks 100]
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.bench_fanout import Fleet  # noqa: E402
from bench.bench_ingest import VISITORS, make_batches  # noqa: E402
from bench.socketio_peers.load import _connect, _drive  # noqa: E402
from bench.socketio_peers.report import parser_for, show  # noqa: E402
from bench.socketio_peers.runner import cpu_seconds, percentile  # noqa: E402
from bench.socketio_peers.venue import SITE, create_kiosks, live_server, site_bbox  # noqa: E402

GOAL_OF_FIRST = 0.8
GOAL_SLOPE_MB_MIN = 2.0
GROUP = "soak"
LOADS = ("ingest", "heartbeat", "fanout")
UNITS = {"ingest": "positions/s", "heartbeat": "rt/s", "fanout": "deliveries/s"}


class Timeline:
    """When the run's phases begin and end (``time.monotonic``) and which third a moment is in."""

    def __init__(self, warmup: float, seconds: float) -> None:
        self.start = time.monotonic()
        self.begin = self.start + warmup
        self.end = self.begin + seconds
        self.third = seconds / 3

    def phases(self) -> list[tuple[float, float]]:
        """The warm-up then the three thirds, as (start, end)."""
        edges = [self.begin + k * self.third for k in range(3)] + [self.end]
        return [(self.start, self.begin), *zip(edges, edges[1:], strict=False)]

    def third_of(self, t: float) -> int | None:
        """0, 1 or 2 for a moment of the measured run; None in the warm-up or after the end."""
        if not self.begin <= t < self.end:
            return None
        return min(2, int((t - self.begin) / self.third))


class Tally:
    """Per load and third: work done and latencies; errors by load and kind for the whole run."""

    def __init__(self) -> None:
        self.done = {load: [0, 0, 0] for load in LOADS}
        self.latencies: dict[str, list[list[float]]] = {load: [[], [], []] for load in LOADS}
        self.errors: dict[str, Counter[str]] = {load: Counter() for load in LOADS}
        self.lock = threading.Lock()

    def add(self, load: str, third: int | None, amount: int, latencies_s: Sequence[float]) -> None:
        if third is None:
            return
        with self.lock:
            self.done[load][third] += amount
            self.latencies[load][third].extend(latencies_s)

    def error(self, load: str, kind: str, n: int = 1) -> None:
        if n:
            with self.lock:
                self.errors[load][kind] += n


def live_batch(bbox: tuple[float, float, float, float], size: int, thread: int, n: int,
               since: float, now: float) -> list[dict[str, Any]]:
    """Batch ``n`` of client thread ``thread``: ``size`` positions of that thread's own
    visitors, their times evenly spread over (``since``, ``now``] (epoch seconds)."""
    batch = make_batches(1, size, bbox, seed=thread * 10_000_000 + n)[0]
    step = (now - since) / size
    for i, p in enumerate(batch):
        p["visitor_id"] = f"t{thread}-{p['visitor_id']}"
        p["ts"] = datetime.fromtimestamp(since + step * (i + 1), UTC).isoformat()
    return batch


def ingest_worker(url: str, token: str, bbox: tuple[float, float, float, float], size: int,
                  thread: int, timeline: Timeline, tally: Tally) -> None:
    """Post live batches back to back until the run ends."""
    import requests

    since = time.time() - 1.0
    n = 0
    with requests.Session() as http:
        http.headers.update({"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        while time.monotonic() < timeline.end:
            now = time.time()
            body = json.dumps({"positions": live_batch(bbox, size, thread, n, since, now)})
            since, n = now, n + 1
            t0 = time.monotonic()
            try:
                resp = http.post(url, data=body, timeout=60)
            except requests.RequestException as exc:
                tally.error("ingest", type(exc).__name__)
                continue
            t1 = time.monotonic()
            if resp.status_code != 200:
                tally.error("ingest", f"HTTP {resp.status_code}: {resp.text[:120]}")
            elif (accepted := resp.json().get("accepted")) != size:
                tally.error("ingest", f"accepted {accepted} of {size}")
            else:
                tally.add("ingest", timeline.third_of(t1), size, [t1 - t0])


def rss_mb(pid: int) -> float:
    """The resident set size of process ``pid`` in MB (``VmRSS``); NaN without /proc."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def health(url: str) -> dict[str, Any]:
    """``GET /api/v1/health``: its status code, and the loops that stopped."""
    import requests

    resp = requests.get(f"{url}/api/v1/health", timeout=10)
    body = resp.json()
    return {"status": resp.status_code, "state": body.get("status"),
            "stopped": body.get("stopped", []), "loops": sorted(body.get("loops", {}))}


async def heartbeats(clients: Sequence[Any], timeline: Timeline, tally: Tally) -> None:
    """Each kiosk calls ``heartbeat`` back to back through every phase of the run."""

    async def one(sio: Any) -> None:
        for k, (t_start, t_end) in enumerate(timeline.phases()):
            latencies: list[float] = []
            errors: Counter[str] = Counter()
            await _drive(sio, t_start, t_end, latencies, errors)
            for kind, n in errors.items():
                tally.error("heartbeat", kind, n)
            if k > 0:  # (a call that straddles a phase's end counts in neither phase)
                tally.add("heartbeat", k - 1, len(latencies), latencies)

    await asyncio.gather(*(one(s) for s in clients))


async def fanouts(fleet: Fleet, post: Any, every: float, timeline: Timeline, tally: Tally) -> None:
    """An announcement to every kiosk each ``every`` seconds, half a period off the thirds'
    edges so that each third holds the same number of rounds (its length a multiple of
    ``every``); a round counts in the third it was due in."""
    k = -int((timeline.begin - timeline.start) / every)
    while (due := timeline.begin + (k + 0.5) * every) < timeline.end:
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        key = f"soak announcement {k}"
        k += 1
        try:
            result = await fleet.round(key, lambda key=key: post(key))  # type: ignore[misc]
        except Exception as exc:  # every failure is counted, by kind
            tally.error("fanout", type(exc).__name__)
            continue
        tally.error("fanout", "missed command", result["missing"])
        tally.add("fanout", timeline.third_of(due), len(result["latencies_s"]),
                  result["latencies_s"])


async def rss_samples(pid: int, every: float, timeline: Timeline) -> list[tuple[float, float]]:
    """(seconds since the warm-up ended, RSS in MB) every ``every`` seconds of the run."""
    samples = []
    k = 0
    while (t := timeline.begin + k * every) <= timeline.end + 1e-6:
        await asyncio.sleep(max(0.0, t - time.monotonic()))
        samples.append((time.monotonic() - timeline.begin, rss_mb(pid)))
        k += 1
    return samples


async def cpu_marks(pid: int, timeline: Timeline) -> list[dict[str, float]]:
    """The server's and this process's CPU share in each third (1.0 = one core)."""
    edges = [timeline.begin + k * timeline.third for k in range(3)] + [timeline.end]
    marks = []
    for t in edges:
        await asyncio.sleep(max(0.0, t - time.monotonic()))
        marks.append((cpu_seconds(pid), time.process_time()))
    return [{"server": (b[0] - a[0]) / timeline.third, "client": (b[1] - a[1]) / timeline.third}
            for a, b in zip(marks, marks[1:], strict=False)]


async def drive(server: Any, creds: Sequence[dict[str, str]], bbox: tuple[float, float, float, float],
                settings: dict[str, Any]) -> dict[str, Any]:
    """Connect the kiosks, start the ingest threads, run every load to the end; the figures."""
    import requests

    fleet = Fleet()
    clients = []
    for cred in creds:
        sio = await _connect(server.url, cred["kiosk_id"], cred["token"])
        seen: dict[str, float] = {}

        def on_command(data: Any, seen: dict[str, float] = seen) -> dict[str, bool]:
            if isinstance(data, dict):
                seen.setdefault(str(data.get("args", {}).get("text")), time.monotonic())
            return {"ok": True}

        sio.on("command", on_command, namespace="/kiosk")
        clients.append(sio)
        fleet.received.append(seen)

    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {server.admin}"

    def post(text: str) -> None:
        resp = http.post(f"{server.url}/api/v1/commands", timeout=30, json={
            "group": GROUP, "action": "announce", "args": {"text": text}})
        resp.raise_for_status()

    tally = Tally()
    timeline = Timeline(settings["warmup"], settings["seconds"])
    url = f"{server.url}/api/v1/sites/{SITE}/positions"
    workers = [threading.Thread(target=ingest_worker, daemon=True, args=(
        url, server.admin, bbox, settings["size"], t, timeline, tally))
        for t in range(settings["ingest_threads"])]
    for w in workers:
        w.start()
    sampling = asyncio.create_task(rss_samples(server.proc.pid, settings["sample_every"], timeline))
    cpu = asyncio.create_task(cpu_marks(server.proc.pid, timeline))
    await asyncio.sleep(max(0.0, timeline.begin - time.monotonic()))
    health_start = await asyncio.to_thread(health, server.url)
    try:
        await asyncio.gather(heartbeats(clients, timeline, tally),
                             fanouts(fleet, post, settings["fanout_every"], timeline, tally))
        for w in workers:
            await asyncio.to_thread(w.join, 120)
            if w.is_alive():
                tally.error("ingest", "client thread did not finish")
        tally.error("heartbeat", "kiosk disconnected", sum(not s.connected for s in clients))
        samples, cpu_thirds = await sampling, await cpu
        health_end = await asyncio.to_thread(health, server.url)
    finally:
        await asyncio.gather(*(s.disconnect() for s in clients), return_exceptions=True)
        http.close()
    return {"tally": tally, "samples": samples, "health": {"start": health_start, "end": health_end},
            "third_s": timeline.third, "cpu": cpu_thirds}


def summarise(tally: Tally, third_s: float) -> dict[str, Any]:
    """Each load's rate and latency percentiles per third."""
    loads = {}
    for load in LOADS:
        thirds = []
        for k in range(3):
            lat = sorted(tally.latencies[load][k])
            thirds.append({"rate": tally.done[load][k] / third_s, "count": len(lat),
                           "p50_ms": percentile(lat, 50) * 1e3, "p99_ms": percentile(lat, 99) * 1e3})
        first = thirds[0]["rate"]
        loads[load] = {"unit": UNITS[load], "thirds": thirds,
                       "of_first": thirds[2]["rate"] / first if first > 0 else float("nan"),
                       "errors": dict(tally.errors[load])}
    return loads


def memory(samples: Sequence[tuple[float, float]]) -> dict[str, Any]:
    """RSS at the start and the end and its least-squares slope in MB a minute."""
    ts, mb = [t for t, _ in samples], [m for _, m in samples]
    slope = statistics.linear_regression(ts, mb).slope * 60 if len(samples) >= 2 else float("nan")
    return {"start_mb": mb[0], "end_mb": mb[-1], "peak_mb": max(mb), "slope_mb_min": slope,
            "samples": [[round(t, 2), round(m, 2)] for t, m in samples]}


def run(seconds: float = 180.0, warmup: float = 10.0, kiosks: int = 100, ingest_threads: int = 1,
        size: int = 1000, fanout_every: float = 5.0, sample_every: float = 5.0) -> dict[str, Any]:
    """Start a server, run the three loads together, and report memory, rates and errors."""
    if seconds <= 0 or warmup < 0 or kiosks < 1 or ingest_threads not in (1, 2) or size < 1 \
            or fanout_every <= 0 or sample_every <= 0:
        raise ValueError("seconds, fanout_every and sample_every must be > 0, warmup >= 0, "
                         "kiosks and size >= 1, ingest_threads 1 or 2")
    settings = {"seconds": seconds, "warmup": warmup, "kiosks": kiosks,
                "ingest_threads": ingest_threads, "size": size, "fanout_every": fanout_every,
                "sample_every": sample_every, "visitors_per_thread": VISITORS}
    # 100 kiosks calling back to back go past the default 50 events a second a connection
    with live_server(LANTERN_SOCKET_RATE="100000") as server:
        creds = create_kiosks(server, kiosks, group=GROUP)
        bbox = site_bbox(server)
        out = asyncio.run(drive(server, creds, bbox, settings))
        log = server.tmp / f"server-{server.port}.log"
        tracebacks = log.read_text(errors="replace").count("Traceback") if log.exists() else 0
    loads = summarise(out["tally"], out["third_s"])
    errors = sum(sum(r["errors"].values()) for r in loads.values()) + tracebacks
    mem = memory(out["samples"])
    healthy = out["health"]["end"]["status"] == 200
    steady = all(r["of_first"] >= GOAL_OF_FIRST for r in loads.values())
    return {"settings": settings, "memory": mem, "loads": loads, "cpu": out["cpu"],
            "health": out["health"],
            "server_tracebacks": tracebacks, "errors": errors, "passed": errors == 0 and healthy,
            "meets_goal": errors == 0 and healthy and steady
            and mem["slope_mb_min"] <= GOAL_SLOPE_MB_MIN}


def format_table(report: dict[str, Any]) -> str:
    """Render a report from :func:`run` as a fixed-width table."""
    head = (f"{'load':<10} {'unit':<13} {'first third':>11} {'last third':>10} {'x first':>7} "
            f"{'p99 ms first':>12} {'p99 ms last':>11} {'errors':>6}")
    lines = [head, "-" * len(head)]
    for name, r in report["loads"].items():
        first, last = r["thirds"][0], r["thirds"][2]
        lines.append(f"{name:<10} {r['unit']:<13} {first['rate']:>11,.0f} {last['rate']:>10,.0f} "
                     f"{r['of_first']:>7.2f} {first['p99_ms']:>12.1f} {last['p99_ms']:>11.1f} "
                     f"{sum(r['errors'].values()):>6}")
    m, s, h, cpu = report["memory"], report["settings"], report["health"], report["cpu"]
    kinds = {f"{load}: {kind}": n for load, r in report["loads"].items()
             for kind, n in r["errors"].items()}
    if report["server_tracebacks"]:
        kinds["server log: Traceback"] = report["server_tracebacks"]
    lines += ["",
              f"server RSS: {m['start_mb']:.1f} MB after the warm-up (baseline), {m['end_mb']:.1f} MB "
              f"at the end, peak {m['peak_mb']:.1f} MB; slope {m['slope_mb_min']:+.2f} MB/min over "
              f"{len(m['samples'])} samples",
              f"CPU (1.0 = a core), first / last third: server {cpu[0]['server']:.2f} / "
              f"{cpu[2]['server']:.2f}, load generator {cpu[0]['client']:.2f} / {cpu[2]['client']:.2f}",
              f"health: {h['start']['status']} after the warm-up (baseline), {h['end']['status']} "
              f"({h['end']['state']}) at the end; stopped loops: {h['end']['stopped'] or 'none'}",
              f"errors and timeouts: {report['errors']}"
              + (f" ({', '.join(f'{k} x{n}' for k, n in kinds.items())})" if kinds else ""),
              f"{s['seconds']:g} s measured after {s['warmup']:g} s warm-up; {s['ingest_threads']} "
              f"ingest thread(s) of {s['size']}-position batches, {s['kiosks']} kiosks calling "
              f"heartbeat back to back, one announcement to all every {s['fanout_every']:g} s. "
              f"Baseline: the first third.",
              f"Goal (no errors, health 200, last third >= {GOAL_OF_FIRST}x first for every load, "
              f"RSS slope <= {GOAL_SLOPE_MB_MIN:g} MB/min): "
              f"{'met' if report['meets_goal'] else 'NOT met'}."]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print the table (and, with ``--json``, the whole report); exit 1 on errors."""
    parser = parser_for(__doc__)
    parser.add_argument("--seconds", type=float, default=180.0, help="measured seconds (180)")
    parser.add_argument("--warmup", type=float, default=10.0, help="warm-up seconds (10)")
    parser.add_argument("--kiosks", type=int, default=100, help="connected kiosks (100)")
    parser.add_argument("--ingest-threads", type=int, default=1, choices=(1, 2),
                        help="client threads posting positions (1)")
    parser.add_argument("--size", type=int, default=1000, help="positions a batch (1000)")
    parser.add_argument("--fanout-every", type=float, default=5.0,
                        help="seconds between announcements (5)")
    parser.add_argument("--sample-every", type=float, default=5.0,
                        help="seconds between RSS samples (5)")
    args = parser.parse_args(argv)
    report = run(args.seconds, args.warmup, args.kiosks, args.ingest_threads, args.size,
                 args.fanout_every, args.sample_every)
    code = show(report, format_table, args.json)
    return code or (0 if report["passed"] else 1)


if __name__ == "__main__":
    sys.exit(main())
