"""Checking what a person sends before the token moves: the form's schema with the
municipality's choices filled in, then the step's validator from the handlers.

Validators may look things up but never cause effects: theirs are thrown away.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy.orm import Session

from engine.features import consents
from engine.kernel import clock
from engine.kernel.errors import InvalidData
from engine.kernel.models import Case
from engine.runtime import forms
from engine.runtime.handler_context import CaseEffects, SessionDirectory
from engine.runtime.users import Colleague, coordinators, service_areas
from handlers.catalogue import get_validator
from handlers.registry import HandlerContext


def sources(session: Session, case: Case | None = None,
            wanted: Collection[str] = tuple(forms.SOURCES),
            directory: SessionDirectory | None = None,
            areas: dict[str, str] | None = None) -> dict[str, list[forms.Choice]]:
    """The municipality's own lists a form's choices may come from (``x-source``): its service
    areas, the coordinators of the case's service area with how many active cases each has,
    and the participants the citizen's consent lets the case share information with today.
    Only the ``wanted`` ones are read (each is a query; most forms use none). The coordinators
    read are told to ``directory``, which the validator and the step then ask. ``areas``: the
    service areas, when the caller read them already."""
    found: dict[str, list[forms.Choice]] = {}
    if "service_areas" in wanted:
        found["service_areas"] = [forms.Choice(code, name)
                                  for code, name in (areas if areas is not None
                                                     else service_areas(session)).items()]
    if "coordinators" in wanted:
        area = case.service_area if case else None
        people = coordinators(session, area)
        found["coordinators"] = [_coordinator(person) for person in people]
        if directory is not None:
            directory.remember_coordinators(area, [(p.username, p.full_name) for p in people])
    if "sharing_participants" in wanted:
        sharing = consents.case_sharing(session, case.id) if case is not None else []
        found["sharing_participants"] = [forms.Choice(name, name) for name in dict.fromkeys(
            row.participant for row in sharing if row.active)]
    return found


def _coordinator(person: Colleague) -> forms.Choice:
    count = person.active_cases
    cases = "1 aktiv sak" if count == 1 else f"{count} aktive saker"
    cases_en = "1 active case" if count == 1 else f"{count} active cases"
    return forms.Choice(person.username, f"{person.full_name} ({cases})",
                        {"en": f"{person.full_name} ({cases_en})"})


def validation_context(session: Session, case_id: int,
                       directory: SessionDirectory | None = None) -> HandlerContext:
    """Validators may look things up but never cause effects: theirs are thrown away."""
    return HandlerContext(case_id=case_id, now=clock.now(),
                          directory=directory or SessionDirectory(session), effects=CaseEffects())


def validated(session: Session, case_id: int, form: dict[str, Any], data: dict[str, Any],
              validator_name: str | None, context_data: dict[str, Any],
              directory: SessionDirectory | None = None,
              areas: dict[str, str] | None = None) -> dict[str, Any]:
    """The declared fields of ``data`` when valid; raises InvalidData otherwise. ``directory``:
    the engine call's, which keeps what the form's lists read for the steps that follow;
    ``areas``: the service areas, when the caller read them already."""
    if not isinstance(data, dict):
        raise InvalidData({"_form": "Skjemadata må være et JSON-objekt."})
    wanted = {prop.get("x-source") for prop in form["schema"].get("properties", {}).values()
              if isinstance(prop, dict)}
    schema = forms.with_sources(form["schema"], sources(
        session, session.get(Case, case_id) if case_id else None,
        {name for name in wanted if name}, directory, areas))
    clean = forms.declared_fields(forms.normalized(data, schema), schema)
    errors = {**forms.schema_errors(clean, schema), **forms.source_errors(clean, schema)}
    if not errors and validator_name:
        # The validator sees the data as completing will leave it: an answer left out this time
        # is not last time's (a renewal's revision date is the new period's, not the old one).
        as_stored = {**context_data, **forms.omitted_answers(schema, clean), **clean}
        errors = get_validator(validator_name)(validation_context(session, case_id, directory),
                                               as_stored)
    if errors:
        raise InvalidData(errors)
    return clean
