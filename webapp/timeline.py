"""The case's history in sentences: what happened (its events) and who has read it.

Each event kind has one entry in :data:`EVENT_TEXT`, a small function from what the event
recorded to the sentence a person reads; a kind without an entry is shown by its name. What
the citizen reads of it is chosen by :mod:`engine.features.audience`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from engine.features.diagram import Step
from engine.features.incident_causes import IncidentCause
from engine.features.snapshots import AccessRow, DocumentRow, EventRow
from engine.kernel.vocabulary import EventKind as K  # short, so the table reads a kind a line
from webapp import plan_view
from webapp.formatting import long_date
from webapp.incident_text import plain_error
from webapp.labels import DOCUMENT_KIND_LABELS, KPR_SERVICE_LABELS
from webapp.people import Directory
from webapp.procedure_texts import step_name
from webapp.translation import gettext as _

# Workflow bookkeeping that says nothing new to the reader of a case history.
HIDDEN_EVENTS = {K.TASK_CREATED}

# The kinds of history a reader can show or hide on the case page, in the filter's order.
# ``access`` (who has read the case) is off unless asked for: it grows with every page view.
TIMELINE_GROUPS = {"tasks": _l("Oppgaver"), "messages": _l("Meldinger"),
                   "letters": _l("Brev og notater"), "plan": _l("Plan og møter"),
                   "case": _l("Saken"), "errors": _l("Feil"), "access": _l("Innsyn")}
DEFAULT_GROUPS = frozenset(TIMELINE_GROUPS) - {"access"}
EVENT_GROUPS: dict[str, str] = {
    **dict.fromkeys((K.TASK_CREATED, K.TASK_CLAIMED, K.TASK_UNCLAIMED, K.TASK_ASSIGNED,
                     K.TASK_REASSIGNED, K.TASK_COMPLETED, K.TASK_ESCALATED, K.REMINDER_SENT),
                    "tasks"),
    **dict.fromkeys((K.MESSAGE_RECEIVED, K.MESSAGE_CAUGHT, K.THREAD_MESSAGE), "messages"),
    **dict.fromkeys((K.PLAN_REVISED, K.PLAN_PROPOSED, K.PLAN_PROPOSAL_DECLINED,
                     K.ACTION_ITEM_CHANGED, K.ACTION_ITEMS_CLOSED), "plan"),
    **dict.fromkeys((K.INCIDENT_OPENED, K.INCIDENT_RETRIED, K.INCIDENT_RESOLVED), "errors"),
}


@dataclass(frozen=True)
class Told:
    """What an event's sentence may use: its data, the step's name (and id), who is who,
    and for a failed step what failed."""

    data: Mapping[str, Any]
    name: str
    directory: Directory
    citizen_view: bool
    bpmn_id: str = ""
    cause: IncidentCause | None = None

    def get(self, key: str) -> Any:
        return self.data.get(key, "")

    def person(self, key: str) -> str:
        return self.directory.name(self.data.get(key))


def _task_completed(e: Told) -> str:
    if e.data.get("on_behalf_of"):
        return _("Fullførte «%(name)s» på vegne av %(citizen)s", name=e.name,
                 citizen=e.data["on_behalf_of"])
    return _("Fullførte «%(name)s»", name=e.name)


def _message_received(e: Told) -> str:
    """Named by the diagram's event that took it (one recorded before it was, by the
    message's own name)."""
    return _("Registrert: %(event)s.", event=e.name or e.get("message"))


def _incident_opened(e: Told) -> str:
    """Staff read what failed as the incident panel says it; the technical text is folded
    away on the page (the entry's ``technical``)."""
    if e.citizen_view or e.cause is None:
        return _("Et automatisk steg feilet: %(name)s", name=e.name)
    return plain_error(e.bpmn_id, e.cause).sentence


def _variable_corrected(e: Told) -> str:
    """Old and new value as JSON, so a text "20" and a number 20 read differently."""
    old = _("(manglet)") if e.data.get("old_missing") else json.dumps(e.data.get("old"),
                                                                      ensure_ascii=False)
    return _("Rettet opplysningen «%(variable)s» fra %(old)s til %(new)s. Begrunnelse: "
             "%(reason)s", variable=e.get("variable"), old=old,
             new=json.dumps(e.data.get("new"), ensure_ascii=False), reason=e.get("reason"))


def _coordinator_assigned(e: Told) -> str:
    if e.data.get("previous"):
        return _("Koordinator skiftet fra %(previous)s til %(coordinator)s",
                 previous=e.person("previous"), coordinator=e.person("coordinator"))
    return _("Koordinator oppnevnt: %(coordinator)s", coordinator=e.person("coordinator"))


def _kpr_service(e: Told) -> str:
    return str(KPR_SERVICE_LABELS.get(e.get("service"), e.get("service")))


def _action_item_changed(e: Told) -> str:
    status = e.get("to")
    return _("Oppgaven «%(item)s» er markert: %(status)s", item=e.get("description"),
             status=plan_view.ITEM_STATUS_LABELS.get(status, status))


EVENT_TEXT: dict[str, Callable[[Told], str]] = {
    K.CASE_STARTED: lambda e: _("Melding om behov registrert, saken ble opprettet"),
    K.TASK_CREATED: lambda e: _("Ny oppgave: %(name)s", name=e.name),
    K.TASK_COMPLETED: _task_completed,
    K.TASK_CLAIMED: lambda e: _("Tok oppgaven «%(name)s»", name=e.name),
    K.TASK_UNCLAIMED: lambda e: _("La tilbake oppgaven «%(name)s»", name=e.name),
    K.TASK_ASSIGNED: lambda e: _("Ga oppgaven «%(name)s» til %(person)s", name=e.name,
                                 person=e.person("assignee")),
    K.STEP_COMPLETED: lambda e: _("Automatisk steg utført: %(name)s", name=e.name),
    K.TIMER_FIRED: lambda e: _("Frist nådd: %(name)s", name=e.name),
    K.MESSAGE_RECEIVED: _message_received,
    K.MESSAGE_CAUGHT: lambda e: _("Hendelse: %(name)s", name=e.name),
    K.END_REACHED: lambda e: _("Saken nådde slutten: %(name)s", name=e.name),
    K.CASE_COMPLETED: lambda e: _("Saken er avsluttet"),
    K.INCIDENT_OPENED: _incident_opened,
    K.INCIDENT_RETRIED: lambda e: _("Nytt forsøk på steget «%(name)s»", name=e.name),
    K.INCIDENT_RESOLVED: lambda e: _("Feilen i steget «%(name)s» er løst", name=e.name),
    K.COORDINATOR_ASSIGNED: _coordinator_assigned,
    K.KPR_START: lambda e: _("Meldt til KPR: %(service)s fra %(date)s", service=_kpr_service(e),
                             date=long_date(e.data.get("date"))),
    K.KPR_END: lambda e: _("Avsluttet i KPR: %(service)s fra %(date)s", service=_kpr_service(e),
                           date=long_date(e.data.get("date"))),
    K.THREAD_MESSAGE: lambda e: _("Skrev en melding i samtalen"),
    K.TASK_REASSIGNED: lambda e: _("Flyttet oppgaven «%(name)s» til %(person)s. "
                                   "Begrunnelse: %(reason)s", name=e.name,
                                   person=e.person("to"), reason=e.get("reason")),
    K.REMINDER_SENT: lambda e: _("Sendte påminnelse til %(recipient)s. Begrunnelse: %(reason)s",
                                 recipient=e.get("to"), reason=e.get("reason")),
    K.TASK_ESCALATED: lambda e: _("Fristen for «%(name)s» er passert: varsel sendt",
                                  name=e.name),
    K.CASE_CANCELLED: lambda e: _("Saken ble avbrutt. Begrunnelse: %(reason)s",
                                  reason=e.get("reason")),
    K.PLAN_REVISED: lambda e: _("Planen ble revidert (revisjon %(number)s)",
                                number=e.get("number")),
    K.PLAN_PROPOSED: lambda e: _("Foreslo endringer i planen"),
    K.PLAN_PROPOSAL_DECLINED: lambda e: _("Forslaget til endring i planen ble ikke tatt inn. "
                                          "Begrunnelse: %(reason)s", reason=e.get("reason")),
    K.ACTION_ITEM_CHANGED: _action_item_changed,
    K.ACTION_ITEMS_CLOSED: lambda e: _("Åpne oppgaver fra møtene ble lukket da saken ble "
                                       "avsluttet"),
    K.MIGRATED: lambda e: _("Saken ble flyttet til versjon %(version)s av prosessen",
                            version=e.get("to")),
    K.DUPLICATE_REGISTERED: lambda e: _("Meldt som ny sak selv om innbyggeren har en åpen sak. "
                                        "Begrunnelse: %(reason)s", reason=e.get("reason")),
    K.REPORT_ATTACHED: lambda e: _("En ny melding om behov ble lagt til saken"),
    K.CASE_CLOSED: lambda e: _("Saken er avsluttet, men kan åpnes igjen ved klage"),
    K.CASE_REOPENED: lambda e: _("Saken ble åpnet igjen"),
    K.VARIABLE_CORRECTED: _variable_corrected,
    K.STEP_SKIPPED: lambda e: _("Hoppet over det feilede steget «%(name)s». Begrunnelse: "
                                "%(reason)s", name=e.name, reason=e.get("reason")),
    K.CASE_ANONYMISED: lambda e: _("Saken ble anonymisert da oppbevaringstiden på %(years)s år "
                                   "var ute", years=e.get("years")),
}


def event_text(event: EventRow, directory: Directory, steps: Mapping[str, Step],
               citizen_view: bool) -> str:
    """The sentence for one event; the step is named as the event recorded it, else by the
    diagram, in the page's language when the catalogue has the name."""
    data = event.data or {}
    step = steps.get(event.bpmn_id or "")
    name = step_name(data.get("name") or (step.name if step else event.bpmn_id or ""))
    text = EVENT_TEXT.get(event.kind)
    if text is None:
        return event.kind.replace("_", " ")
    return text(Told(data, name, directory, citizen_view, event.bpmn_id or "", event.cause))


def timeline(events: Sequence[EventRow], directory: Directory, steps: Mapping[str, Step],
             citizen_view: bool) -> list[dict[str, Any]]:
    """The case's events newest first (the citizen's already chosen for them:
    :func:`engine.features.audience.citizen_events`); a failed step's ``technical`` text for
    staff only, for the page to fold away."""
    return [{"at": e.at, "who": directory.name(e.actor), "kind": e.kind,
             "group": EVENT_GROUPS.get(e.kind, "case"),
             "text": event_text(e, directory, steps, citizen_view),
             "technical": e.cause.technical if e.cause and not citizen_view else None}
            for e in reversed(events) if e.kind not in HIDDEN_EVENTS]


def document_entries(documents: Iterable[DocumentRow]) -> list[dict[str, Any]]:
    """The case's letters and journal notes as history: when each was written."""
    return [{"at": d.created_at, "who": "", "kind": "document", "group": "letters",
             "text": _("%(kind)s: %(title)s", kind=DOCUMENT_KIND_LABELS.get(d.kind, d.kind),
                       title=d.title)} for d in documents]


def history(entries: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Events, documents and reads in one list, newest first (ties keep their order)."""
    return sorted((dict(e) for e in entries), key=lambda e: e["at"], reverse=True)


def access_what(what: str, task_names: Mapping[int, str]) -> str:
    """What a read in the access log was, in the page's language (a task by its name)."""
    if what == "case_page":
        return _("Åpnet sakssiden")
    if what == "case":
        return _("Leste saken")
    if what == "plan":
        return _("Leste planen")
    if what == "search":
        return _("Søkte opp saken på fødselsnummer")
    if what == "innsyn":
        return _("Tok ut alt kommunen har om innbyggeren (innsyn)")
    if what == "innsynslogg":
        return _("Tok ut innsynsloggen til innbyggeren")
    if what == "documents":
        return _("Leste brev og journalnotater")
    if what.startswith("attachment "):
        return _("Lastet ned et dokument (vedlegg nr. %(number)s)", number=what.split(" ", 1)[1])
    if what.startswith("task:"):
        number = what.split(":", 1)[1]
        name = task_names.get(int(number)) if number.isdigit() else None
        if name:
            return _("Åpnet oppgaven «%(name)s»", name=name)
        return _("Åpnet en oppgave (nr. %(number)s)", number=number)
    return what


def access_rows(entries: Iterable[AccessRow], directory: Directory,
                task_names: Mapping[int, str]) -> list[dict[str, Any]]:
    """The access log as rows: when, who (and in which role), what they read."""
    rows = []
    for entry in entries:
        what = access_what(entry.what, task_names)
        # ``kind``, ``group`` and ``text``: the same row reads as history on the case page.
        rows.append({"at": entry.at, "who": directory.name(entry.username),
                     "role": directory.role(entry.username), "what": what,
                     "kind": "access", "group": "access", "text": what})
    return rows
