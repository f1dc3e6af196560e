"""Starting a case: the start form of the newest process version, and a case started from it.

One transaction per start; a report about a citizen with an open case is decided by
:mod:`engine.features.duplicates` first.
"""

from __future__ import annotations

from typing import Any

from engine.features import duplicates
from engine.features.deploy import latest_version
from engine.features.validation import sources, validated
from engine.kernel import clock, spiff
from engine.kernel.db import Database
from engine.kernel.errors import Forbidden, InvalidData
from engine.kernel.models import Case
from engine.kernel.vocabulary import CaseState, EventKind, Role
from engine.runtime import forms
from engine.runtime.case_rows import CaseRows
from engine.runtime.case_run import CaseRun
from engine.runtime.users import PROCEDURE_ROLES, Actor

NOT_YOURSELF = ("Du kan bare melde som «innbyggeren selv» om deg selv: fødselsnummeret må være "
                "ditt eget. Melder du for en annen, velg for eksempel «Pårørende».")


def _citizen_reports_as_self_only_for_self(actor: Actor, data: dict[str, Any]) -> None:
    """A citizen logged in as themselves who reports as the citizen (``reported_by`` the
    innbygger role) reports about their own fødselsnummer: otherwise the case would claim that
    another person asked for help themselves."""
    if actor.is_staff or not actor.has_role(Role.INNBYGGER):
        return
    if data.get("reported_by") == Role.INNBYGGER and data.get("citizen_nin") != actor.nin:
        raise InvalidData({"citizen_nin": NOT_YOURSELF})


def start_form(db: Database, process_key: str) -> dict[str, Any]:
    """The start form of the newest version, with the municipality's choices filled in."""
    with db.reading() as session:
        version = latest_version(session, process_key)
        name = spiff.start_properties(version).get("form")
        form = dict(version.forms.get(name, {})) if name else {}
        if form:
            form["schema"] = forms.with_sources(form["schema"], sources(session))
        return form


def start_case(db: Database, process_key: str, data: dict[str, Any], actor: Actor, *,
               attach_to: Any = None, duplicate_reason: Any = None) -> int:
    """Start a case on the newest version of ``process_key`` from its start form.

    For a citizen with an open case see :mod:`engine.features.duplicates`: 409 unless ``attach_to``
    (then the open case's id is returned and no case starts) or ``duplicate_reason``."""
    if not actor.has_any_role(PROCEDURE_ROLES):
        raise Forbidden("Du har ikke en rolle som kan melde behov.")
    if not isinstance(data, dict):  # a process without a start form takes its data as given
        raise InvalidData({"data": "Meldingens data må være et JSON-objekt."})
    with db.transaction() as session:
        reported_nin = str(data.get("citizen_nin", ""))
        version, open_cases = duplicates.version_and_open_cases(session, process_key,
                                                                reported_nin)
        props = spiff.start_properties(version)
        clean = data
        if props.get("form"):
            clean = validated(session, 0, version.forms[props["form"]], data,
                              props.get("validator"), {})
        _citizen_reports_as_self_only_for_self(actor, clean)
        nin = str(clean.get("citizen_nin", ""))
        target, reason, found = duplicates.decide(
            session, nin, actor, attach_to, duplicate_reason,
            open_cases if nin == reported_nin else None)
        if target is not None:
            duplicates.attach(session, target, version.forms.get(props.get("form", ""), {}),
                              clean, actor)
            return target
        now = clock.now()
        case = Case(process_version_id=version.id, process_version=version, status=CaseState.ACTIVE,
                    citizen_name=str(clean.get("citizen_name", "")),
                    citizen_nin=str(clean.get("citizen_nin", "")), state={},
                    created_by=actor.username, created_at=now, updated_at=now)
        session.add(case)
        session.flush()
        run = CaseRun(session, case, actor, CaseRows())  # a new case has none
        workflow = run.new_workflow()
        for task in workflow.get_tasks(state=spiff.TaskState.READY):
            task.data.update(clean)
        run.event(EventKind.CASE_STARTED, None, {"process": version.key, "version": version.version,
                                         "data": clean})
        if reason:
            run.event(EventKind.DUPLICATE_REGISTERED, None, {"reason": reason, "open_cases": found})
        run.advance(workflow)
        run.save(workflow)
        return case.id
