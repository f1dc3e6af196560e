"""Sharing consents as rows: who may see a citizen's plan, for which period, and which consents
run out soon.

``consent.record`` asks for one row per participant the citizen consents to share with (the
effect ``share``), ``consent.withdraw`` for a participant's rows to be marked withdrawn
(``unshare``); :class:`engine.runtime.case_run.CaseRun` writes them, this module reads them. A
consent is *active* on a day from ``valid_from`` to ``valid_until`` (both included) unless it was
withdrawn on or before that day. The case page and the API filter the plan's participants by
the active ones; the monitor lists those that end within 30 days.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from engine.features.monitor import require_monitor
from engine.kernel import clock
from engine.kernel.db import Database
from engine.kernel.models import Case, SharingConsent
from engine.kernel.paging import Page, Paging, read_page
from engine.kernel.vocabulary import RUNNING_CASE_STATES
from engine.runtime.users import Actor

EXPIRING_WITHIN_DAYS = 30


@dataclass(frozen=True)
class SharingRow:
    """One sharing consent as the pages and the API show it."""

    id: int
    case_id: int
    participant: str
    scope: str
    period: str
    valid_from: date
    valid_until: date
    withdrawn_on: date | None
    withdrawn_by: str | None
    active: bool

    def as_json(self) -> dict[str, Any]:
        return {key: value.isoformat() if isinstance(value, date) else value
                for key, value in asdict(self).items()}


def _active_on(day: date) -> ColumnElement[bool]:
    return and_(SharingConsent.valid_from <= day, SharingConsent.valid_until >= day,
                or_(SharingConsent.withdrawn_on.is_(None), SharingConsent.withdrawn_on > day))


def _row(consent: SharingConsent, day: date) -> SharingRow:
    withdrawn = consent.withdrawn_on is not None and consent.withdrawn_on <= day
    return SharingRow(consent.id, consent.case_id, consent.participant, consent.scope,
                      consent.period, consent.valid_from, consent.valid_until,
                      consent.withdrawn_on, consent.withdrawn_by,
                      consent.valid_from <= day <= consent.valid_until and not withdrawn)


def case_sharing(session: Session, case_id: int, day: date | None = None) -> list[SharingRow]:
    """Every sharing consent of the case, oldest first, each marked active or not on ``day``
    (today by the engine clock). The caller has checked that the actor may see the case."""
    day = day or clock.today()
    rows = session.scalars(select(SharingConsent).where(SharingConsent.case_id == case_id)
                           .order_by(SharingConsent.valid_from, SharingConsent.id))
    return [_row(row, day) for row in rows]


def may_share_with(session: Session, case_id: int, participant: str,
                   day: date | None = None) -> bool:
    """Whether the citizen's consent lets ``participant`` see the plan on ``day``."""
    key = participant.strip().casefold()
    return any(row.active and row.participant.strip().casefold() == key
               for row in case_sharing(session, case_id, day))


def expiring(db: Database, actor: Actor, paging: Paging,
             within_days: int = EXPIRING_WITHIN_DAYS, day: date | None = None
             ) -> Page[SharingRow]:
    """A page of the active sharing consents of open cases that end within ``within_days``
    days of ``day``, soonest first (for the monitor: renew them with the citizen or let them
    lapse)."""
    require_monitor(actor)
    on = day or clock.today()
    with db.reading() as session:
        return read_page(session, select(SharingConsent).join(
            Case, Case.id == SharingConsent.case_id)
            .where(_active_on(on), SharingConsent.valid_until <= on + timedelta(within_days),
                   Case.status.in_(RUNNING_CASE_STATES))
            .order_by(SharingConsent.valid_until, SharingConsent.case_id, SharingConsent.id),
            paging, lambda row: _row(row[0], on))
