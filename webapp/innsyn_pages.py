"""Innsyn for the leder (``/innsyn``): one citizen's access log as CSV, and everything ipflow
holds about them (GDPR art. 15) as one zip.

The fødselsnummer travels in the form's body, never in a URL (URLs end up in server and proxy
logs). Who may do this, what is read and that the read is logged are the engine's
(:mod:`engine.features.innsyn`); this module shows the form and formats the CSV as Norwegian
Excel opens it, like the monitor's: ``;`` between cells, a UTF-8 byte order mark, people's
names, times in the municipality's zone.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import lazy_gettext as _l

from engine.features import innsyn
from engine.kernel import clock
from engine.kernel.clock import MUNICIPAL_TZ
from engine.kernel.vocabulary import Role
from webapp.auth import db, login_required, signed_in_actor
from webapp.formatting import csv_cell
from webapp.timeline import access_what

bp = Blueprint("innsyn", __name__, url_prefix="/innsyn")

CSV_COLUMNS = (_l("Tidspunkt"), _l("Sak"), _l("Navn"), _l("Brukernavn"), _l("Hva"))


def access_log_csv(reads: Iterable[innsyn.PersonRead]) -> str:
    """The reads as CSV text with the byte order mark Excel needs to read UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([str(c) for c in CSV_COLUMNS])
    for read in reads:
        writer.writerow([csv_cell(v) for v in (
            read.at.astimezone(MUNICIPAL_TZ).strftime("%d.%m.%Y %H:%M:%S"), read.case_id,
            read.full_name, read.username, access_what(read.what, {}))])
    return "\ufeff" + out.getvalue()


def download(content: bytes | str, mimetype: str, stem: str, suffix: str) -> Response:
    stamp = clock.now().astimezone(MUNICIPAL_TZ).strftime("%Y-%m-%d")
    return Response(content, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{stem}-{stamp}.{suffix}"',
        "Cache-Control": "no-store"})


def _leder() -> Any:
    actor = signed_in_actor()
    if not actor.has_role(Role.LEDER):
        abort(403)
    return actor


@bp.get("")
@login_required
def form() -> Any:
    _leder()
    return render_template("innsyn.html")


@bp.post("/innsynslogg.csv")
@login_required
def access_log() -> Response:
    """The citizen's access log, oldest first (this download included)."""
    reads = innsyn.access_log(db(), request.form.get("nin", ""), _leder())
    return download(access_log_csv(reads), "text/csv; charset=utf-8", "innsynslogg", "csv")


@bp.post("/innsyn.zip")
@login_required
def export() -> Response:
    """Everything about the citizen as one zip (``innsyn.json`` and the documents' files)."""
    content = innsyn.export(db(), request.form.get("nin", ""), _leder())
    return download(content, "application/zip", "innsyn", "zip")
