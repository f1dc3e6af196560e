"""KPR (kommunalt pasient- og brukerregister): periods of IP and coordinator per citizen."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from engine.kernel.db import Database
from engine.kernel.models import KprRecord

COLUMNS = ("fodselsnummer", "tjeneste", "fra_dato", "til_dato", "sak")
SERVICE_NAMES = {"ip": "individuell_plan", "koordinator": "koordinator"}


def export_csv(db: Database) -> str:
    """Every KPR period as CSV, oldest first; an open period has an empty end date."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    with db.reading() as session:
        for record in session.scalars(select(KprRecord).order_by(KprRecord.from_date,
                                                                 KprRecord.id)):
            writer.writerow((record.citizen_nin, SERVICE_NAMES.get(record.service, record.service),
                             record.from_date.isoformat(),
                             record.to_date.isoformat() if record.to_date else "",
                             record.case_id))
    return out.getvalue()
