"""What a refusal looks like: a plain page for people, the API's one JSON shape under /api/;
never a stack trace."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, flash, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from engine.kernel.errors import EngineError, InvalidData
from webapp.api import engine_error_response, http_error_response


def flash_outcome(action: Callable[[], str]) -> None:
    """Run a page action that returns what to tell the user; a refusal is flashed in its
    place, so the page the user is sent back to says what happened either way."""
    try:
        message = action()
    except InvalidData as error:
        flash(" ".join(error.errors.values()) or error.message, "error")
    except EngineError as error:
        flash(error.message, "error")
    else:
        flash(message, "success")


def render_error(status: int, message: str) -> tuple[str, int]:
    return render_template("error.html", status=status, message=message), status


def register_error_pages(app: Flask) -> None:
    """Plain pages for refused and missing things; never a stack trace."""

    @app.errorhandler(EngineError)
    def engine_error(error: EngineError) -> Any:
        if request.path.startswith("/api/"):
            return engine_error_response(error)
        return render_error(error.status, error.message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        if request.path.startswith("/api/"):
            return http_error_response(error)
        messages = {403: _("Du har ikke tilgang til denne siden."),
                    404: _("Siden finnes ikke."),
                    429: _("For mange forsøk. Vent litt og prøv igjen.")}
        return render_error(error.code or 500, messages.get(error.code or 500,
                                                            error.description or ""))
