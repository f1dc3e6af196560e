"""Checking what a person sends before the token moves: the form's schema with the
municipality's choices filled in, then the step's validator from the handlers.

Validators may look things up but never cause effects: theirs are thrown away.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from engine.kernel import clock
from engine.kernel.errors import InvalidData
from engine.runtime import forms
from engine.runtime.handler_context import CaseEffects, SessionDirectory
from engine.runtime.users import service_areas
from handlers.catalogue import get_validator
from handlers.registry import HandlerContext


def sources(session: Session) -> dict[str, dict[str, str]]:
    """The municipality's own lists a form's choices may come from (its service areas)."""
    return {"service_areas": service_areas(session)}


def validation_context(session: Session, case_id: int) -> HandlerContext:
    """Validators may look things up but never cause effects: theirs are thrown away."""
    return HandlerContext(case_id=case_id, now=clock.now(), directory=SessionDirectory(session),
                          effects=CaseEffects())


def validated(session: Session, case_id: int, form: dict[str, Any], data: dict[str, Any],
              validator_name: str | None, context_data: dict[str, Any]) -> dict[str, Any]:
    """The declared fields of ``data`` when valid; raises InvalidData otherwise."""
    if not isinstance(data, dict):
        raise InvalidData({"_form": "Skjemadata må være et JSON-objekt."})
    schema = forms.with_sources(form["schema"], sources(session))
    clean = forms.declared_fields(forms.normalized(data, schema), schema)
    errors = forms.schema_errors(clean, schema)
    if not errors and validator_name:
        errors = get_validator(validator_name)(validation_context(session, case_id),
                                              {**context_data, **clean})
    if errors:
        raise InvalidData(errors)
    return clean
