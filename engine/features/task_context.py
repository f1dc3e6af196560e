"""What a task's page shows beside its form, as the form declares it, and what a repeated
task may copy from the last time it was done in the case.

A form names the sections of its panel in ``"x-context"`` (see :data:`SECTIONS`), so the
designer who writes the form decides what the person needs to do it: the evaluation the plan,
the meetings and the open action items; a meeting the earlier minutes; the plan the citizen's
own goals. A form without ``x-context`` shows the case's facts (``case``).

A task whose form has been completed before in the case (the next evaluation, a renewed
consent, the next meeting) opens empty; :func:`previous_answers` is what an explicit "copy
from last period" fills in (:func:`engine.runtime.forms.copyable`: never a yes/no answer).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.kernel.models import Case, Event, Task
from engine.kernel.vocabulary import EventKind, TaskState
from engine.runtime import forms
from handlers.dates import local_date

CONTEXT = "x-context"
ANSWERS = "answers"
# Section kind → what it shows. ``answers:<form>`` names the form whose answers it shows.
SECTIONS = {
    "case": "who the case is about and what was reported (the default)",
    "plan": "the current plan",
    "meetings": "the earlier meetings with their minutes, newest first",
    "action_items": "the open action items from the meetings",
    "coordinator_wishes": "the citizen's wishes about the coordinator",
    ANSWERS: "the case's answers to another form, by that form's titles (answers:<form>)",
}
DEFAULT_SECTIONS = ("case",)


@dataclass(frozen=True)
class Section:
    """One part of the panel: ``kind`` (a key of :data:`SECTIONS`), and for ``answers`` the
    form it shows."""

    kind: str
    form: str | None = None


@dataclass(frozen=True)
class Meeting:
    """One earlier meeting as its minutes were recorded."""

    date: str | None
    participants: tuple[str, ...]
    minutes: str


@dataclass(frozen=True)
class Answers:
    """Another form's answers in the case; ``form`` is that form, for its titles."""

    name: str
    form: Mapping[str, Any]
    values: Mapping[str, Any]


@dataclass(frozen=True)
class Wish:
    """What the citizen wished about the coordinator: ``change_request`` (the reason given
    when asking for another coordinator) or ``appointment`` (recorded at an appointment)."""

    kind: str
    text: str
    at: str | None


@dataclass(frozen=True)
class TaskContext:
    """The panel beside a task's form: its sections in order, with what they show (the plan
    and the open action items are the task's own, see ``TaskDetail``)."""

    sections: tuple[Section, ...]
    meetings: tuple[Meeting, ...] = ()
    answers: Mapping[str, Answers] | None = None
    coordinator_wishes: tuple[Wish, ...] = ()

    def names(self) -> list[str]:
        return [f"{s.kind}:{s.form}" if s.form else s.kind for s in self.sections]


@dataclass(frozen=True)
class PreviousAnswers:
    """The answers of the last completed task with the same form in the case: what "copy from
    last period" fills in, and when they were given."""

    completed_at: datetime
    values: Mapping[str, Any]


def sections_of(form: Mapping[str, Any]) -> tuple[Section, ...]:
    """The form's declared sections (the default when it declares none)."""
    declared = form.get(CONTEXT)
    names = declared if isinstance(declared, list) and declared else DEFAULT_SECTIONS
    return tuple(Section(*name.split(":", 1)) if name.startswith(f"{ANSWERS}:")
                 else Section(name) for name in names if isinstance(name, str))


def context_problem(form: Mapping[str, Any]) -> str | None:
    """Why a form's ``x-context`` cannot be shown, or None (checked at deploy)."""
    declared = form.get(CONTEXT)
    if declared is None:
        return None
    if not isinstance(declared, list) or not all(isinstance(n, str) for n in declared):
        return "x-context må være en liste med navn på deler av sidepanelet"
    for section in sections_of(form):
        if section.kind not in SECTIONS or (section.kind == ANSWERS) != bool(section.form):
            return (f"ukjent del av sidepanelet i x-context: {section.kind!r}; kjente: "
                    f"{', '.join(k for k in SECTIONS if k != ANSWERS)} og answers:<skjema>")
    return None


def context_of(session: Session, case: Case, form: Mapping[str, Any], data: Mapping[str, Any]
               ) -> TaskContext:
    """The panel the form declares, read from the case's data and history."""
    sections = sections_of(form)
    kinds = {s.kind for s in sections}
    version_forms = case.process_version.forms
    answers = {s.form: Answers(s.form, version_forms[s.form],
                               forms.declared_fields(dict(data), version_forms[s.form]["schema"]))
               for s in sections if s.form and s.form in version_forms}
    return TaskContext(
        sections=sections,
        meetings=_meetings(data) if "meetings" in kinds else (),
        answers=answers,
        coordinator_wishes=(_coordinator_wishes(session, case, data)
                            if "coordinator_wishes" in kinds else ()))


def _meetings(data: Mapping[str, Any]) -> tuple[Meeting, ...]:
    meetings = data.get("meetings")
    return tuple(Meeting(date=str(m.get("meeting_date") or "")[:10] or None,
                         participants=tuple(p for p in m.get("meeting_participants") or []
                                            if isinstance(p, str)),
                         minutes=str(m.get("minutes") or ""))
                 for m in reversed(meetings if isinstance(meetings, list) else [])
                 if isinstance(m, dict))


def _coordinator_wishes(session: Session, case: Case, data: Mapping[str, Any]
                        ) -> tuple[Wish, ...]:
    """The reason given when a new coordinator was asked for, then what earlier appointments
    recorded of the citizen's wishes, newest first."""
    found = []
    request = data.get("coordinator_change")
    if isinstance(request, dict) and str(request.get("reason") or "").strip():
        found.append(Wish("change_request", str(request["reason"]).strip(),
                          str(request.get("received_at") or "")[:10] or None))
    for event in reversed(_completions(session, case.id, "appointment")):
        wish = str((event.data.get("data") or {}).get("citizen_wishes") or "").strip()
        if wish:
            found.append(Wish("appointment", wish, local_date(event.at).isoformat()))
    return tuple(found)


def _completions(session: Session, case_id: int, form_name: str) -> list[Event]:
    """The completion events of the case's tasks with ``form_name``, oldest first."""
    steps = set(session.scalars(select(Task.bpmn_id).where(
        Task.case_id == case_id, Task.form == form_name, Task.state == TaskState.COMPLETED)))
    if not steps:
        return []
    return list(session.scalars(select(Event).where(
        Event.case_id == case_id, Event.kind == EventKind.TASK_COMPLETED,
        Event.bpmn_id.in_(steps)).order_by(Event.at, Event.id)))


def previous_answers(session: Session, task: Task, form: Mapping[str, Any]
                     ) -> PreviousAnswers | None:
    """What the last completion of the task's form in this case answered that may be copied
    into this one; None when the task has not been done before (or nothing may be copied)."""
    if task.state != TaskState.READY or not form:
        return None
    done = _completions(session, task.case_id, task.form)
    if not done:
        return None
    last = done[-1]
    values = forms.copyable(form["schema"], dict(last.data.get("data") or {}))
    return PreviousAnswers(last.at, values) if values else None
