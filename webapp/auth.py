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

from engine.kernel import clock
from engine.kernel.db import Database
from engine.runtime import logins, users
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
        g.actor = _session_actor()
    return cast(users.Actor | None, g.actor)


def _session_actor() -> users.Actor | None:
    """The session's user while the session lives: not idle longer than SESSION_IDLE_MINUTES,
    not older than SESSION_MAX_HOURS, and begun since the user's sessions were last ended
    (logout anywhere, new password, fewer roles, deactivated). A dead session is forgotten."""
    username = session.get("username")
    if not username:
        return None
    now = clock.now().timestamp()
    idle = current_app.config["SESSION_IDLE_MINUTES"] * 60
    longest = current_app.config["SESSION_MAX_HOURS"] * 3600
    actor = None
    if now - session.get("seen", 0) <= idle and now - session.get("began", 0) <= longest:
        actor = logins.session_actor(db(), username, session.get("version", -1))
    if actor is None:
        _forget_login()
        return None
    session["seen"] = now
    return actor


def _forget_login() -> None:
    """Clear the session but keep the language chosen."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale


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


def safe_next(target: str | None) -> str:
    """Only local paths, so the login form cannot be used to redirect elsewhere."""
    return local_path(target, url_for("inbox.home"))


def begin_session(result: logins.Login, end_session_url: str | None = None) -> None:
    """A new page session for the user who just logged in (by password or OpenID Connect),
    nothing of the session before kept but the language; ``end_session_url`` is where logout
    sends the browser next, to end the login at the identity provider too."""
    assert result.actor is not None
    now = clock.now().timestamp()
    _forget_login()
    session.update(username=result.actor.username, version=result.session_version,
                   began=now, seen=now)
    if end_session_url:
        session["end_session_url"] = end_session_url
    session.permanent = False


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("5 per minute", methods=["POST"], deduct_when=lambda r: r.status_code == 401)
def login() -> Any:
    """Per IP at most 5 failed logins a minute (Flask-Limiter); per username a lock-out after
    5 failures in a row (``engine.runtime.logins``), with one message for every refusal.
    With ``IPFLOW_PASSWORD_LOGIN=0`` the form is gone and a password is never checked."""
    error, status = None, 200
    passwords = current_app.config["PASSWORD_LOGIN"]
    if request.method == "POST" and not passwords:
        error, status = _("Innlogging med passord er slått av her. Bruk knappene under."), 403
    elif request.method == "POST":
        username = request.form.get("username", "")
        result = logins.attempt(db(), username, request.form.get("password", ""))
        if result.actor is not None:
            begin_session(result)
            return redirect(safe_next(request.args.get("next")))
        if result.locked:
            error, status = _("For mange forsøk. Vent litt og prøv igjen."), 429
        else:
            error, status = _("Feil brukernavn eller passord."), 401
    return render_template("login.html", error=error, passwords=passwords,
                           providers=current_app.config["OIDC_PROVIDERS"],
                           next=request.args.get("next", ""),
                           username=request.form.get("username", "")), status


@bp.post("/logout")
def logout() -> Any:
    """Log out everywhere: this and every other session and API token of the user end; then,
    after an OpenID Connect login, the login at the identity provider (RP-initiated logout)."""
    actor = current_actor()
    end_session_url = session.get("end_session_url")
    if actor is not None:
        logins.end_sessions(db(), actor.username)
    _forget_login()
    if actor is not None and end_session_url:
        return redirect(end_session_url)
    return redirect(url_for("auth.login"))


@bp.post("/language")
def language() -> Any:
    chosen = request.form.get("locale")
    if chosen in LOCALES:
        session["locale"] = chosen
    return redirect(safe_next(request.form.get("next")))


def require(condition: bool) -> None:
    if not condition:
        abort(403)


@bp.app_context_processor
def inject_actor() -> dict[str, Any]:
    return {"actor": current_actor(), "get_locale": get_locale}
