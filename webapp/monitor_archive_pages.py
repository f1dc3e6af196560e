"""The monitor's archive page: the records the archive has not filed, and why.

Registered on the monitor's blueprint (only ``leder`` and ``systemkoordinator`` get here). The
worker sends a record again each round after a failed hand-over or a kvittering that reports a
failure, up to a limit; those past it wait for ``ipflow archive retry``. The list names cases
by number and records by kind, like the rest of the monitor, so looking at it reads no
personal data.
"""

from __future__ import annotations

from typing import Any

from flask import render_template

from engine.features import archive_status
from webapp.auth import db, login_required, signed_in_actor
from webapp.labels import DOCUMENT_KIND_LABELS
from webapp.monitor_pages import bp


@bp.get("/arkiv")
@login_required
def archive_page() -> Any:
    """How many records are being sent again, how many wait for people, and the newest."""
    status = archive_status.archive_status(db(), signed_in_actor())
    return render_template("monitor/archive.html", status=status,
                           kind_labels=DOCUMENT_KIND_LABELS)
