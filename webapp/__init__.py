"""The Flask application: server-rendered pages for people, a JSON API for other tools.

The webapp talks to the engine only: it turns HTTP into engine calls, and engine results and
errors into pages and JSON. No SQL and no SpiffWorkflow here.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, session
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

from engine.kernel.db import Database
from webapp import edge, translation

LOCALES = ("nb", "en")
csrf = CSRFProtect()
limiter = Limiter(get_remote_address, storage_uri="memory://", default_limits=[])


def _secret_key(app: Flask) -> str:
    """IPFLOW_SECRET_KEY, or a key kept in the instance folder so sessions survive restarts."""
    if os.environ.get("IPFLOW_SECRET_KEY"):
        return os.environ["IPFLOW_SECRET_KEY"]
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def select_locale() -> str:
    """The language the user chose, else Norwegian bokmål."""
    chosen = session.get("locale")
    return chosen if chosen in LOCALES else "nb"


def create_app(database_url: str | None = None, config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        MAX_CONTENT_LENGTH=4 * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("IPFLOW_HTTPS", "") == "1",
        BABEL_DEFAULT_LOCALE="nb",
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).parent / "translations"),
        WTF_CSRF_TIME_LIMIT=None,
        RATELIMIT_ENABLED=True,
        # A page session ends after this long without a request, and this long after login.
        SESSION_IDLE_MINUTES=float(os.environ.get("IPFLOW_SESSION_IDLE_MINUTES", "30")),
        SESSION_MAX_HOURS=float(os.environ.get("IPFLOW_SESSION_MAX_HOURS", "12")),
    )
    app.config.update(config or {})
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(app)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["ipflow_db"] = Database(database_url)
    translation.install(app, Babel(app, locale_selector=select_locale))
    edge.install(app)  # first: the id converter before any route, the check before CSRF
    csrf.init_app(app)
    limiter.init_app(app)

    from webapp import (
        api,
        api_incidents,  # noqa: F401  (adds its routes to the API's blueprint)
        api_innsyn,  # noqa: F401  (adds its routes to the API's blueprint)
        api_monitor,  # noqa: F401  (adds its routes to the API's blueprint)
        auth,
        case_list_pages,
        cases_pages,
        designer_names,
        designer_pages,
        error_pages,
        event_pages,
        formatting,
        headers,
        inbox_pages,
        incident_pages,
        innsyn_pages,
        monitor_archive_pages,  # noqa: F401  (adds its route to the monitor's blueprint)
        monitor_case_pages,  # noqa: F401  (adds its routes to the monitor's blueprint)
        monitor_kpr_pages,  # noqa: F401  (adds its route to the monitor's blueprint)
        notices,
        oidc,
        openapi,  # noqa: F401  (adds its route to the API's blueprint)
        plan_view,
        profile_pages,
        statement,
        task_pages,
        user_pages,
    )

    csrf.exempt(api.api)
    for blueprint in (api.api, auth.bp, inbox_pages.bp, task_pages.bp, cases_pages.bp,
                      case_list_pages.bp, designer_pages.bp, designer_names.bp, plan_view.bp,
                      incident_pages.bp, event_pages.bp, statement.bp, innsyn_pages.bp,
                      profile_pages.bp, user_pages.bp):
        app.register_blueprint(blueprint)
    error_pages.register_error_pages(app)
    formatting.register(app)
    notices.register(app)
    from webapp.monitor_pages import bp as monitor_bp  # the manager's monitor (/monitor)
    app.register_blueprint(monitor_bp)
    oidc.install(app)  # before the headers: the providers' origins join form-action

    headers.register(app)

    return app

