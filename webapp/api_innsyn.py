"""The JSON API's innsyn for the leder (``/api/v1/innsyn``): one citizen's access log as CSV
and everything about them as a zip, the same files as the ``/innsyn`` page.

``POST`` with ``{"nin": "..."}``: the fødselsnummer goes in the body, not the URL. Registered on
the API's blueprint (authentication and the error shape are the API's own); who may ask, and
logging the read, are the engine's (:mod:`engine.features.innsyn`).
"""

from __future__ import annotations

from flask import Response

from engine.features import innsyn
from webapp.api import _json_body, api
from webapp.auth import db, signed_in_actor
from webapp.innsyn_pages import access_log_csv, download


def _nin() -> str:
    return str(_json_body().get("nin") or "")


@api.post("/innsyn/access-log")
def innsyn_access_log() -> Response:
    """The citizen's access log as CSV (``;``, UTF-8 with BOM, names, Oslo time)."""
    reads = innsyn.access_log(db(), _nin(), signed_in_actor())
    return download(access_log_csv(reads), "text/csv; charset=utf-8", "innsynslogg", "csv")


@api.post("/innsyn/export")
def innsyn_export() -> Response:
    """Everything ipflow holds about the citizen (GDPR art. 15) as one zip."""
    return download(innsyn.export(db(), _nin(), signed_in_actor()), "application/zip",
                    "innsyn", "zip")
