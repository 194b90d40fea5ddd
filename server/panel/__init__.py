"""The operators' control panel: login, logout and the panel page."""

from __future__ import annotations

import re
from pathlib import Path

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
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from server import audit
from server.auth import LoginUser, check_login

panel = Blueprint("panel", __name__, template_folder="templates", static_folder="static",
                  static_url_path="/panel-static")

NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"
# Only these installed front-end files are served; nothing else under node_modules is reachable.
VENDOR_FILES = frozenset({
    "leaflet/dist/leaflet.js",
    "leaflet/dist/leaflet.css",
    "socket.io-client/dist/socket.io.min.js",
})
VENDOR_IMAGES = re.compile(r"leaflet/dist/images/[A-Za-z0-9_-]+\.png")


class LoginForm(FlaskForm):
    username = StringField("User name", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


@panel.get("/")
def index():  # type: ignore[no-untyped-def]
    return redirect(url_for("panel.control"))


@panel.route("/login", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    """The login form; a wrong name or password says so without saying which."""
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        db = current_app.extensions["lantern"].db
        with db.session() as session:
            user = check_login(session, form.username.data or "", form.password.data or "")
            if user is not None:
                login_user(LoginUser(user))
                audit.record(session, user.username, "login")
                target = request.args.get("next", "")
                if not target.startswith("/") or target.startswith("//"):
                    target = url_for("panel.control")
                return redirect(target)
        error = "Unknown user name or wrong password."
    elif request.method == "POST":
        error = "The form expired or was incomplete; please try again."
    status = 401 if error else 200
    return render_template("login.html", form=form, error=error), status


@panel.post("/logout")
@login_required
def logout():  # type: ignore[no-untyped-def]
    from flask_wtf.csrf import validate_csrf

    validate_csrf(request.form.get("csrf_token", ""))
    logout_user()
    return redirect(url_for("panel.login"))


@panel.get("/panel")
@login_required
def control():  # type: ignore[no-untyped-def]
    """The control panel."""
    return render_template("panel.html", user=current_user)


@panel.get("/vendor/<path:name>")
def vendor(name: str):  # type: ignore[no-untyped-def]
    """Leaflet and the Socket.IO client from the installed npm packages (venues are offline)."""
    if name not in VENDOR_FILES and not VENDOR_IMAGES.fullmatch(name):
        abort(404)
    return send_from_directory(NODE_MODULES, name, max_age=3600)
