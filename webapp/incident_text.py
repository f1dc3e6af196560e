"""A failed step in plain Norwegian: one sentence naming the element by its label (id after)
and the variable the case lacked, and one piece of advice.

The incident panel, the monitor's stuck list and the case history all say a failure with
:func:`plain_error`, so it reads the same on every page; the technical text is theirs to fold
away.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from engine.features.incident_causes import IncidentCause
from webapp.procedure_texts import step_name


@dataclass(frozen=True)
class PlainError:
    sentence: str
    advice: str


def plain_error(bpmn_id: str, cause: IncidentCause) -> PlainError:
    """What failed at ``bpmn_id``, and what to do."""
    where = {"element": step_name(cause.element_name), "id": bpmn_id,
             "variable": cause.missing_variable or "", "handler": cause.handler or ""}
    kind = cause.element_kind
    if cause.missing_variable and kind == "gateway":
        sentence = _("Saken stoppet ved «%(element)s» (%(id)s): steget skal velge vei ut fra "
                     "opplysningen «%(variable)s», men saken har ikke denne opplysningen.",
                     **where)
    elif cause.missing_variable and kind == "script":
        sentence = _("Saken stoppet ved «%(element)s» (%(id)s): skriptet i steget bruker "
                     "opplysningen «%(variable)s», men saken har ikke denne opplysningen.",
                     **where)
    elif cause.missing_variable:
        sentence = _("Saken stoppet ved «%(element)s» (%(id)s): steget bruker opplysningen "
                     "«%(variable)s», men saken har ikke denne opplysningen.", **where)
    elif kind == "service":
        sentence = _("Det automatiske steget «%(element)s» (%(id)s) feilet i tjenesten "
                     "«%(handler)s».", **where)
    elif kind == "timer":
        sentence = _("Fristen i «%(element)s» (%(id)s) kunne ikke regnes ut: tidsuttrykket "
                     "gir ikke en gyldig dato eller varighet.", **where)
    elif kind == "gateway":
        sentence = _("Porten «%(element)s» (%(id)s) kunne ikke velge vei: en betingelse i "
                     "diagrammet feilet.", **where)
    else:
        sentence = _("Steget «%(element)s» (%(id)s) feilet.", **where)
    if cause.missing_variable:
        advice = _("Legg inn opplysningen «%(variable)s» nedenfor og prøv på nytt, eller flytt "
                   "saken til en rettet versjon av prosessen.", **where)
    elif kind == "service":
        advice = _("Det kan være en midlertidig feil: prøv på nytt. Er steget gjort på annen "
                   "måte, kan du hoppe over det.")
    else:
        advice = _("Rett opplysningene steget bruker og prøv på nytt, eller flytt saken til en "
                   "rettet versjon av prosessen.")
    return PlainError(sentence, advice)
