"""A case in incident, as the leder and the systemkoordinator resolve it on the case page and
on the monitor's case page: the failed step in plain words, the case's data, and the forms
to correct a variable, retry, skip the step or move the case to a fixed version.

The panel (``_case_incident.html``) asks :func:`incident_panel` for what it shows, so each
page includes it with one line; the forms post here and come back to the page they came from.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as Redirect

from engine.features import incident_repair, interventions
from engine.features.incident_causes import IncidentCause
from engine.features.incident_repair import OpenIncident
from engine.kernel.errors import EngineError, InvalidData
from engine.runtime import users
from webapp.auth import current_actor, db, login_required, signed_in_actor
from webapp.edge import whole_id
from webapp.error_pages import flash_outcome
from webapp.incident_text import plain_error
from webapp.procedure_texts import diagram_url

bp = Blueprint("incident_pages", __name__)

SHORT_VALUE = 120  # longer values are folded away in the variables table


@dataclass(frozen=True)
class IncidentText:
    """One open incident as the panel says it: a sentence, advice, and the technical text."""

    incident: OpenIncident
    sentence: str
    advice: str


@dataclass(frozen=True)
class Variable:
    name: str
    value: str  # as JSON
    short: bool


@dataclass(frozen=True)
class IncidentPanel:
    case_id: int
    version: int
    incidents: tuple[IncidentText, ...]
    variables: tuple[Variable, ...]
    newer_versions: tuple[int, ...]
    failed_elements: tuple[str, ...]
    missing: tuple[str, ...]  # variables the failed steps lacked, offered first
    diagram: dict[str, Any]  # for a page without a diagram of its own (the monitor's)


def explain(incident: OpenIncident) -> IncidentText:
    """The incident as the panel says it; the technical text stays with it for the fold."""
    plain = plain_error(incident.bpmn_id, incident.cause)
    return IncidentText(incident, plain.sentence, plain.advice)


@bp.app_template_global()
def incident_sentence(bpmn_id: str, cause: IncidentCause) -> str:
    """The plain sentence for a failure a page lists (the monitor's stuck cases)."""
    return plain_error(bpmn_id, cause).sentence


def _variable(name: str, value: Any) -> Variable:
    text = json.dumps(value, ensure_ascii=False, indent=1 if isinstance(value, dict | list)
                      else None, default=str)
    return Variable(name, text, len(text) <= SHORT_VALUE and "\n" not in text)


def may_repair() -> bool:
    actor = current_actor()
    return actor is not None and actor.has_any_role(users.OVERSIGHT_ROLES)


@bp.app_template_global()
def incident_panel(case_id: int) -> IncidentPanel | None:
    """What the incident panel shows, for a leder or systemkoordinator on a case with an open
    incident; None for anybody else or a case without one (the panel is then left out)."""
    if not may_repair():
        return None
    try:
        repair = incident_repair.case_repair(db(), case_id, signed_in_actor())
    except EngineError:
        return None
    if not repair.incidents:
        return None
    return IncidentPanel(
        case_id=case_id, version=repair.version,
        incidents=tuple(explain(i) for i in repair.incidents),
        variables=tuple(_variable(k, v) for k, v in repair.variables.items()),
        newer_versions=repair.newer_versions, failed_elements=repair.failed_elements,
        missing=tuple(dict.fromkeys(i.cause.missing_variable for i in repair.incidents
                                    if i.cause.missing_variable)),
        diagram={"url": diagram_url(repair.process_key, repair.version), "passed": [],
                 "current": list(repair.failed_elements)})


# ---------------------------------------------------------------- the forms


def _back(case_id: int) -> Redirect:
    if request.form.get("back") == "monitor":
        return redirect(url_for("monitor.case", case_id=case_id, _anchor="feil"))
    return redirect(url_for("cases.case", case_id=case_id, _anchor="feil"))


def _act(case_id: int, action: Callable[[], str]) -> Redirect:
    flash_outcome(action)
    return _back(case_id)


def parse_value(text: str) -> Any:
    """A value typed as JSON (``20``, ``true``, ``"tekst"``, ``null``, a list or object);
    plain text that is no JSON is taken as text."""
    try:
        return json.loads(text)
    except ValueError:
        stripped = text.strip()
        if not stripped:
            raise InvalidData({"value": _("Skriv inn en verdi.")}) from None
        return stripped


@bp.post("/cases/<int:case_id>/variables")
@login_required
def correct(case_id: int) -> Redirect:
    def run() -> str:
        name = request.form.get("variable") or ""
        incident_repair.correct_variable(db(), case_id, name.strip(),
                                         parse_value(request.form.get("value", "")),
                                         request.form.get("reason"), signed_in_actor())
        return _("Opplysningen «%(name)s» er rettet. Prøv steget på nytt.", name=name.strip())

    return _act(case_id, run)


@bp.post("/cases/<int:case_id>/incidents/<int:incident_id>/retry")
@login_required
def retry(case_id: int, incident_id: int) -> Redirect:
    def run() -> str:
        outcome = interventions.retry_incident_because(
            db(), incident_id, request.form.get("reason"), signed_in_actor())
        if outcome.get("resolved_at"):
            return _("Steget er kjørt på nytt, og feilen er løst.")
        return _("Steget er kjørt på nytt, men feiler fortsatt.")

    return _act(case_id, run)


@bp.post("/cases/<int:case_id>/incidents/<int:incident_id>/skip")
@login_required
def skip(case_id: int, incident_id: int) -> Redirect:
    def run() -> str:
        incident_repair.skip_step(db(), incident_id, request.form.get("reason"),
                                  signed_in_actor())
        return _("Steget er hoppet over, og saken går videre.")

    return _act(case_id, run)


@bp.post("/cases/<int:case_id>/move")
@login_required
def move(case_id: int) -> Redirect:
    def run() -> str:
        version = request.form.get("version", type=whole_id) or 0
        incident_repair.move_case(db(), case_id, version, request.form.get("reason"),
                                  signed_in_actor())
        return _("Saken er flyttet til versjon %(version)s.", version=version)

    return _act(case_id, run)
