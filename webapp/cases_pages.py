"""Case pages, the citizen's own pages, the case thread and the access log.

Every page here reads through the engine: ``case_overview`` checks that the user may see the
case (tjenstlig behov, or the citizen's own case) and writes the read to the access log. The
views turn the engine's rows and the case's variables into plain, already labelled values, so
the templates only lay them out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_time
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine.features import cases, overview
from engine.features.overview import Step
from engine.kernel import clock
from engine.kernel.errors import InvalidData
from engine.kernel.models import AccessLog, Case, CaseMessage, Document, Event, Task
from engine.runtime import plan_store, users
from engine.runtime.access import is_own_case, keeps_plan, may_act
from webapp import phases, plan_view
from webapp.auth import current_actor, db, login_required

bp = Blueprint("cases", __name__)

try:
    LOCAL_TZ: Any = ZoneInfo("Europe/Oslo")
except ZoneInfoNotFoundError:  # no tz database on the host: show UTC rather than fail
    LOCAL_TZ = UTC

AGE_OF_CONSENT = 16
ACCESS_LOG_ON_CASE_PAGE = 20

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

# Workflow bookkeeping that says nothing new to the reader of a case history.
HIDDEN_EVENTS = {"task_created"}
# Internal work distribution and technical errors: staff see them, the citizen does not.
STAFF_ONLY_EVENTS = {"task_claimed", "task_unclaimed", "task_assigned", "incident_opened",
                     "incident_resolved", "incident_retried", "task_reassigned",
                     "reminder_sent", "task_escalated"}


# ---------------------------------------------------------------- dates


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.astimezone(LOCAL_TZ).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
    else:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(LOCAL_TZ)


def _locale() -> str:
    return str(get_locale() or "nb")


def _time_pattern() -> str:
    """Norwegian writes ``kl. 10.00`` (as the letters do); other languages ``10:00``."""
    return "HH.mm" if _locale().startswith(("nb", "no", "nn")) else "HH:mm"


@bp.app_template_filter("nb_date")
def nb_date(value: Any) -> str:
    """``2. mars 2026``; a date, a datetime (shown in Norwegian time) or an ISO string."""
    day = _as_date(value)
    return format_date(day, format="long", locale=_locale()) if day else ""


@bp.app_template_filter("nb_datetime")
def nb_datetime(value: Any) -> str:
    """``2. mars 2026 kl. 10.00`` in Norwegian time; a plain date shows without time."""
    moment = _as_datetime(value)
    if moment is None:
        return nb_date(value)
    return _("%(date)s kl. %(time)s",
             date=format_date(moment.date(), format="long", locale=_locale()),
             time=format_time(moment.timetz(), format=_time_pattern(), locale=_locale()))


def _today() -> date:
    return clock.now().astimezone(LOCAL_TZ).date()


def _age(birth: date | None, today: date) -> int | None:
    if birth is None:
        return None
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _nin(nin: str) -> str:
    """Fødselsnummer as it is usually written: ``150585 10170``."""
    return f"{nin[:6]} {nin[6:]}" if len(nin) == 11 else nin


# ---------------------------------------------------------------- people and places


@dataclass(frozen=True)
class Directory:
    """Display names of users and service areas for this request."""

    names: Mapping[str, str]
    roles: Mapping[str, tuple[str, ...]]
    areas: Mapping[str, str]

    def name(self, username: str | None) -> str:
        if not username:
            return ""
        if username == users.SYSTEM.username:
            return _("Systemet (automatisk)")
        return self.names.get(username, username)

    def role(self, username: str | None) -> str:
        """The user's roles, labelled, e.g. ``Koordinator``."""
        roles = self.roles.get(username or "", ())
        return ", ".join(str(ROLE_LABELS.get(role, role)) for role in roles)

    def area(self, code: str | None) -> str:
        return self.areas.get(code, code) if code else ""


def _directory() -> Directory:
    who = users.people(db())
    return Directory(who.names, who.roles, who.areas)


def task_url(task_id: int) -> str:
    return url_for("tasks.task", task_id=task_id)


# ---------------------------------------------------------------- the diagram's steps


def _step_rows(steps: Iterable[Step], passed: set[str], current: set[str]) -> list[dict[str, Any]]:
    rows = []
    for step in steps:
        if step.id in current:
            state, label = "current", _("Pågår nå")
        elif step.id in passed:
            state, label = "passed", _("Fullført")
        else:
            state, label = "pending", _("Ikke nådd")
        rows.append({"id": step.id, "name": step.name, "state": state, "state_label": label,
                     "kind": STEP_KIND_LABELS[step.kind],
                     "lane": ROLE_LABELS.get(step.lane, step.lane) if step.lane else ""})
    return rows


def _route(events: list[Event], steps: dict[str, Step], passed: set[str], current: set[str],
           starts: Iterable[tuple[str, frozenset[str] | None]]) -> list[dict[str, Any]]:
    """The steps the case has gone through, in the order they happened, then where it waits.

    Start events leave no event of their own: the process's comes first, and a phase's just
    before the first step the case took inside that phase."""
    entries = [(start, inside) for start, inside in starts if start in passed and start in steps]
    seen: list[str] = [start for start, inside in entries if inside is None]
    for event in events:
        if event.bpmn_id in passed and event.bpmn_id in steps and event.bpmn_id not in seen:
            seen += [start for start, inside in entries
                     if inside and event.bpmn_id in inside and start not in seen]
            seen.append(event.bpmn_id)
    seen += [start for start, _inside in entries if start not in seen]
    route = [{"name": steps[i].name, "state": "passed", "state_label": _("Fullført")}
             for i in seen if i not in current]
    order = list(steps)
    route += [{"name": steps[i].name, "state": "current", "state_label": _("Pågår nå")}
              for i in sorted((i for i in current if i in steps), key=order.index)]
    return route


# ---------------------------------------------------------------- sections


def _waits_for(task: Task, directory: Directory) -> str:
    if task.claimed_by:
        return _("%(name)s (har tatt oppgaven)", name=directory.name(task.claimed_by))
    if task.assignee and task.on_behalf_of:
        return _("%(name)s på vegne av %(citizen)s", name=directory.name(task.assignee),
                 citizen=task.on_behalf_of)
    if task.assignee:
        return directory.name(task.assignee)
    role = str(ROLE_LABELS.get(task.role, task.role))
    if task.service_area and task.role != "systemkoordinator":
        return _("%(role)s i %(area)s", role=role, area=directory.area(task.service_area))
    return role


def _open_tasks(open_tasks: list[Task], directory: Directory, actor: users.Actor,
                citizen_view: bool, now: datetime) -> list[dict[str, Any]]:
    rows = []
    for task in open_tasks:
        # Linked only where the task page lets the reader in (it answers 403 to anyone else).
        mine = actor.username in (task.assignee, task.claimed_by)
        may_open = mine or (not citizen_view and may_act(actor, task)
                            and task.claimed_by in (None, actor.username))
        rows.append({"id": task.id, "name": task.name, "waits_for": _waits_for(task, directory),
                     "lane": ROLE_LABELS.get(task.role, task.role), "due_at": task.due_at,
                     "overdue": task.due_at is not None and task.due_at < now, "mine": mine,
                     "url": task_url(task.id) if may_open else None})
    return rows


def _event_text(event: Event, directory: Directory, steps: dict[str, Step],
                citizen_view: bool) -> str:
    data = event.data or {}
    name = data.get("name") or (steps[event.bpmn_id].name if event.bpmn_id in steps
                                else event.bpmn_id or "")
    kind = event.kind
    if kind == "case_started":
        return _("Melding om behov registrert, saken ble opprettet")
    if kind == "task_created":
        return _("Ny oppgave: %(name)s", name=name)
    if kind == "task_completed":
        if data.get("on_behalf_of"):
            return _("Fullførte «%(name)s» på vegne av %(citizen)s", name=name,
                     citizen=data["on_behalf_of"])
        return _("Fullførte «%(name)s»", name=name)
    if kind == "task_claimed":
        return _("Tok oppgaven «%(name)s»", name=name)
    if kind == "task_unclaimed":
        return _("La tilbake oppgaven «%(name)s»", name=name)
    if kind == "task_assigned":
        return _("Ga oppgaven «%(name)s» til %(person)s", name=name,
                 person=directory.name(data.get("assignee")))
    if kind == "step_completed":
        return _("Automatisk steg utført: %(name)s", name=name)
    if kind == "timer_fired":
        return _("Frist nådd: %(name)s", name=name)
    if kind == "message_received":
        message = data.get("message", "")
        return _("Mottok %(message)s", message=MESSAGE_LABELS.get(message, message))
    if kind == "message_caught":
        return _("Hendelse: %(name)s", name=name)
    if kind == "end_reached":
        return _("Saken nådde slutten: %(name)s", name=name)
    if kind == "case_completed":
        return _("Saken er avsluttet")
    if kind == "incident_opened":
        if citizen_view:
            return _("Et automatisk steg feilet: %(name)s", name=name)
        return _("Feil i steget «%(name)s»: %(error)s", name=name, error=data.get("error", ""))
    if kind == "incident_retried":
        return _("Nytt forsøk på steget «%(name)s»", name=name)
    if kind == "incident_resolved":
        return _("Feilen i steget «%(name)s» er løst", name=name)
    if kind == "coordinator_assigned":
        if data.get("previous"):
            return _("Koordinator skiftet fra %(previous)s til %(coordinator)s",
                     previous=directory.name(data["previous"]),
                     coordinator=directory.name(data.get("coordinator")))
        return _("Koordinator oppnevnt: %(coordinator)s",
                 coordinator=directory.name(data.get("coordinator")))
    if kind in ("kpr_start", "kpr_end"):
        service = str(KPR_SERVICE_LABELS.get(data.get("service", ""), data.get("service", "")))
        if kind == "kpr_start":
            return _("Meldt til KPR: %(service)s fra %(date)s", service=service,
                     date=nb_date(data.get("date")))
        return _("Avsluttet i KPR: %(service)s fra %(date)s", service=service,
                 date=nb_date(data.get("date")))
    if kind == "thread_message":
        return _("Skrev en melding i samtalen")
    if kind == "task_reassigned":
        return _("Flyttet oppgaven «%(name)s» til %(person)s. Begrunnelse: %(reason)s",
                 name=name, person=directory.name(data.get("to")), reason=data.get("reason", ""))
    if kind == "reminder_sent":
        return _("Sendte påminnelse til %(recipient)s. Begrunnelse: %(reason)s",
                 recipient=data.get("to", ""), reason=data.get("reason", ""))
    if kind == "task_escalated":
        return _("Fristen for «%(name)s» er passert: varsel sendt", name=name)
    if kind == "case_cancelled":
        return _("Saken ble avbrutt. Begrunnelse: %(reason)s", reason=data.get("reason", ""))
    if kind == "plan_revised":
        return _("Planen ble revidert (revisjon %(number)s)", number=data.get("number", ""))
    if kind == "plan_proposed":
        return _("Foreslo endringer i planen")
    if kind == "plan_proposal_declined":
        return _("Forslaget til endring i planen ble ikke tatt inn. Begrunnelse: %(reason)s",
                 reason=data.get("reason", ""))
    if kind == "action_item_changed":
        status = data.get("to", "")
        return _("Oppgaven «%(item)s» er markert: %(status)s", item=data.get("description", ""),
                 status=plan_view.ITEM_STATUS_LABELS.get(status, status))
    if kind == "action_items_closed":
        return _("Åpne oppgaver fra møtene ble lukket da saken ble avsluttet")
    if kind == "migrated":
        return _("Saken ble flyttet til versjon %(version)s av prosessen",
                 version=data.get("to", ""))
    return kind.replace("_", " ")


def _timeline(events: list[Event], directory: Directory, steps: dict[str, Step],
              citizen_view: bool) -> list[dict[str, Any]]:
    hidden = HIDDEN_EVENTS | (STAFF_ONLY_EVENTS if citizen_view else set())
    return [{"at": e.at, "who": directory.name(e.actor), "kind": e.kind,
             "text": _event_text(e, directory, steps, citizen_view)}
            for e in reversed(events) if e.kind not in hidden]


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _meetings(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Meetings newest first (their action items are rows: see ``plan_view.item_rows``)."""
    return [{**m, "participants": [p for p in m.get("meeting_participants") or []
                                   if isinstance(p, str)]}
            for m in reversed(_dicts(data.get("meetings")))]


def _withdrawn(entry: Mapping[str, Any], directory: Directory) -> dict[str, Any]:
    """``withdrawn_at`` (and by whom, and why) when the consent was withdrawn."""
    return {"withdrawn_at": entry.get("withdrawn_at"),
            "withdrawn_by": directory.name(entry.get("withdrawn_by")),
            "withdrawal_reason": _text(entry.get("withdrawal_reason"))}


def _sharing(entries: Any, directory: Directory) -> list[dict[str, Any]]:
    return [{"participant": e.get("participant", ""), "scope": e.get("scope", ""),
             "valid_until": e.get("valid_until"), **_withdrawn(e, directory)}
            for e in _dicts(entries)]


def _consents(data: Mapping[str, Any], directory: Directory) -> list[dict[str, Any]]:
    rows = []
    for entry in reversed(_dicts(data.get("consents"))):
        period = entry.get("period") or ""
        rows.append({
            "period": CONSENT_PERIOD_LABELS.get(period, period), "date": entry.get("date"),
            "given_by": [_("%(name)s (%(relation)s)", name=g.get("name", ""),
                           relation=RELATION_LABELS.get(g.get("relation", ""),
                                                        g.get("relation", "")))
                         for g in _dicts(entry.get("given_by"))],
            "kinds": [str(CONSENT_KIND_LABELS.get(k, k)) for k in entry.get("kinds") or []],
            "sharing": _sharing(entry.get("sharing_scopes"), directory),
            "wants_ip": entry.get("wants_ip"), "on_paper": bool(entry.get("on_paper")),
            **_withdrawn(entry, directory)})
    return rows


def _coordinators(data: Mapping[str, Any], directory: Directory) -> list[dict[str, Any]]:
    return [{"name": directory.name(entry.get("username")), "from": entry.get("from"),
             "to": entry.get("to")} for entry in reversed(_dicts(data.get("coordinator_history")))]


def _access_what(what: str, task_names: Mapping[int, str]) -> str:
    if what == "case_page":
        return _("Åpnet sakssiden")
    if what == "case":
        return _("Leste saken")
    if what == "plan":
        return _("Leste planen")
    if what == "documents":
        return _("Leste brev og journalnotater")
    if what.startswith("task:"):
        number = what.split(":", 1)[1]
        name = task_names.get(int(number)) if number.isdigit() else None
        if name:
            return _("Åpnet oppgaven «%(name)s»", name=name)
        return _("Åpnet en oppgave (nr. %(number)s)", number=number)
    return what


def _access_rows(entries: Iterable[AccessLog], directory: Directory,
                 task_names: Mapping[int, str]) -> list[dict[str, Any]]:
    return [{"at": entry.at, "who": directory.name(entry.username),
             "role": directory.role(entry.username),
             "what": _access_what(entry.what, task_names)} for entry in entries]


def _facts(case: Case, data: Mapping[str, Any], directory: Directory,
           today: date) -> dict[str, Any]:
    birth = _as_date(data.get("citizen_birth_date"))
    age = _age(birth, today)
    under_16 = age < AGE_OF_CONSENT if age is not None else bool(data.get("citizen_under_16"))
    return {"citizen_name": case.citizen_name, "nin": _nin(case.citizen_nin),
            "birth_date": birth, "age": age, "under_16": under_16,
            "status": case.status, "status_label": STATUS_LABELS.get(case.status, case.status),
            "service_area": directory.area(case.service_area),
            "coordinator": directory.name(case.coordinator),
            "created_at": case.created_at, "closed_at": case.closed_at,
            "process": case.process_version.name, "version": case.process_version.version}


def _report(data: Mapping[str, Any]) -> dict[str, Any]:
    reported_by = data.get("reported_by") or ""
    return {"reported_by": REPORTED_BY_LABELS.get(reported_by, reported_by),
            "reporter_name": _text(data.get("reporter_name")),
            "requests": [str(REQUEST_LABELS.get(r, r)) for r in data.get("requests") or []],
            "need_description": _text(data.get("need_description")),
            "citizen_goals": _text(data.get("citizen_goals")),
            "citizen_service_wishes": _text(data.get("citizen_service_wishes")),
            "citizen_own_resources": _text(data.get("citizen_own_resources")),
            "approved": data.get("approved"), "approved_ip": data.get("approved_ip"),
            "reasoning": _text(data.get("assessment_reasoning"))}


@dataclass
class CasePage:
    """Everything ``case.html`` lays out."""

    case_id: int
    facts: dict[str, Any]
    report: dict[str, Any]
    open_tasks: list[dict[str, Any]]
    waiting: list[str]
    diagram: dict[str, Any]
    steps: list[dict[str, Any]]
    route: list[dict[str, Any]]
    timeline: list[dict[str, Any]]
    participants: list[dict[str, Any]]
    plan: dict[str, Any]
    meetings: list[dict[str, Any]]
    action_items: list[dict[str, Any]]
    plan_history: list[dict[str, Any]]
    plan_proposals: list[dict[str, Any]]
    may_revise: bool
    may_change_items: bool
    documents: list[dict[str, Any]]
    consents: list[dict[str, Any]]
    sharing_consents: list[dict[str, Any]]
    coordinators: list[dict[str, Any]]
    messages: list[dict[str, Any]]
    citizen_view: bool
    access_log: list[dict[str, Any]] = field(default_factory=list)
    access_log_total: int = 0
    may_read_access_log: bool = False


def _documents(documents: list[Document]) -> list[dict[str, Any]]:
    return [{"id": d.id, "kind": d.kind, "kind_label": DOCUMENT_KIND_LABELS.get(d.kind, d.kind),
             "title": d.title, "body": d.body, "recipient": d.recipient,
             "created_at": d.created_at} for d in reversed(documents)]


def _messages(messages: list[CaseMessage], actor: users.Actor) -> list[dict[str, Any]]:
    return [{"author": m.author_name, "at": m.at, "body": m.body,
             "mine": m.author == actor.username} for m in messages]


def build_case_page(case_id: int, actor: users.Actor) -> CasePage:
    """Read the case (logged) and shape it for the page; NotFound when it is not visible."""
    seen = overview.case_overview(db(), case_id, actor)
    case: Case = seen["case"]
    data: dict[str, Any] = seen["data"]
    directory = _directory()
    now = clock.now()
    today = _today()
    citizen_view = bool(actor.nin) and actor.nin == case.citizen_nin
    all_steps = seen["steps"]
    steps = {step.id: step for step in all_steps}
    current = set(seen["current"])
    # Start events leave no event of their own: a started case has passed its process's,
    # and a phase's once it has entered the phase.
    checksum = case.process_version.checksum
    passed = set(seen["passed"]) | phases.passed_starts(
        checksum, seen["bpmn_xml"], set(seen["passed"]) | current)
    open_task_ids = {task.bpmn_id for task in seen["open_tasks"]}
    waiting = [steps[i].name for i in sorted(current - open_task_ids) if i in steps]
    # The plan is its newest revision; a case from before revisions shows the plan's fields.
    snapshot = seen["plan"]
    plan = plan_view.plan_content(snapshot["current"]["content"] if snapshot["current"]
                                  else data)
    titles = plan_view.field_titles(case.process_version.forms.get(plan_store.PLAN_FORM))
    open_case = case.status not in plan_store.ENDED_STATUSES
    page = CasePage(
        case_id=case.id, facts=_facts(case, data, directory, today), report=_report(data),
        open_tasks=_open_tasks(seen["open_tasks"], directory, actor, citizen_view, now),
        waiting=waiting,
        diagram={"xml": seen["bpmn_xml"], "passed": sorted(passed - current),
                 "current": sorted(current)},
        steps=_step_rows(all_steps, passed, current),
        route=_route(seen["events"], steps, passed, current,
                     phases.start_events(checksum, seen["bpmn_xml"])),
        timeline=_timeline(seen["events"], directory, steps, citizen_view),
        participants=plan["participants"], plan=plan, meetings=_meetings(data),
        action_items=plan_view.item_rows(snapshot["action_items"], today),
        plan_history=plan_view.history_rows(snapshot, titles, directory.name),
        plan_proposals=plan_view.proposal_rows(snapshot, titles, directory.name),
        may_revise=open_case and keeps_plan(actor, case),
        may_change_items=open_case and (keeps_plan(actor, case)
                                        or is_own_case(actor, case)),
        documents=_documents(seen["documents"]),
        consents=_consents(data, directory),
        sharing_consents=_sharing(data.get("sharing_consents"), directory),
        coordinators=_coordinators(data, directory),
        messages=_messages(seen["messages"], actor), citizen_view=citizen_view,
        may_read_access_log=citizen_view or actor.has_role("systemkoordinator"))
    if citizen_view:
        entries = overview.access_log(db(), case.id, actor)
        task_names = {task.id: task.name for task in seen["tasks"]}
        page.access_log = _access_rows(entries[:ACCESS_LOG_ON_CASE_PAGE], directory, task_names)
        page.access_log_total = len(entries)
    return page


# ---------------------------------------------------------------- routes


def _actor() -> users.Actor:
    actor = current_actor()
    assert actor is not None  # login_required
    return actor


def _render_case(case_id: int, status: int = 200, message_error: str | None = None,
                 message_body: str = "") -> tuple[str, int]:
    page = build_case_page(case_id, _actor())
    return render_template("case.html", page=page, message_error=message_error,
                           message_body=message_body), status


@bp.get("/cases/<int:case_id>")
@login_required
def case(case_id: int) -> Any:
    return _render_case(case_id)


@bp.post("/cases/<int:case_id>/messages")
@login_required
def post_message(case_id: int) -> Any:
    """A message in the case thread (CSRF-checked by Flask-WTF like every form)."""
    body = request.form.get("body", "")
    try:
        overview.post_message(db(), case_id, body, _actor())
    except InvalidData as error:
        return _render_case(case_id, 422, error.errors.get("body", error.message), body)
    flash(_("Meldingen er sendt."), "success")
    return redirect(url_for("cases.case", case_id=case_id, _anchor="samtale"))


@bp.get("/cases/<int:case_id>/access-log")
@login_required
def access_log(case_id: int) -> Any:
    """Who has opened the case: for the citizen it concerns and the koordinerende enhet."""
    actor = _actor()
    entries = overview.access_log(db(), case_id, actor)
    own_case = any(c.id == case_id for c in overview.my_cases(db(), actor))
    return render_template("access_log.html", case_id=case_id, own_case=own_case,
                           rows=_access_rows(entries, _directory(), {}))


@bp.get("/mine")
@login_required
def mine() -> Any:
    """The citizen's own cases and what is theirs to do."""
    actor = _actor()
    own = overview.my_cases(db(), actor)
    own_ids = {c.id for c in own}
    tasks = [t for t in cases.inbox(db(), actor) if t["case_id"] in own_ids]
    directory = _directory()
    by_case: dict[int, list[dict[str, Any]]] = {}
    now = clock.now()
    for task in tasks:
        due = _as_datetime(task["due_at"])
        task.update(url=task_url(task["id"]), due=due,
                    overdue=due is not None and due < now)
        by_case.setdefault(task["case_id"], []).append(task)
    rows = [{"id": c.id, "status": c.status,
             "status_label": STATUS_LABELS.get(c.status, c.status),
             "created_at": c.created_at, "closed_at": c.closed_at,
             "service_area": directory.area(c.service_area),
             "coordinator": directory.name(c.coordinator),
             "tasks": by_case.get(c.id, [])} for c in own]
    return render_template("mine.html", cases=rows, tasks=tasks)
