"""The Flask application: a JSON API now, the inbox and case pages on top of it later.

The webapp talks to the engine only: it turns HTTP into engine calls and engine results and
errors into HTTP. No SQL and no SpiffWorkflow here.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from engine.db import Database


def create_app(database_url: str | None = None, config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(JSON_AS_ASCII=False, MAX_CONTENT_LENGTH=4 * 1024 * 1024)
    app.config.update(config or {})
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["ipflow_db"] = Database(database_url)

    from webapp.api import api

    app.register_blueprint(api)
    return app


def database(app: Flask) -> Database:
    return app.extensions["ipflow_db"]
