"""KPR (kommunalt pasient- og brukerregister): periods of IP, coordinator and barnekoordinator
per citizen.

The export is a documented, versioned format (``docs/integrations.md``, section KPR): JSON, or
CSV with the same fields, each carrying :data:`FORMAT` and :data:`VERSION` so a receiver can
tell which fields to expect. A field added or renamed is a new version. The service names are
ipflow's (:data:`SERVICE_NAMES`): the seeds and the law name the services but no KPR code, so
mapping them to KPR's code list is the municipality's to confirm.

An export marks the periods it wrote as reported (``kpr_record.reported_at``); a period that
changes afterwards (it ends) is unmarked by the engine, so :func:`unreported` tells what KPR
has not yet been told.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Literal

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from engine.kernel import clock
from engine.kernel.db import Database
from engine.kernel.errors import Forbidden
from engine.kernel.models import KprRecord
from engine.kernel.settings import municipality_number
from engine.runtime.users import OVERSIGHT_ROLES, Actor

FORMAT = "ipflow-kpr"
VERSION = 1
# The fields of one period, in the CSV's column order (after format and versjon).
FIELDS = ("periode", "fodselsnummer", "tjeneste", "startdato", "sluttdato", "kommunenummer",
          "sak")
COLUMNS = ("format", "versjon", *FIELDS)
# ipflow's service names in the export. A granted barnekoordinator is recorded as
# "barnekoordinator" instead of "koordinator" (the rule and why: handlers/kpr.py).
SERVICE_NAMES = {"ip": "individuell_plan", "koordinator": "koordinator",
                 "barnekoordinator": "barnekoordinator"}
Kind = Literal["json", "csv"]
MARK_BATCH = 500  # ids per UPDATE: well under SQLite's limit of bound parameters


@dataclass(frozen=True)
class Period:
    """One period as the export writes it; ``sluttdato`` is None while it lasts."""

    periode: int
    fodselsnummer: str
    tjeneste: str
    startdato: date
    sluttdato: date | None
    kommunenummer: str
    sak: int


@dataclass(frozen=True)
class Export:
    """An export's text and what it holds, so the caller marks them once the text is safe."""

    text: str
    periods: tuple[Period, ...]


def _period(record: KprRecord, number: str) -> Period:
    return Period(record.id, record.citizen_nin, SERVICE_NAMES.get(record.service, record.service),
                  record.from_date, record.to_date, number, record.case_id)


def _periods(session: Session, only_unreported: bool, number: str) -> list[Period]:
    query = select(KprRecord).order_by(KprRecord.from_date, KprRecord.id)
    if only_unreported:
        query = query.where(KprRecord.reported_at.is_(None))
    return [_period(record, number) for record in session.scalars(query)]


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def export(db: Database, kind: Kind = "json", *, everything: bool = False) -> Export:
    """The periods not yet reported (new, or changed since), or ``everything``, oldest first,
    as JSON or CSV. Nothing is marked: call :func:`mark_reported` once the text is delivered."""
    number = municipality_number()
    with db.reading() as session:
        periods = _periods(session, not everything, number)
    rows = [{**asdict(p), "startdato": _iso(p.startdato), "sluttdato": _iso(p.sluttdato)}
            for p in periods]
    if kind == "json":
        text = json.dumps({"format": FORMAT, "versjon": VERSION, "kommunenummer": number,
                           "laget": clock.now().isoformat(), "perioder": rows},
                          ensure_ascii=False, indent=2) + "\n"
    else:
        out = io.StringIO()
        writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({"format": FORMAT, "versjon": VERSION,
                             **{k: "" if v is None else v for k, v in row.items()}})
        text = out.getvalue()
    return Export(text, tuple(periods))


def mark_reported(db: Database, periods: tuple[Period, ...]) -> int:
    """Mark ``periods`` reported now; the number marked. A period exported while open is marked
    only if it is still open: one that ended meanwhile stays unreported, its end not yet told.
    An ended period's end date never changes again (only open periods are ended)."""
    now, marked = clock.now(), 0
    with db.transaction() as session:
        for ended in (False, True):
            ids = [p.periode for p in periods if (p.sluttdato is not None) == ended]
            for start in range(0, len(ids), MARK_BATCH):
                query = update(KprRecord).where(KprRecord.id.in_(ids[start:start + MARK_BATCH]))
                if not ended:
                    query = query.where(KprRecord.to_date.is_(None))
                result = session.execute(query.values(reported_at=now))
                marked += result.rowcount  # type: ignore[attr-defined]
    return marked


@dataclass(frozen=True)
class Unreported:
    """What KPR has not yet been told: the count, and the newest periods (no names: case
    numbers, services and dates only, as the rest of the monitor)."""

    count: int
    periods: tuple[Period, ...]
    last_reported: datetime | None


def unreported(db: Database, actor: Actor, limit: int = 50) -> Unreported:
    """The periods not yet reported, newest first (at most ``limit``), their count, and when
    an export last marked any; for those who oversee the work (the monitor's roles)."""
    if not actor.has_any_role(OVERSIGHT_ROLES):
        raise Forbidden("Bare leder og systemkoordinator ser KPR-rapporteringen.")
    number = municipality_number()
    waiting = KprRecord.reported_at.is_(None)
    with db.reading() as session:
        count = session.scalar(select(func.count()).select_from(KprRecord).where(waiting))
        rows = session.scalars(select(KprRecord).where(waiting)
                               .order_by(KprRecord.from_date.desc(), KprRecord.id.desc())
                               .limit(limit))
        periods = tuple(_period(record, number) for record in rows)
        last = session.scalar(select(func.max(KprRecord.reported_at)))
    return Unreported(int(count or 0), periods, last)
