"""The monitor's KPR page: how many periods KPR has not yet been told, and which.

Registered on the monitor's blueprint (only ``leder`` and ``systemkoordinator`` get here).
``ipflow kpr export`` marks what it writes as reported; a period that ends afterwards shows
here again until the next export. The list names cases by number, services and dates only,
like the rest of the monitor, so looking at it reads no personal data.
"""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import lazy_gettext as _l

from engine.features import kpr
from engine.kernel.clock import MUNICIPAL_TZ
from webapp.auth import db, login_required, signed_in_actor
from webapp.monitor_pages import bp

SERVICE_LABELS = {"individuell_plan": _l("Individuell plan"), "koordinator": _l("Koordinator"),
                  "barnekoordinator": _l("Barnekoordinator")}


@bp.get("/kpr")
@login_required
def kpr_status() -> Any:
    """The count and the newest periods not yet reported, and when an export last ran."""
    status = kpr.unreported(db(), signed_in_actor())
    last = status.last_reported.astimezone(MUNICIPAL_TZ) if status.last_reported else None
    return render_template("monitor/kpr.html", status=status, last_reported=last,
                           service_labels=SERVICE_LABELS, format=kpr.FORMAT,
                           version=kpr.VERSION)
