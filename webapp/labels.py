"""Labels for the procedure's closed vocabularies, as the case and monitor pages show them.

Stored values (a case's status, a role, a choice in the case data) are codes; these tables give
each code its words in the page's language (through the catalogue). A code without a label is
shown as it is. A choice a form offers (who reported, what was asked for, a relation) is named
by that form of the case's process version (:func:`choice_labeller`), never by a table here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from engine.runtime import forms

STATUS_LABELS = {"active": _l("Aktiv"), "completed": _l("Fullført"), "error": _l("Feil"),
                 "closed": _l("Avsluttet"), "cancelled": _l("Avbrutt")}
ROLE_LABELS = {"innbygger": _l("Innbygger"),
               "systemkoordinator": _l("Koordinerende enhet (systemkoordinator)"),
               "fagleder": _l("Fagleder"), "koordinator": _l("Koordinator"),
               "designer": _l("Prosessdesigner"), "leder": _l("Leder")}
KPR_SERVICE_LABELS = {"ip": _l("individuell plan"), "koordinator": _l("koordinator"),
                      "barnekoordinator": _l("barnekoordinator"),
                      "all": _l("alle tjenester")}
# What the citizen can ask for on their own page, said as what they do.
CITIZEN_ACTIONS = {"appeal_received": _l("Klag på avgjørelsen"),
                   "coordinator_change": _l("Be om å få en annen koordinator"),
                   "end_requested": _l("Be om å avslutte planen eller koordinatoren"),
                   "consent_withdrawn": _l("Trekk tilbake et samtykke"),
                   "evaluation_requested": _l("Be om at planen evalueres nå")}
CONSENT_KIND_LABELS = {"plan": _l("individuell plan"),
                       "sharing": _l("deling av opplysninger")}
CONSENT_PERIOD_LABELS = {"first": _l("Første planperiode"), "renewal": _l("Ny planperiode")}
DOCUMENT_KIND_LABELS = {"letter": _l("Brev"), "journal": _l("Journalnotat"),
                        "incoming": _l("Innkommende brev"), "consent": _l("Samtykke"),
                        "plan": _l("Individuell plan")}
# The kinds of text a form holds, as the designer's translation table names them.
FORM_TEXT_LABELS = {"title": _l("tittel"), "description": _l("hjelpetekst"),
                    "x-enumNames": _l("valg"), "x-errorMessages": _l("feilmelding")}
STEP_KIND_LABELS = {"startEvent": _l("Start"), "endEvent": _l("Slutt"),
                    "userTask": _l("Oppgave"), "serviceTask": _l("Automatisk steg"),
                    "scriptTask": _l("Automatisk steg"), "task": _l("Steg"),
                    "boundaryEvent": _l("Hendelse"), "intermediateCatchEvent": _l("Hendelse"),
                    "intermediateThrowEvent": _l("Hendelse")}


def role_label(role: str | None) -> str:
    """A role's name for people (``Koordinator``); empty for no role."""
    return str(ROLE_LABELS.get(role, role)) if role else ""


def choice_labeller(fields: Mapping[str, Any]) -> Callable[[str, Any], str]:
    """``label(field, code)``: a stored choice as the case's own forms name it, in the page's
    language (``fields`` from :func:`engine.runtime.forms.choice_fields`)."""
    labels = forms.choice_labels(fields, str(get_locale() or "nb"))

    def label(field: str, code: Any) -> str:
        return labels.get(field, {}).get(str(code), str(code)) if code is not None else ""

    return label
