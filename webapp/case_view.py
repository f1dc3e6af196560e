"""The case page's view model: one case, read through the engine, shaped for ``case.html``.

``engine.features.overview.case_overview`` checks that the user may see the case (tjenstlig
behov, or the citizen's own case), writes the read to the access log and returns a frozen
snapshot. :func:`build_case_page` turns it and the case's variables into plain, already
labelled values, so the template only lays them out. The history's sentences come from
:mod:`webapp.timeline`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import url_for

from engine.features import audience, overview
from engine.features.case_events import CaseEvents
from engine.features.diagram import PhaseStart, Step
from engine.features.notices import CaseNotices
from engine.features.snapshots import CaseFacts, DocumentRow, EventRow, MessageRow, TaskRow
from engine.kernel import clock
from engine.runtime import forms, plan_store, users
from webapp import plan_view
from webapp.auth import db
from webapp.citizen_view import lane_for_citizen
from webapp.formatting import age_on, as_date, local_today, spaced_nin
from webapp.labels import (
    CONSENT_KIND_LABELS,
    CONSENT_PERIOD_LABELS,
    DOCUMENT_KIND_LABELS,
    STATUS_LABELS,
    STEP_KIND_LABELS,
    choice_labeller,
    role_label,
)
from webapp.people import Directory, directory
from webapp.procedure_texts import diagram_url
from webapp.timeline import access_rows, document_entries, history, timeline
from webapp.translation import gettext as _

AGE_OF_CONSENT = 16
# The newest reads the case page shows (its Innsyn tab and its history); the log's own page
# has them all, paged.
ACCESS_LOG_ON_CASE_PAGE = 20


def task_url(task_id: int) -> str:
    return url_for("tasks.task", task_id=task_id)


# ---------------------------------------------------------------- the diagram's steps


def _step_rows(steps: Iterable[Step], passed: Set[str], current: Set[str],
               lane_name: Callable[[str | None], str] = role_label) -> list[dict[str, Any]]:
    """Every step of the diagram (about 150) with its state: each state, kind and lane is
    translated once, not once per step."""
    states = {"current": _("Pågår nå"), "passed": _("Fullført"), "pending": _("Ikke nådd")}
    kinds: dict[str, str] = {}
    lanes: dict[str | None, str] = {}
    rows = []
    for step in steps:
        state = "current" if step.id in current else "passed" if step.id in passed else "pending"
        if step.kind not in kinds:
            kinds[step.kind] = str(STEP_KIND_LABELS[step.kind])
        if step.lane not in lanes:
            lanes[step.lane] = lane_name(step.lane)
        rows.append({"id": step.id, "name": step.name, "state": state,
                     "state_label": states[state], "kind": kinds[step.kind],
                     "lane": lanes[step.lane]})
    return rows


def _route(events: Iterable[EventRow], steps: dict[str, Step], passed: Set[str],
           current: Set[str], starts: Iterable[PhaseStart]) -> list[dict[str, Any]]:
    """The steps the case has gone through, in the order they happened, then where it waits.

    Start events leave no event of their own: the process's comes first, and a phase's just
    before the first step the case took inside that phase."""
    entries = [(s.id, s.inside) for s in starts if s.id in passed and s.id in steps]
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


def _waits_for(task: TaskRow, directory: Directory) -> str:
    if task.claimed_by:
        return _("%(name)s (har tatt oppgaven)", name=directory.name(task.claimed_by))
    if task.assignee and task.on_behalf_of:
        return _("%(name)s på vegne av %(citizen)s", name=directory.name(task.assignee),
                 citizen=task.on_behalf_of)
    if task.assignee:
        return directory.name(task.assignee)
    role = role_label(task.role)
    if task.service_area and task.role != "systemkoordinator":
        return _("%(role)s i %(area)s", role=role, area=directory.area(task.service_area))
    return role


def _open_tasks(open_tasks: Iterable[TaskRow], directory: Directory, actor: users.Actor,
                citizen_view: bool, now: datetime) -> list[dict[str, Any]]:
    rows = []
    for task in open_tasks:
        # Linked only where the task page lets the reader in (it answers 403 to anyone else).
        mine = actor.username in (task.assignee, task.claimed_by)
        may_open = mine or (not citizen_view and task.reader_may_act
                            and task.claimed_by in (None, actor.username))
        # The citizen is told who has the task by name, else that the municipality has it.
        waits_for = (lane_for_citizen(task.role) if citizen_view and not mine
                     and not (task.assignee or task.claimed_by) else _waits_for(task, directory))
        rows.append({"id": task.id, "name": task.name, "waits_for": waits_for,
                     "lane": lane_for_citizen(task.role) if citizen_view else role_label(task.role),
                     "due_at": task.due_at,
                     "overdue": task.due_at is not None and task.due_at < now, "mine": mine,
                     "url": task_url(task.id) if may_open else None})
    return rows


def _summary(open_tasks: Sequence[dict[str, Any]], tasks: Sequence[TaskRow],
             waiting: Sequence[str], events: Sequence[EventRow],
             revision_date: Any, staff_at_work: bool = False) -> dict[str, Any]:
    """Where the case waits and since when, and the next deadline, for the top of the page.

    The case waits since its oldest open task was created; waiting only for a timer or a
    message, since the last thing that happened to it. ``staff_at_work``: the citizen is not
    shown a step the municipality works on, only that it does."""
    created = [task.created_at for task in tasks]
    since = min(created) if created else (events[-1].at if events else None)
    due = sorted((t for t in open_tasks if t["due_at"] is not None), key=lambda t: t["due_at"])
    return {"first": open_tasks[0] if open_tasks else None,
            "more": len(open_tasks) - 1 + len(waiting) if open_tasks else len(waiting) - 1,
            "waiting": waiting, "since": since, "next_due": due[0] if due else None,
            "revision_date": as_date(revision_date), "staff_at_work": staff_at_work}


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


def _consents(data: Mapping[str, Any], directory: Directory,
              label: Callable[[str, Any], str]) -> list[dict[str, Any]]:
    rows = []
    for entry in reversed(_dicts(data.get("consents"))):
        period = entry.get("period") or ""
        rows.append({
            "period": CONSENT_PERIOD_LABELS.get(period, period), "date": entry.get("date"),
            "given_by": [_("%(name)s (%(relation)s)", name=g.get("name", ""),
                           relation=label("relation", g.get("relation")))
                         for g in _dicts(entry.get("given_by"))],
            "kinds": [str(CONSENT_KIND_LABELS.get(k, k)) for k in entry.get("kinds") or []],
            "sharing": _sharing(entry.get("sharing_scopes"), directory),
            "wants_ip": entry.get("wants_ip"), "on_paper": bool(entry.get("on_paper")),
            **_withdrawn(entry, directory)})
    return rows


def _coordinators(data: Mapping[str, Any], directory: Directory) -> list[dict[str, Any]]:
    return [{"name": directory.name(entry.get("username")), "from": entry.get("from"),
             "to": entry.get("to")} for entry in reversed(_dicts(data.get("coordinator_history")))]


def _facts(case: CaseFacts, data: Mapping[str, Any], directory: Directory,
           today: date) -> dict[str, Any]:
    birth = as_date(data.get("citizen_birth_date"))
    age = age_on(birth, today)
    under_16 = age < AGE_OF_CONSENT if age is not None else bool(data.get("citizen_under_16"))
    return {"citizen_name": case.citizen_name, "nin": spaced_nin(case.citizen_nin),
            "birth_date": birth, "age": age, "under_16": under_16,
            "status": case.status, "status_label": STATUS_LABELS.get(case.status, case.status),
            "service_area": directory.area(case.service_area),
            "coordinator": directory.name(case.coordinator),
            "created_at": case.created_at, "closed_at": case.closed_at,
            "process": case.process_name, "version": case.process_version}


def _report(data: Mapping[str, Any], label: Callable[[str, Any], str]) -> dict[str, Any]:
    return {"reported_by": label("reported_by", data.get("reported_by")),
            "reporter_name": _text(data.get("reporter_name")),
            "requests": [label("requests", r) for r in data.get("requests") or []],
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
    summary: dict[str, Any]
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
    # The legal-event panel's links and whether the incident panel is asked for.
    offered: CaseEvents
    open_incident: bool
    notices: CaseNotices | None  # what was new when the reader opened the page
    access_log: list[dict[str, Any]] = field(default_factory=list)
    access_log_total: int = 0
    may_read_access_log: bool = False


def _documents(case_id: int, documents: Sequence[DocumentRow]) -> list[dict[str, Any]]:
    """Newest first; a letter links to the PDF that was sent, a note shows its text."""
    return [{"id": d.id, "kind": d.kind, "kind_label": DOCUMENT_KIND_LABELS.get(d.kind, d.kind),
             "title": d.title, "body": d.body, "recipients": d.recipients,
             "created_at": d.created_at,
             "files": [url_for("events.attachment", case_id=case_id, attachment_id=a)
                       for a in d.attachments]} for d in reversed(documents)]


def _messages(messages: Iterable[MessageRow], actor: users.Actor) -> list[dict[str, Any]]:
    return [{"author": m.author_name, "at": m.at, "body": m.body,
             "mine": m.author == actor.username} for m in messages]


def build_case_page(case_id: int, actor: users.Actor, opened: bool = False) -> CasePage:
    """Read the case (logged) and shape it for the page; NotFound when it is not visible.
    ``opened``: the reader opens the page (its thread and letters are read from now on)."""
    seen = overview.case_overview(db(), case_id, actor, opened=opened,
                                  reads_shown=ACCESS_LOG_ON_CASE_PAGE)
    case = seen.facts
    data = seen.data
    who = directory()
    now = clock.now()
    today = local_today()
    citizen_view = bool(actor.nin) and actor.nin == case.citizen_nin
    passed, current = seen.passed, seen.current
    # The citizen follows their own steps and what happens, not the staff's own work.
    shown_steps = audience.citizen_steps(seen.steps) if citizen_view else list(seen.steps)
    steps = {step.id: step for step in shown_steps}
    open_tasks = (audience.citizen_tasks(seen.open_tasks, seen.steps) if citizen_view
                  else list(seen.open_tasks))
    events = (audience.citizen_events(seen.events, seen.steps) if citizen_view
              else list(seen.events))
    waiting = [steps[i].name for i in sorted(current - {t.bpmn_id for t in open_tasks})
               if i in steps]
    # The plan is its newest revision; a case from before revisions shows the plan's fields.
    snapshot = seen.plan
    plan = plan_view.plan_content(snapshot["current"]["content"] if snapshot["current"]
                                  else data)
    titles = plan_view.field_titles(seen.forms.get(plan_store.PLAN_FORM))
    open_case = case.status not in plan_store.ENDED_STATUSES
    label = choice_labeller(forms.choice_fields(seen.forms))
    task_rows = _open_tasks(open_tasks, who, actor, citizen_view, now)
    page = CasePage(
        case_id=case.id, facts=_facts(case, data, who, today),
        summary=_summary(task_rows, open_tasks, waiting, events,
                         plan.get("revision_date") if open_case else None,
                         staff_at_work=len(open_tasks) < len(seen.open_tasks)),
        report=_report(data, label), open_tasks=task_rows, waiting=waiting,
        diagram={} if citizen_view else {"url": diagram_url(case.process_key,
                                                              case.process_version),
                                          "passed": sorted(passed - current),
                                          "current": sorted(current)},
        steps=_step_rows(shown_steps, passed, current,
                         lane_for_citizen if citizen_view else role_label),
        route=_route(events, steps, passed, current, seen.starts),
        timeline=timeline(events, who, {step.id: step for step in seen.steps}, citizen_view)
        + document_entries(seen.documents),
        participants=plan["participants"], plan=plan, meetings=_meetings(data),
        action_items=plan_view.item_rows(snapshot["action_items"], today),
        plan_history=plan_view.history_rows(snapshot, titles, who.name),
        plan_proposals=plan_view.proposal_rows(snapshot, titles, who.name),
        may_revise=open_case and seen.keeps_plan,
        may_change_items=open_case and (seen.keeps_plan or seen.own_case),
        documents=_documents(case.id, seen.documents),
        consents=_consents(data, who, label),
        sharing_consents=_sharing(data.get("sharing_consents"), who),
        coordinators=_coordinators(data, who),
        messages=_messages(seen.messages, actor), citizen_view=citizen_view,
        offered=seen.offered, open_incident=seen.open_incident, notices=seen.notices,
        may_read_access_log=seen.access_log is not None)
    if seen.access_log is not None:
        # The citizen sees the staff's reads here; their own are on the log's page on request.
        entries = seen.access_log
        # A read of a task the citizen is not told of is named by its number only.
        shown_tasks = (audience.citizen_tasks(seen.tasks, seen.steps) if citizen_view
                       else seen.tasks)
        task_names = {task.id: task.name for task in shown_tasks}
        page.access_log = access_rows(entries, who, task_names)
        page.access_log_total = seen.access_log_total
        page.timeline += page.access_log
    page.timeline = history(page.timeline)
    return page
