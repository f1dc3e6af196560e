"""A report of need for a citizen who already has an open case (issue 8, section 7).

The report is refused with 409 and the open cases (so the reporter can open them) unless it
says what to do: ``attach_to`` one of the open cases (the report is kept there as a document
and an event, no new case) or ``duplicate_reason`` (a new case is started anyway, with the
reason and the open cases in its history). Only staff decide; a citizen learns the open case
ids only for their own fødselsnummer, never whether someone else has a case.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, literal, select
from sqlalchemy.orm import Session

from engine.kernel import clock
from engine.kernel.errors import DuplicateReport, Forbidden, InvalidData, NotFound
from engine.kernel.models import Case, Document, Event, ProcessVersion
from engine.kernel.vocabulary import RUNNING_CASE_STATES, EventKind
from engine.runtime import forms
from engine.runtime.users import Actor

MAX_REASON_LENGTH = 2000


def open_cases(session: Session, nin: str) -> list[int]:
    """Ids of the citizen's open cases, newest first."""
    if not nin:
        return []
    return list(session.scalars(select(Case.id).where(
        Case.citizen_nin == nin, Case.status.in_(RUNNING_CASE_STATES)).order_by(Case.id.desc())))


def version_and_open_cases(session: Session, key: str, nin: str
                           ) -> tuple[ProcessVersion, list[int]]:
    """The newest version of process ``key`` and :func:`open_cases` of ``nin``, in one
    statement (a report reads both): the version outer-joined to the citizen's open cases."""
    newest = (select(ProcessVersion.id).where(ProcessVersion.key == key)
              .order_by(ProcessVersion.version.desc()).limit(1).scalar_subquery())
    # Without a fødselsnummer there is no open case to find (as in open_cases).
    rows = session.execute(
        select(ProcessVersion, Case.id).where(ProcessVersion.id == newest)
        .outerjoin(Case, and_(Case.citizen_nin == nin, Case.status.in_(RUNNING_CASE_STATES),
                              literal(bool(nin))))
        .order_by(Case.id.desc())).all()
    if not rows:
        raise NotFound(f"ukjent prosess: {key}")
    return rows[0][0], [case_id for _version, case_id in rows if case_id is not None]


def decide(session: Session, nin: str, actor: Actor, attach_to: Any,
           duplicate_reason: Any, found: list[int] | None = None
           ) -> tuple[int | None, str | None, list[int]]:
    """``(case to attach to, reason to proceed, open cases)``; raises DuplicateReport when the
    citizen has an open case and the request says neither. ``found``: the open cases, when
    the caller read them already."""
    if found is None:
        found = open_cases(session, nin)
    reason = duplicate_reason.strip() if isinstance(duplicate_reason, str) else ""
    if not found:
        if attach_to is not None:
            raise InvalidData({"attach_to": "Innbyggeren har ingen åpen sak å knytte "
                                            "meldingen til."})
        return None, None, []
    if attach_to is None and not reason:
        visible = found if actor.is_staff or actor.nin == nin else []
        cases = ", ".join(f"sak {case_id}" for case_id in visible)
        raise DuplicateReport(
            (f"Innbyggeren har allerede en åpen sak ({cases}). Knytt meldingen til den åpne "
             "saken, eller registrer en ny sak med begrunnelse.") if visible else
            "Det finnes allerede en åpen sak for denne personen. Kontakt koordinerende enhet.",
            visible)
    if not actor.is_staff:
        raise Forbidden("Bare ansatte kan knytte en melding til en åpen sak eller registrere "
                        "en ny sak ved siden av den.")
    if attach_to is not None and reason:
        raise InvalidData({"attach_to": "Velg enten å knytte meldingen til en åpen sak eller å "
                                        "registrere en ny sak med begrunnelse."})
    if attach_to is not None:
        if attach_to not in found or isinstance(attach_to, bool):
            raise InvalidData({"attach_to": "Saken er ikke en åpen sak for denne innbyggeren."})
        return int(attach_to), None, found
    if len(reason) > MAX_REASON_LENGTH:
        raise InvalidData({"duplicate_reason":
                           f"Begrunnelsen kan være høyst {MAX_REASON_LENGTH} tegn."})
    return None, reason, found


def attach(session: Session, case_id: int, form: dict[str, Any], report: dict[str, Any],
           actor: Actor) -> None:
    """Keep the report on the open case: a document (the report's fields with the form's
    titles) and a ``report_attached`` event with the data."""
    properties = (form.get("schema") or {}).get("properties") or {}
    lines = [f"{properties.get(key, {}).get('title', key)}: {_shown(properties.get(key), value)}"
             for key, value in report.items()]
    now = clock.now()
    session.add(Document(case_id=case_id, kind="report", title="Ny melding om behov",
                         body="\n".join(lines), bpmn_id=None, created_at=now))
    session.add(Event(case_id=case_id, at=now, actor=actor.username, kind=EventKind.REPORT_ATTACHED,
                      bpmn_id=None, data={"data": report}))


def _shown(prop: Any, value: Any) -> str:
    """A value as the form names it (``x-enumNames`` for codes)."""
    prop = prop if isinstance(prop, dict) else {}
    choices = prop.get("items", prop) if isinstance(value, list) else prop
    names = forms.enum_labels(choices)
    values = value if isinstance(value, list) else [value]
    return ", ".join(names.get(str(v), str(v)) for v in values)
