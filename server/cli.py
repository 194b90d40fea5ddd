"""`python -m server ...`: run, demo, history, init-db, load-venues, create-user, create-token,
revoke-token, create-kiosk, kiosk-token, users, backup, restore, purge-positions."""

from __future__ import annotations

import gc
import getpass
import json
import signal
import socket
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import click

from server import create_app, errors
from server.config import ROOT
from server.demo import history as hist
from server.domain.fleet import KIOSK_KINDS


def _app(ctx: click.Context):  # type: ignore[no-untyped-def]
    if ctx.obj is None:
        ctx.obj = create_app()
    return ctx.obj


def _fail(exc: errors.LanternError) -> None:
    click.echo(f"error: {exc.message}", err=True)
    for line in exc.details or []:
        click.echo(f"  - {line}", err=True)
    sys.exit(2)


@click.group()
@click.pass_context
def main(ctx: click.Context) -> None:
    """Lantern: the backend of heritage venues."""


@main.command("init-db")
@click.pass_context
def init_db(ctx: click.Context) -> None:
    """Create the database or migrate it to the newest schema."""
    app = _app(ctx)
    app.extensions["lantern"].db.migrate()
    click.echo(f"database ready: {_safe_url(app.config['DATABASE_URL'])}")


@main.command("load-venues")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="print the result as JSON")
@click.pass_context
def load_venues(ctx: click.Context, path: Path | None, as_json: bool) -> None:
    """Validate and import the venue folder (idempotent; a changed zone gets a new version)."""
    from server.services.venues import import_venues

    app = _app(ctx)
    db = app.extensions["lantern"].db
    db.migrate()
    root = path or Path(app.config["LANTERN_VENUES_PATH"])
    try:
        with db.transaction() as session:
            result = import_venues(session, root)
    except errors.LanternError as exc:
        _fail(exc)
    if as_json:
        click.echo(json.dumps(result.as_dict()))
    else:
        click.echo(f"imported {', '.join(result.sites)}: {result.zones_added} zone version(s) "
                   f"added, {result.zones_unchanged} unchanged, {result.zones_retired} retired")


@main.command("create-user")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["admin", "operator", "planner", "viewer"]))
@click.pass_context
def create_user_cmd(ctx: click.Context, name: str, role: str) -> None:
    """Create a user; the password is read from stdin (or prompted on a terminal)."""
    from server.auth import create_user

    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
    else:
        password = sys.stdin.readline().rstrip("\n")
    db = _app(ctx).extensions["lantern"].db
    db.migrate()
    try:
        with db.transaction() as session:
            create_user(session, name, password, role)
            from server.services import audit

            audit.record(session, "cli", "create_user", name, role=role)
    except errors.LanternError as exc:
        _fail(exc)
    click.echo(f"created user {name} ({role})")


@main.command("create-token")
@click.option("--role", required=True,
              type=click.Choice(["admin", "operator", "planner", "viewer", "ingest"]))
@click.option("--name", default=None, help="what the token is for")
@click.option("--expires-in", "expires_in", type=click.IntRange(min=1), default=None,
              help="seconds until the token stops working (default: never)")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def create_token_cmd(ctx: click.Context, role: str, name: str | None, expires_in: int | None,
                     as_json: bool) -> None:
    """Create an API token for a machine; it is shown once and stored hashed."""
    from datetime import timedelta

    from server.services import tokens
    from server.storage.models import utcnow

    db = _app(ctx).extensions["lantern"].db
    db.migrate()
    expires = utcnow() + timedelta(seconds=expires_in) if expires_in else None
    with db.transaction() as session:
        issued = tokens.issue(session, role, name, expires, actor="cli")
    click.echo(json.dumps({"id": issued.id, "token": issued.token, "prefix": issued.prefix,
                           "role": role, "name": name,
                           "expires_at": expires.isoformat() if expires else None})
               if as_json else issued.token)


@main.command("revoke-token")
@click.argument("token_id", type=int)
@click.pass_context
def revoke_token_cmd(ctx: click.Context, token_id: int) -> None:
    """Revoke an API token by its id (`GET /api/v1/tokens` lists them); its sockets close."""
    from server.realtime.bus import RedisBus
    from server.services import tokens

    app = _app(ctx)
    state = app.extensions["lantern"]
    try:
        with state.db.transaction() as session:
            row, changed = tokens.revoke(session, token_id, "cli")
    except errors.LanternError as exc:
        _fail(exc)
        return
    if changed and state.settings.get("SOCKETIO_MESSAGE_QUEUE"):
        # every server process sharing the queue closes the token's open sockets at once
        RedisBus(state.settings["SOCKETIO_MESSAGE_QUEUE"]).publish(
            {"type": "revoke_token", "token_id": token_id})
    click.echo(f"token {row['id']} ({row['prefix']}, {row['role']}) revoked at {row['revoked_at']}"
               if changed else f"token {row['id']} was already revoked at {row['revoked_at']}")


@main.command("create-kiosk")
@click.option("--site", required=True)
@click.option("--lon", required=True, type=float)
@click.option("--lat", required=True, type=float)
@click.option("--kind", default=KIOSK_KINDS[0], type=click.Choice(KIOSK_KINDS), show_default=True)
@click.option("--name", default="")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def create_kiosk_cmd(ctx: click.Context, site: str, lon: float, lat: float, kind: str, name: str,
                     as_json: bool) -> None:
    """Register a kiosk and print its id and token."""
    from server.services import audit
    from server.services.kiosks import create_kiosk

    state = _app(ctx).extensions["lantern"]
    state.db.migrate()
    try:
        with state.db.transaction() as session:
            kiosk_id, token = create_kiosk(session, site, lon, lat, kind, name,
                                           zones=state.zone_index)
            audit.record(session, "cli", "create_kiosk", kiosk_id, site=site)
    except errors.LanternError as exc:
        _fail(exc)
    if as_json:
        click.echo(json.dumps({"kiosk_id": kiosk_id, "token": token}))
    else:
        click.echo(f"kiosk {kiosk_id}\ntoken {token}")


@main.command("kiosk-token")
@click.argument("kiosk_id")
@click.option("--json", "as_json", is_flag=True, help='print {"kiosk_id", "token"}')
@click.pass_context
def kiosk_token_cmd(ctx: click.Context, kiosk_id: str, as_json: bool) -> None:
    """Issue or rotate an approved kiosk's token; the old one stops working at once."""
    from server.services.kiosks import rotate_token

    state = _app(ctx).extensions["lantern"]
    state.db.migrate()
    try:
        with state.db.transaction() as session:
            token = rotate_token(session, kiosk_id, "cli")
    except errors.LanternError as exc:
        _fail(exc)
        return
    # a server sharing the message queue closes the kiosk's open connection now; without one,
    # the connection lasts until it drops (POST /api/v1/kiosks/<id>/token closes it at once)
    state.hub.disconnect(kiosk_id)
    click.echo(json.dumps({"kiosk_id": kiosk_id, "token": token}) if as_json else token)


HOST = click.option("--host", default="127.0.0.1", show_default=True,
                    help="address to listen on (0.0.0.0 for every interface)")
PORT = click.option("--port", default=5000, type=click.IntRange(0, 65535), show_default=True,
                    help="TCP port to listen on")


@main.command("run")
@HOST
@PORT
@click.pass_context
def run(ctx: click.Context, host: str, port: int) -> None:
    """Serve the API, Socket.IO and the control panel."""
    _require_free_port(host, port)
    app = _app(ctx)
    app.extensions["lantern"].db.migrate()
    _serve(app, host, port)


def _kiosk_size(ctx: click.Context, param: click.Parameter, value: str) -> str:
    w, _, h = value.lower().partition("x")
    if not (w.isdigit() and h.isdigit() and 16 <= int(w) <= 3840 and 16 <= int(h) <= 2160):
        raise click.BadParameter(f"{value!r} is not a size WxH from 16x16 to 3840x2160")
    return f"{int(w)}x{int(h)}"


@main.command("demo")
@HOST
@PORT
@click.option("--no-history", is_flag=True,
              help="do not write a past for the venues on the first start  [default: write "
                   "one, unless the database has one]")
@click.option("--history-days", default=hist.DEMO_DAYS, type=click.IntRange(min=1),
              show_default=True, help="days of past the first start writes")
@click.option("--history-scale", default=hist.DEMO_SCALE,
              type=click.FloatRange(0, 1, min_open=True), show_default=True,
              help="share of visitors whose positions the first start's past holds")
@click.option("--no-kiosks", is_flag=True, help="start no kiosk programs")
@click.option("--kiosk-size", default="640x360", show_default=True, callback=_kiosk_size,
              help="size the kiosk programs render at, WxH")
@click.option("--kiosk-fps", default=10.0, type=click.FloatRange(1, 60), show_default=True,
              help="frame-rate cap of the kiosk programs")
@click.option("--fresh", is_flag=True,
              help="delete the demo's SQLite database and its state in the instance folder "
                   "first")
@click.pass_context
def demo(ctx: click.Context, host: str, port: int, no_history: bool, history_days: int,
         history_scale: float, no_kiosks: bool, kiosk_size: str, kiosk_fps: float,
         fresh: bool) -> None:
    """A living venue: migrate, load the demo venues, write a past on the first start, ensure
    a user of each role, start simulated visitors and sensors, a CO2 episode and three kiosk
    programs at Mogao, and serve (docs/demo.md)."""
    from server.api.health import DEMO_EXTENSION
    from server.auth import create_user
    from server.demo.live import DemoOptions, LiveDemo
    from server.demo.logins import ensure_logins
    from server.extensions import socketio
    from server.services.venues import import_venues

    _require_free_port(host, port)
    app = _app(ctx)
    if fresh:
        _delete_demo_state(app)
    state = app.extensions["lantern"]
    db = state.db
    db.migrate()
    with db.transaction() as session:
        result = import_venues(session, Path(app.config["LANTERN_VENUES_PATH"]))
    if no_history:
        click.echo("history: not written (--no-history)")
    elif hist.history_exists(db):
        click.echo("history: already written (a first start wrote it; "
                   "`python -m server history` writes more)")
    else:
        _write_history(app, days=history_days, scale=history_scale, sites=(),
                       seed=hist.DEFAULT_SEED, end=None, progress=True)
    logins = ensure_logins(db, Path(app.instance_path), create_user)
    live = LiveDemo(state, Path(app.instance_path), ROOT,
                    DemoOptions(kiosk_size, kiosk_fps, start_kiosks=not no_kiosks))
    story = live.prepare()
    _stop_on_sigterm(app.config["LANTERN_ASYNC_MODE"])
    try:
        live.start(socketio, _local_url(host, port))
        app.extensions[DEMO_EXTENSION] = live.facts()
        click.echo(f"venues: {', '.join(result.sites)}")
        click.echo(f"control panel: http://{_shown_host(host)}:{port}/panel")
        for username, password in logins.items():
            click.echo(f"login: {username:<8} / {password}")
        click.echo(live.crowd_line())
        if live.children.procs:
            click.echo(f"kiosk programs: {', '.join(live.children.procs)}; their logs: "
                       f"{live.children.root}/<kiosk>.log")
        elif no_kiosks:
            click.echo("kiosk programs: none (--no-kiosks)")
        click.echo(f"watch: {live.watch_line()}" if story.episode is not None
                   else f"no CO2 episode: {story.why_no_episode}")
        click.echo("stop: Ctrl-C (stops the server and the kiosk programs)")
        _serve(app, host, port)
    except KeyboardInterrupt:
        pass
    finally:
        stopped = len(live.children.procs)
        live.stop()
        click.echo(f"demo stopped: the server and {stopped} kiosk program(s)")


def _stop_on_sigterm(async_mode: str) -> None:
    """SIGTERM stops the demo as Ctrl-C does, so that its kiosk programs are stopped too."""
    if async_mode == "gevent":
        import gevent

        # as gevent itself delivers Ctrl-C: into the main greenlet, which is serving
        gevent.signal_handler(signal.SIGTERM, gevent.getcurrent().throw, KeyboardInterrupt)
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def _local_url(host: str, port: int) -> str:
    """Where a program on this machine reaches the server listening on ``host``."""
    if host in ("0.0.0.0", ""):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _shown_host(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "", "::") else host


def _delete_demo_state(app) -> None:  # type: ignore[no-untyped-def]
    """``--fresh``: delete the SQLite database and the demo's files in the instance folder;
    refuse for any other database."""
    import shutil

    from sqlalchemy.engine import make_url

    url = make_url(app.config["DATABASE_URL"])
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        click.echo(f"error: --fresh deletes only a SQLite database file, and DATABASE_URL is "
                   f"{_safe_url(str(app.config['DATABASE_URL']))}; empty that database "
                   f"yourself, or start without --fresh", err=True)
        sys.exit(2)
    app.extensions["lantern"].db.engine.dispose()
    database = Path(url.database)
    for path in [database, *(database.with_name(database.name + s)
                             for s in ("-wal", "-shm", "-journal"))]:
        path.unlink(missing_ok=True)
    instance = Path(app.instance_path)
    for name in ("demo_logins.json", "demo_login"):
        (instance / name).unlink(missing_ok=True)
    shutil.rmtree(instance / "demo", ignore_errors=True)
    reports = Path(app.config["LANTERN_REPORTS_PATH"]).resolve()
    if reports.is_relative_to(instance.resolve()):
        shutil.rmtree(reports, ignore_errors=True)  # their runs were in the deleted database
    click.echo(f"fresh: deleted {database} and the demo's state in {instance}")


@main.command("history")
@click.option("--days", default=hist.DEFAULT_DAYS, type=click.IntRange(min=1), show_default=True,
              help="whole days of history, ending where --end begins")
@click.option("--site", "sites", multiple=True,
              help="a site id (repeat for several)  [default: every site with a visiting "
                   "pattern]")
@click.option("--seed", default=hist.DEFAULT_SEED, type=click.IntRange(min=0), show_default=True,
              help="the same seed writes the same rows")
@click.option("--scale", default=hist.DEFAULT_SCALE, type=click.FloatRange(0, 1, min_open=True),
              show_default=True,
              help="share of visitors whose positions and kiosk sessions are written (the "
                   "crowd the caves' air feels is always full size)")
@click.option("--end", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="the day the history stops before, at the sites' local midnight  "
                   "[default: today]")
@click.option("--no-progress", is_flag=True,
              help="no progress bar  [default: a progress bar on stderr]")
@click.pass_context
def history_cmd(ctx: click.Context, days: int, sites: tuple[str, ...], seed: int, scale: float,
                end: Any, no_progress: bool) -> None:
    """Write a seeded, deterministic past for the venues through the server's own use cases
    (docs/history.md). Written again over the same days, nothing is stored twice."""
    from server.services.venues import import_venues

    app = _app(ctx)
    db = app.extensions["lantern"].db
    db.migrate()
    try:
        with db.transaction() as session:
            import_venues(session, Path(app.config["LANTERN_VENUES_PATH"]))
    except errors.LanternError as exc:
        _fail(exc)
    _write_history(app, days=days, scale=scale, sites=sites, seed=seed,
                   end=end.date() if end else None, progress=not no_progress)


def _write_history(app, *, days: int, scale: float, sites: tuple[str, ...], seed: int,  # type: ignore[no-untyped-def]
                   end: Any, progress: bool) -> None:
    """Write the history with a progress bar, then one line a site and the totals."""
    from tqdm import tqdm

    state = app.extensions["lantern"]
    try:
        chosen = hist.sites_for(state.db, sites)
    except errors.LanternError as exc:
        _fail(exc)
    bar = tqdm(total=len(chosen) * days, unit="site-day", desc="history", disable=not progress,
               file=sys.stderr, dynamic_ncols=True)
    done: dict[str, int] = {}

    def on_day(site_id: str, day: Any, counts: dict[str, int]) -> None:
        done[site_id] = counts.get("sent", 0)
        bar.set_postfix_str(f"{site_id} {day} positions {sum(done.values()):,}")
        bar.update(1)

    state.db.start_checkpointer()  # SQLite: copy the write-ahead log beside the writing
    try:
        report = hist.generate_history(state.db, state.zone_index, days=days, end=end,
                                       sites=[s for s, _ in chosen], seed=seed, scale=scale,
                                       assets=Path(app.config["LANTERN_ASSETS_PATH"]),
                                       on_day=on_day)
    except errors.LanternError as exc:
        bar.close()
        _fail(exc)
    bar.close()
    click.echo(f"history {report.start} .. {report.end - timedelta(days=1)} ({days} day(s)), "
               f"seed {seed}, scale {scale:g}, written in {report.seconds:.1f} s:")
    for site_id, c in report.sites.items():
        click.echo(f"  {site_id}: {c['visitors']:,} visitors ({c['reporters']:,} reporting), "
                   f"{c['positions']:,} positions ({c['duplicates']:,} already stored), "
                   f"{c['readings']:,} readings, {c['alerts']} alerts, {c['closures']} "
                   f"closures, {c['session_events']:,} kiosk session events")
    click.echo(f"  total: {report.total('positions'):,} positions")


def _require_free_port(host: str, port: int) -> None:
    """Stop with one line when another process listens on the port, before any set-up runs
    (otherwise the demo prints a login for a server that never starts, then a traceback)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as exc:
        click.echo(f"error: cannot listen on {host}: {exc.strerror}", err=True)
        sys.exit(2)
    with socket.socket(family, kind, proto) as probe:
        # as the server will: a port left in TIME_WAIT by a stopped server is free to use
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            other = 5001 if port != 5001 else 5002
            click.echo(f"error: port {port} on {host} is taken ({exc.strerror}), perhaps by "
                       f"another Lantern; choose another port: `make run PORT={other}` or "
                       f"`--port {other}`", err=True)
            sys.exit(2)


def _serve(app, host: str, port: int) -> None:  # type: ignore[no-untyped-def]
    from server.extensions import socketio

    app.extensions["lantern"].hub.start()
    # What is loaded by now (the app, the venues' indexes) lives as long as the process: keep
    # it out of the collector's scans, and collect young objects less often. A batch of 1,000
    # positions allocates tens of thousands of objects; with the defaults a full collection over
    # every visitor's state ran every few batches.
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
    socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True, use_reloader=False,
                 log_output=False)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


# -- users, backup and restore, retention ----------------------------------------------------

ROLE = click.Choice(["admin", "operator", "planner", "viewer"])
NOT_RUN = 3  # the exit status of a command that printed what to run instead (PostgreSQL)


def _password_from_stdin(given: bool) -> str | None:
    """The password on stdin's first line with ``--password-stdin``; None: generate one."""
    if not given:
        return None
    if sys.stdin.isatty():
        return getpass.getpass("Password: ")
    return sys.stdin.readline().rstrip("\n")


def _signed_out_elsewhere(state: Any, login_session_ids: list[str]) -> None:
    """Tell the pages of ended login sessions, through the message queue the servers share
    (each page stops; a request or command of theirs is refused already)."""
    queue = state.settings.get("SOCKETIO_MESSAGE_QUEUE")
    if not queue or not login_session_ids:
        return
    from flask_socketio import SocketIO

    from server.realtime.control import NAMESPACE, session_room

    writer = SocketIO(message_queue=queue)
    for login_session_id in login_session_ids:
        writer.emit("signed_out", {}, namespace=NAMESPACE, to=session_room(login_session_id))


@main.group("users")
def users_cmd() -> None:
    """Users: list, create, set-role, disable, enable, reset-password (docs/admin.md)."""


def _users_db(ctx: click.Context) -> Any:
    state = _app(ctx).extensions["lantern"]
    state.db.migrate()
    return state


@users_cmd.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def users_list(ctx: click.Context, as_json: bool) -> None:
    """Every user: name, role, active, created, last sign-in."""
    from server.services import users

    state = _users_db(ctx)
    with state.db.open_session() as session:
        rows = users.listing(session)
    if as_json:
        click.echo(json.dumps({"users": rows}))
        return
    for row in rows:
        click.echo(f"{row['username']:<20} {row['role']:<9} "
                   f"{'active' if row['active'] else 'disabled':<9} "
                   f"last sign-in {row['last_sign_in'] or 'never'}")


@users_cmd.command("create")
@click.argument("name")
@click.option("--role", required=True, type=ROLE)
@click.option("--password-stdin", is_flag=True,
              help="read the password from stdin  [default: generate one and print it once]")
@click.pass_context
def users_create(ctx: click.Context, name: str, role: str, password_stdin: bool) -> None:
    """Create a user; a generated password is printed once."""
    from server.services import users

    state = _users_db(ctx)
    password = _password_from_stdin(password_stdin)
    try:
        with state.db.transaction() as session:
            made = users.add_user(session, name, role, password, actor="cli")
    except errors.LanternError as exc:
        _fail(exc)
        return
    click.echo(f"created user {name} ({role})")
    if made.password:
        click.echo(f"password: {made.password}")


def _update_user(ctx: click.Context, name: str, **change: Any) -> None:
    from server.services import users

    state = _users_db(ctx)
    try:
        with state.db.transaction() as session:
            user, ended = users.update(session, name, actor="cli", **change)
            role, active = user.role, user.active
    except errors.LanternError as exc:
        _fail(exc)
        return
    _signed_out_elsewhere(state, ended)
    click.echo(f"user {name}: {role}, {'active' if active else 'disabled'}; "
               f"{len(ended)} login session(s) ended")


@users_cmd.command("set-role")
@click.argument("name")
@click.argument("role", type=ROLE)
@click.pass_context
def users_set_role(ctx: click.Context, name: str, role: str) -> None:
    """Give a user another role; their login sessions end."""
    _update_user(ctx, name, role=role)


@users_cmd.command("disable")
@click.argument("name")
@click.pass_context
def users_disable(ctx: click.Context, name: str) -> None:
    """Stop a user from signing in; their login sessions end."""
    _update_user(ctx, name, active=False)


@users_cmd.command("enable")
@click.argument("name")
@click.pass_context
def users_enable(ctx: click.Context, name: str) -> None:
    """Let a disabled user sign in again."""
    _update_user(ctx, name, active=True)


@users_cmd.command("reset-password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True,
              help="read the new password from stdin  [default: generate one and print it]")
@click.pass_context
def users_reset_password(ctx: click.Context, name: str, password_stdin: bool) -> None:
    """Give a user a new password (generated and printed once); their login sessions end."""
    from server.services import users

    state = _users_db(ctx)
    password = _password_from_stdin(password_stdin)
    try:
        with state.db.transaction() as session:
            if password is None:
                password, ended = users.reset_password(session, name, actor="cli")
                shown: str | None = password
            else:
                ended, shown = users.set_password(session, name, password, actor="cli"), None
    except errors.LanternError as exc:
        _fail(exc)
        return
    _signed_out_elsewhere(state, ended)
    click.echo(f"password of {name} reset; {len(ended)} login session(s) ended")
    if shown:
        click.echo(f"password: {shown}")


@main.command("backup")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.pass_context
def backup_cmd(ctx: click.Context, path: Path) -> None:
    """Copy the SQLite database into PATH, safely while servers run; for PostgreSQL, print
    the pg_dump command (exit status 3: nothing was copied)."""
    from server.services import backup

    url = _app(ctx).config["DATABASE_URL"]
    try:
        database = backup.sqlite_path(url)
        if database is None:
            _print_postgres(url, path, "backup")
        assert database is not None
        size = backup.backup_sqlite(database, path)
        revision = backup.check_backup(path)
    except errors.LanternError as exc:
        _fail(exc)
        return
    click.echo(f"backed up {database} to {path} ({size:,} bytes, schema revision {revision})")


@main.command("restore")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.pass_context
def restore_cmd(ctx: click.Context, path: Path) -> None:
    """Replace the SQLite database with the backup PATH (stop every server first; refused
    while one has the database open) and migrate it to this Lantern's schema; for
    PostgreSQL, print the pg_restore command (exit status 3)."""
    from server.services import backup

    app = _app(ctx)
    url = app.config["DATABASE_URL"]
    try:
        database = backup.sqlite_path(url)
        if database is None:
            _print_postgres(url, path, "restore")
        assert database is not None
        restored = backup.restore_sqlite(path, database)
    except errors.LanternError as exc:
        _fail(exc)
        return
    app.extensions["lantern"].db.migrate()
    if restored.kept is not None:
        click.echo(f"the database it replaced is kept as {restored.kept}")
    click.echo(f"restored {path} (schema revision {restored.revision}) into {database}, "
               f"migrated to the newest schema")


def _print_postgres(url: str, path: Path, what: str) -> None:
    from server.services.backup import postgres_commands

    click.echo(f"{_safe_url(url)} is PostgreSQL: Lantern leaves its {what} to PostgreSQL's "
               f"own tools{' (stop every server first)' if what == 'restore' else ''}. Run:")
    click.echo(postgres_commands(url, str(path))[what])
    if what == "restore":
        click.echo("then: python -m server init-db   (migrates it to this Lantern's schema)")
    sys.exit(NOT_RUN)


@main.command("purge-positions")
@click.option("--dry-run", is_flag=True, help="count what would go; change nothing")
@click.option("--days", type=click.IntRange(min=0), default=None,
              help="keep this many days  [default: LANTERN_POSITION_RETENTION_DAYS]")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def purge_positions_cmd(ctx: click.Context, dry_run: bool, days: int | None,
                        as_json: bool) -> None:
    """Delete positions older than the retention period, after summarising their days into
    arrivals per hour and visitors per day (what the servers do hourly; docs/privacy.md)."""
    from server.services import retention

    state = _app(ctx).extensions["lantern"]
    state.db.migrate()
    settings = state.settings
    wanted = settings["LANTERN_POSITION_RETENTION_DAYS"] if days is None else days
    kept = retention.effective_days(int(wanted), int(settings["LANTERN_EVENT_MAX_AGE_S"]))
    report = retention.purge(state.db, kept, dry_run=dry_run, actor="cli")
    if as_json:
        click.echo(json.dumps(report.as_dict()))
        return
    if kept == 0:
        click.echo("retention is off (0 days): positions are kept for ever")
        return
    verb = "would delete" if dry_run else "deleted"
    for site_id, site in report.sites.items():
        count = site.positions_left if dry_run else site.positions_deleted
        click.echo(f"{site_id}: {verb} {count:,} positions before {site.before}; "
                   f"{len(site.days_summarised)} day(s) {'to summarise' if dry_run else 'summarised'}")
