"""The control panel: login, logout, the operators' panel and the planners' and admins'
pages (reports, heritage-impact checks, administration)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_limiter import RateLimitExceeded
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import validate_csrf
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.validators import ValidationError as FormError

from server.auth import LoginUser, check_login, end_login_session, start_login_session
from server.domain.access import PERMISSIONS
from server.extensions import socketio
from server.panel import throttle
from server.panel.redirects import same_site_path
from server.realtime.control import sign_out
from server.services import audit

panel = Blueprint("panel", __name__, template_folder="templates", static_folder="static",
                  static_url_path="/panel-static")

NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"
# Only these installed front-end files are served; nothing else under node_modules is reachable.
VENDOR_FILES = frozenset({
    "@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.js",
    "@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.css",
    "leaflet/dist/leaflet.js",
    "leaflet/dist/leaflet.css",
    "socket.io-client/dist/socket.io.min.js",
    "uplot/dist/uPlot.esm.js",
    "uplot/dist/uPlot.min.css",
})
VENDOR_IMAGES = re.compile(r"leaflet/dist/images/[A-Za-z0-9_-]+\.png")
# The login page's errors, each with the label the page shows in the reader's language.
TOO_MANY = ("Too many failed sign-ins from this address or for this user name. "
            "Wait a minute, then try again.", "login.error.too_many")
WRONG_LOGIN = ("Unknown user name or wrong password.", "login.error.wrong")
FORM_EXPIRED = ("The form expired or was incomplete; please try again.", "login.error.expired")
LOGIN_ERRORS = (TOO_MANY, WRONG_LOGIN, FORM_EXPIRED)
# The pages of the header's navigation (base.html) and the permission a role needs to open
# each; the pages' own actions ask the API, which checks again.
PAGES = (("panel.control", "read"), ("panel.reports", "read"), ("panel.impact", "read"),
         ("panel.admin", "admin"))


@panel.record_once
def _bind(state) -> None:  # type: ignore[no-untyped-def]
    throttle.bind(state.app)


class LoginForm(FlaskForm):
    username = StringField("User name", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


@panel.context_processor
def _navigation() -> dict[str, Any]:
    """The pages the signed-in user's role may open, and what that role may do there."""
    if not current_user.is_authenticated:
        return {"pages": frozenset(), "may": ""}
    role = current_user.role
    return {"pages": frozenset(endpoint for endpoint, need in PAGES if role in PERMISSIONS[need]),
            "may": " ".join(sorted(p for p, roles in PERMISSIONS.items() if role in roles))}


def _page(template: str, permission: str = "read"):  # type: ignore[no-untyped-def]
    """A signed-in page; a role without ``permission`` gets 403."""
    if current_user.role not in PERMISSIONS[permission]:
        abort(403)
    return render_template(template, user=current_user)


@panel.get("/")
def index():  # type: ignore[no-untyped-def]
    return redirect(url_for("panel.control"))


@panel.route("/login", methods=["GET", "POST"])
@throttle.limit_failed_logins
def login():  # type: ignore[no-untyped-def]
    """The login form; a wrong name or password says so without saying which."""
    form = LoginForm()
    error: tuple[str, str] | None = None
    if form.validate_on_submit():
        db = current_app.extensions["lantern"].db
        name = form.username.data or ""
        with db.transaction() as session:
            user = check_login(session, name, form.password.data or "")
            if user is not None:
                if current_user.is_authenticated:  # signing in again ends the previous sign-in
                    end_login_session(session, current_user.id)
                login_user(LoginUser(user, start_login_session(session, user, request.remote_addr)))
                audit.record(session, user.username, "login", remote=request.remote_addr)
                return redirect(same_site_path(request.args.get("next"))
                                or url_for("panel.control"))
            audit.record(session, name, "login_failed", remote=request.remote_addr)
        throttle.count_failure()
        error = WRONG_LOGIN
    elif request.method == "POST":
        error = FORM_EXPIRED
    status = 401 if error else 200
    return render_template("login.html", form=form, error=error and error[0],
                           error_key=error and error[1]), status


@panel.errorhandler(RateLimitExceeded)
def _too_many(exc: RateLimitExceeded):  # type: ignore[no-untyped-def]
    """The login form again, saying why it refuses (also for the right password)."""
    page = render_template("login.html", form=LoginForm(), error=TOO_MANY[0],
                           error_key=TOO_MANY[1])
    return page, 429, {"Retry-After": str(throttle.retry_after_s())}


@panel.post("/logout")
@login_required
def logout():  # type: ignore[no-untyped-def]
    """End the login session here, so that no copy of its cookie signs anyone in again."""
    try:
        validate_csrf(request.form.get("csrf_token", ""))
    except FormError as exc:
        return render_template("logout.html", user=current_user, error=str(exc)), 400
    login_session_id, name = current_user.id, current_user.username
    with current_app.extensions["lantern"].db.transaction() as session:
        end_login_session(session, login_session_id)
        audit.record(session, name, "logout", remote=request.remote_addr)
    logout_user()
    sign_out(socketio, login_session_id)
    return redirect(url_for("panel.login"))


@panel.get("/panel")
@login_required
def control():  # type: ignore[no-untyped-def]
    """The control panel."""
    return render_template("panel.html", user=current_user)


@panel.get("/panel/reports")
@login_required
def reports():  # type: ignore[no-untyped-def]
    """Report notebooks: run one from its generated form, follow it, read it, run it again."""
    return _page("reports.html")


@panel.get("/panel/impact")
@login_required
def impact():  # type: ignore[no-untyped-def]
    """Heritage-impact checks of proposed works drawn on the site's map; saved checks."""
    return _page("impact.html")


@panel.get("/panel/admin")
@login_required
def admin():  # type: ignore[no-untyped-def]
    """Users, API tokens, kiosks awaiting pairing and the audit log (admins only)."""
    return _page("admin.html", "admin")


@panel.get("/vendor/<path:name>")
def vendor(name: str):  # type: ignore[no-untyped-def]
    """Leaflet, its drawing tools, uPlot and the Socket.IO client from the installed npm
    packages (venues are offline)."""
    if name not in VENDOR_FILES and not VENDOR_IMAGES.fullmatch(name):
        abort(404)
    return send_from_directory(NODE_MODULES, name, max_age=3600)
