"""Settings: defaults, then the environment, then the caller's overrides.

This is the only module that reads ``os.environ``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# name -> (default, type, description). The README's settings table is `settings_table()`
# (a unit test compares them), so a setting's wording changes here and there together.
SETTINGS: dict[str, tuple[Any, type, str]] = {
    "DATABASE_URL": (None, str, "SQLAlchemy URL; default: SQLite file `instance/lantern.db` "
                     "(WAL, busy timeout, foreign keys)"),
    "SOCKETIO_MESSAGE_QUEUE": (None, str, "Redis URL shared by several server processes"),
    "LANTERN_INSTANCE_PATH": (str(ROOT / "instance"), str,
                              "folder for the database, secret key and preview cache"),
    "LANTERN_VENUES_PATH": (str(ROOT / "venues"), str, "venue folder that `load-venues` and `demo` import"),
    "LANTERN_ASSETS_PATH": (str(ROOT / "assets_sample"), str, "scene specs and assets"),
    "LANTERN_MAX_CONTENT_LENGTH": (2 * 1024 * 1024, int, "largest request body in bytes (413 above)"),
    "LANTERN_MAX_BATCH": (10_000, int, "largest positions or readings batch in one request"),
    "LANTERN_CORS_ORIGINS": ("", str, "extra Origins allowed to open Socket.IO connections, "
                             "comma-separated (the server's own origin always is)"),
    "LANTERN_SESSION_COOKIE_SECURE": (False, bool, "send the session cookie over HTTPS only"),
    "LANTERN_KIOSK_OFFLINE_AFTER_S": (20, int, "a kiosk silent this long is offline"),
    "LANTERN_COMMAND_TTL_S": (300, int, "a command not delivered in this time expires"),
    "LANTERN_OCCUPANCY_EMIT_S": (1.0, float, "at most one occupancy update per site to operators per this"),
    "LANTERN_VISITORS_TODAY_REFRESH_S": (10.0, float, "a site's distinct visitors today (`today` "
                                         "in occupancy) are read from the database at most "
                                         "this often"),
    "LANTERN_READINGS_EMIT_S": (0.5, float, "at most one `readings` event per site to operators "
                                "per this"),
    "LANTERN_PRESENCE_FLUSH_S": (1.0, float, "visitor presence and zone transitions are written to the "
                                 "database this often (occupancy read in another process lags "
                                 "by at most this)"),
    "LANTERN_VISITOR_SWEEP_S": (10.0, float, "how often visitors who stopped reporting are let go"),
    "LANTERN_SOCKET_MAX_FRAME": (64 * 1024, int,
                                 "largest Socket.IO message in bytes (the connection is closed above)"),
    "LANTERN_SOCKET_RATE": (50, int, "events per second one connection may send (bursts up to twice that)"),
    "LANTERN_PREVIEW_WORKERS": (1, int, "previews rendered at once, each in its own process"),
    "LANTERN_PREVIEW_TIMEOUT_S": (30, int, "a preview render is abandoned after this"),
    "LANTERN_PREVIEW_MEMORY_MB": (1024, int, "memory limit of one preview render process"),
    "LANTERN_EVENT_MAX_FUTURE_S": (300, int, "an event dated further ahead of the server's clock is refused"),
    "LANTERN_EVENT_MAX_AGE_S": (691_200, int,
                                "an event older than this is refused (eight days: a week's outage replays)"),
    "LANTERN_ALERT_HORIZON_S": (900, int,
                                "a reading older than this may not raise or clear an alert (alerts act now)"),
    "LANTERN_ALERT_WEBHOOK_URL": (None, str, "an http(s) URL that gets a POST of every alert "
                                  "raised or cleared; unset: none "
                                  "([docs/alerts.md](docs/alerts.md))"),
    "LANTERN_ALERT_WEBHOOK_ATTEMPTS": (5, int, "attempts to post one alert before it is given "
                                       "up (and logged)"),
    "LANTERN_ALERT_WEBHOOK_FIRST_DELAY_S": (1.0, float, "wait before the second attempt, "
                                            "doubled before each next one"),
    "LANTERN_ALERT_WEBHOOK_TIMEOUT_S": (5.0, float, "an attempt that has no answer after this "
                                       "has failed"),
    "LANTERN_ALERT_WEBHOOK_QUEUE": (1000, int, "alerts waiting to be posted, at most (one more "
                                    "is dropped, and logged)"),
    "LANTERN_IMPACT_MAX_VERTICES": (1000, int, "most vertices a proposed work's geometry may have"),
    "LANTERN_IMPACT_TIMEOUT_S": (20, int, "an impact check or map is abandoned after this"),
    "LANTERN_IMPACT_MEMORY_MB": (1024, int, "memory limit of one impact-check process"),
    "LANTERN_IMPACT_WORKERS": (2, int, "impact checks run at once (each in its own process)"),
    "LANTERN_PAIRING_TTL_S": (600, int, "a kiosk waiting for approval longer than this expires"),
    "LANTERN_PAIRING_RATE": ("5 per minute", str, "pairing attempts one client address may make"),
    "LANTERN_LOGIN_RATE": ("10 per minute", str, "failed logins one client address may make"),
    "LANTERN_LOGIN_USER_RATE": ("5 per minute", str, "failed logins per user name"),
    "LANTERN_KIOSK_INFLIGHT_BYTES": (262_144, int,
                                     "bytes of commands sent to one kiosk and not yet acknowledged"),
    "LANTERN_REPORTS_PATH": (None, str, "folder of report runs' outputs, one folder a run; default: "
                             "`reports/` in the instance folder"),
    "LANTERN_REPORT_WORKERS": (1, int, "report notebooks one server process runs at once (each in its "
                               "own process); more wait queued"),
    "LANTERN_REPORT_TIMEOUT_S": (600, int, "a report run still going after this many seconds is "
                                 "stopped and failed"),
    "LANTERN_POSITION_RETENTION_DAYS": (400, int, "visitor positions older than this many "
                                        "days are deleted, hourly, once their day's arrivals "
                                        "and visitors are kept as aggregates (zone transitions "
                                        "stay); 0 keeps them for ever "
                                        "([docs/privacy.md](docs/privacy.md))"),
    "LANTERN_LOG_LEVEL": ("INFO", str, "logging level"),
    "LANTERN_ASYNC_MODE": ("gevent", str, "Flask-SocketIO async mode, chosen by measurement "
                           "([docs/async-mode.md](docs/async-mode.md))"),
}


def _coerce(value: str, kind: type) -> Any:
    if kind is bool:
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return kind(value)


def load_config(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the settings: defaults, then the environment, then ``overrides``."""
    config: dict[str, Any] = {name: default for name, (default, _, _) in SETTINGS.items()}
    for name, (_, kind, _) in SETTINGS.items():
        raw = os.environ.get(name)
        if raw not in (None, ""):
            config[name] = _coerce(raw, kind)
    config.update(overrides or {})
    instance = Path(config["LANTERN_INSTANCE_PATH"])
    if not config["DATABASE_URL"]:
        config["DATABASE_URL"] = f"sqlite:///{instance / 'lantern.db'}"
    if not config["LANTERN_REPORTS_PATH"]:
        config["LANTERN_REPORTS_PATH"] = str(instance / "reports")
    if "SECRET_KEY" not in config:
        config["SECRET_KEY"] = _instance_secret(instance)
    return config


def _instance_secret(instance: Path) -> str:
    """Read the secret key from the instance folder, creating it on first run."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def settings_table() -> str:
    """The settings as a Markdown table (for the README)."""
    rows = ["| setting | default | meaning |", "|---|---|---|"]
    for name, (default, _, text) in SETTINGS.items():
        rows.append(f"| `{name}` | {_shown_default(default)} | {text} |")
    return "\n".join(rows)


def _shown_default(default: Any) -> str:
    """A default as a reader of the README sees it: folders relative to the checkout."""
    if default is None:
        return "-"
    if default == "":
        return "empty"
    if isinstance(default, str) and Path(default).is_absolute():
        return f"`{Path(default).relative_to(ROOT)}/`"
    return f"`{default}`"
