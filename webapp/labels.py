"""Labels for the procedure's closed vocabularies, as the case and monitor pages show them.

Stored values (a case's status, a role, a choice in the case data) are codes; these tables give
each code its words in the page's language (through the catalogue). A code without a label is
shown as it is.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {"active": _l("Aktiv"), "completed": _l("Fullført"), "error": _l("Feil"),
                 "cancelled": _l("Avbrutt")}
ROLE_LABELS = {"innbygger": _l("Innbygger"),
               "systemkoordinator": _l("Koordinerende enhet (systemkoordinator)"),
               "fagleder": _l("Fagleder"), "koordinator": _l("Koordinator"),
               "designer": _l("Prosessdesigner"), "leder": _l("Leder")}
REPORTED_BY_LABELS = {"innbygger": _l("Innbyggeren selv"), "parorende": _l("Pårørende"),
                      "kommunal_tjenesteyter": _l("Kommunal tjenesteyter"),
                      "ekstern_samarbeidspart": _l("Ekstern samarbeidspart")}
REQUEST_LABELS = {"ip": _l("Individuell plan"), "koordinator": _l("Koordinator")}
KPR_SERVICE_LABELS = {"ip": _l("individuell plan"), "koordinator": _l("koordinator"),
                      "all": _l("alle tjenester")}
MESSAGE_LABELS = {"appeal_received": _l("klage"),
                  "coordinator_change": _l("ønske om å skifte koordinator"),
                  "end_requested": _l("ønske om å avslutte"),
                  "consent_withdrawn": _l("tilbaketrekking av samtykke")}
RELATION_LABELS = {"selv": _l("innbyggeren selv"), "foresatt": _l("foresatt"),
                   "verge": _l("verge"), "fullmektig": _l("fullmektig")}
CONSENT_KIND_LABELS = {"plan": _l("individuell plan"),
                       "sharing": _l("deling av opplysninger")}
CONSENT_PERIOD_LABELS = {"first": _l("Første planperiode"), "renewal": _l("Ny planperiode")}
DOCUMENT_KIND_LABELS = {"letter": _l("Brev"), "journal": _l("Journalnotat")}
STEP_KIND_LABELS = {"startEvent": _l("Start"), "endEvent": _l("Slutt"),
                    "userTask": _l("Oppgave"), "serviceTask": _l("Automatisk steg"),
                    "scriptTask": _l("Automatisk steg"), "task": _l("Steg"),
                    "boundaryEvent": _l("Hendelse"), "intermediateCatchEvent": _l("Hendelse"),
                    "intermediateThrowEvent": _l("Hendelse")}


def role_label(role: str | None) -> str:
    """A role's name for people (``Koordinator``); empty for no role."""
    return str(ROLE_LABELS.get(role, role)) if role else ""
