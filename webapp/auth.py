"""Logging in and out of the pages, the current user, and the error pages.

The current user is loaded once per request into ``flask.g.actor`` (from the session here, or
from the API's bearer token in ``webapp.api``); every page and API view reads it through
:func:`signed_in_actor`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _

from engine.kernel.db import Database
from engine.runtime import users
from webapp import LOCALES, limiter
from webapp.redirects import local_path

bp = Blueprint("auth", __name__)
F = TypeVar("F", bound=Callable[..., Any])


def db() -> Database:
    """The engine's database, set up once by the app factory."""
    database: Database = current_app.extensions["ipflow_db"]
    return database


def current_actor() -> users.Actor | None:
    """The logged-in user for this request (None when nobody is), loaded once into ``g``."""
    if "actor" not in g:
        username = session.get("username")
        g.actor = None
        if username:
            g.actor = users.actor_named(db(), username)
    return cast(users.Actor | None, g.actor)


def signed_in_actor() -> users.Actor:
    """The user of a view behind :func:`login_required` (or the API's token check)."""
    actor = current_actor()
    assert actor is not None, "the view is not behind login_required"
    return actor


def login_required(view: F) -> F:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_actor() is None:
            return redirect(url_for("auth.login", next=request.full_path))
        return view(*args, **kwargs)

    return cast(F, wrapped)


def _safe_next(target: str | None) -> str:
    """Only local paths, so the login form cannot be used to redirect elsewhere."""
    return local_path(target, url_for("inbox.home"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("5 per minute", methods=["POST"], deduct_when=lambda r: r.status_code == 401)
def login() -> Any:
    error = None
    if request.method == "POST":
        actor = users.check_password(db(), request.form.get("username", ""),
                                     request.form.get("password", ""))
        if actor is not None:
            session.clear()
            session["username"] = actor.username
            session.permanent = False
            return redirect(_safe_next(request.args.get("next")))
        error = _("Feil brukernavn eller passord.")
    status = 401 if error else 200
    return render_template("login.html", error=error,
                           username=request.form.get("username", "")), status


@bp.post("/logout")
def logout() -> Any:
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    return redirect(url_for("auth.login"))


@bp.post("/language")
def language() -> Any:
    chosen = request.form.get("locale")
    if chosen in LOCALES:
        session["locale"] = chosen
    return redirect(_safe_next(request.form.get("next")))


def require(condition: bool) -> None:
    if not condition:
        abort(403)


@bp.app_context_processor
def inject_actor() -> dict[str, Any]:
    return {"actor": current_actor(), "get_locale": get_locale}
