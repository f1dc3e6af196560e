"""``ipflow bench engine``: the shipped diagram's happy path, through plain SpiffWorkflow and
through ipflow's engine on a real database, interleaved case by case in one run.

The happy path is the report, nine user tasks and the revision timer (docs/benchmarks.md). Both
sides get the same diagram, the same task data, the same engine clock and the same handler
functions for the service tasks; letters are archived with a stand-in PDF on both sides
(:func:`handlers.pdf.without_printing`), since printing is the same work on both and is
measured by itself elsewhere. The yardstick is SpiffWorkflow as its documentation shows it:
its own parser (once per run), its in-process script environment, and its serializer writing
the whole workflow, spec included, to JSON and reading it back after every step. ipflow adds
what a case needs beyond that: checks of who acts, form validation, designer code in the
sandbox's process, the derived tables, the history, documents and the version check.
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn.script_engine.python_environment import TaskDataEnvironment
from sqlalchemy import event, select

import processes
from engine.features import case_start, deploy, task_actions, worker
from engine.kernel import clock, spiff, spiff_scripts, spiff_timers
from engine.kernel.db import Database
from engine.kernel.models import Case, Membership, Task, User
from engine.kernel.settings import handler_settings
from engine.kernel.vocabulary import CaseState, Role, TaskState
from engine.runtime.handler_context import CaseEffects
from engine.runtime.users import SYSTEM, Actor, find_actor
from handlers.catalogue import get_handler
from handlers.pdf import without_printing
from handlers.registry import Caseworker, HandlerContext

PROCESS = "ip_koordinator"
CITIZEN = ("Ola Hansen", "23074820085")  # a demo citizen without a login: staff act for him
START = datetime(2026, 1, 5, 9, tzinfo=UTC)
REVISION = START + timedelta(days=400)  # past the plan's revision date: the timer is due


@dataclass(frozen=True)
class Step:
    """One thing that happens to the case: its start, a user task done, or due timers fired."""

    kind: str  # "start", "task" or "timer"
    at: datetime
    bpmn_id: str = ""
    user: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The engine call as the figures name it: the task's id, or ``start``, ``timer``."""
        return self.bpmn_id or self.kind


def happy_path() -> list[Step]:
    """Report, assessment, appointment, training, summons, consent, goals, plan, one meeting,
    the revision date, and an evaluation that closes the plan."""
    day = START.date().isoformat()
    coordinator = "koordinator"

    def task(bpmn_id: str, user: str, at: datetime = START, **data: Any) -> Step:
        return Step("task", at, bpmn_id, user, data)

    return [
        Step("start", START, user=coordinator, data={
            "citizen_name": CITIZEN[0], "citizen_nin": CITIZEN[1],
            "reported_by": "kommunal_tjenesteyter", "reporter_name": "Anne Melder",
            "reporter_contact": "anne@example.no", "requests": ["ip", "koordinator"],
            "need_description": "Trenger langvarige og koordinerte tjenester."}),
        task("assess_report", "systemkoordinator", long_term_need=True,
             two_or_more_services=True, citizen_wants=True, approved=True, approved_ip=True,
             service_area="helse", assessment_reasoning="Vilkårene er oppfylt."),
        task("appoint_coordinator", "fagleder", coordinator=coordinator,
             citizen_wishes="Ønsker en fast kontaktperson."),
        task("ensure_training", "systemkoordinator", training_ensured=True),
        task("summon_startup_meeting", "systemkoordinator",
             startup_meeting_at=(START + timedelta(days=7)).isoformat(),
             startup_meeting_place="Rådhuset"),
        task("give_consent", coordinator, **consent(day)),
        task("describe_goals", coordinator, citizen_goals="Bo hjemme.",
             citizen_service_wishes="Fysioterapi."),
        task("establish_plan", coordinator, plan_goals="Mestre hverdagen hjemme.",
             plan_resources="Familien.", plan_needs="Hjemmetjenester og fysioterapi.",
             plan_participants=[{"name": "Fastlege", "role": "lege"}],
             plan_measures=[{"description": "Fysioterapi", "scope": "to ganger i uken",
                             "responsible": "Fysioterapeut"}],
             plan_start=day, revision_date=(START + timedelta(days=365)).date().isoformat()),
        task("follow_up", coordinator, **meeting(day, 1)),
        Step("timer", REVISION),
        task("evaluate_plan", coordinator, REVISION, evaluation_summary="Målene er nådd.",
             continue_plan=False, closing_against_wish=False),
    ]


def long_running_path(periods: int = 5, meetings_per_period: int = 20) -> list[Step]:
    """A case that runs for years: the happy path up to the plan, then ``periods`` plan periods
    of ``meetings_per_period`` follow-up meetings each, every one ending at its revision date
    with an evaluation that continues the plan and the citizen's consent to a new period."""
    steps = [step for step in happy_path() if step.bpmn_id != "follow_up"][:8]
    revision = START + timedelta(days=365)
    number = 0
    for _period in range(periods):
        began = revision - timedelta(days=365)
        for meeting_in_period in range(meetings_per_period):
            number += 1
            at = began + timedelta(days=7 + 17 * meeting_in_period)
            steps.append(Step("task", at, "follow_up", "koordinator",
                              meeting(at.date().isoformat(), number)))
        steps.append(Step("timer", revision))
        steps.append(Step("task", revision, "evaluate_plan", "koordinator", {
            "evaluation_summary": "Delvis nådd; planen videreføres.", "continue_plan": True}))
        revision += timedelta(days=365)
        steps.append(Step("task", revision - timedelta(days=365), "renew_consent",
                          "koordinator", consent((revision - timedelta(days=365)).date()
                                                 .isoformat(), revision.date().isoformat())))
    return steps


def consent(day: str, revision_date: str | None = None) -> dict[str, Any]:
    """The consent form as the coordinator fills it in on the citizen's behalf."""
    return {"consent_date": day, "consent_to_plan": True, "wants_ip": True,
            "consent_given_by": [{"name": "Innbygger selv", "relation": "selv"}],
            "consent_on_paper": True,
            "sharing_consents": [{"participant": "Fastlege", "scope": "Helseopplysninger"}],
            **({"revision_date": revision_date} if revision_date else {})}


def meeting(day: str, number: int) -> dict[str, Any]:
    """A follow-up meeting's minutes with one action item."""
    return {"meeting_date": day, "meeting_participants": ["Innbygger", "Koordinator"],
            "minutes": f"Møte {number}: planen følges, fysioterapien går som avtalt.",
            "action_items": [{"description": f"Oppgave fra møte {number}",
                              "owner": "Kim Koordinator", "deadline": day, "status": "apen"}]}


# ---------------------------------------------------------------- counting statements


class StatementCount:
    """SQL statements the database is sent, counted only inside :meth:`call`; the statements
    themselves too, for ``ipflow bench engine --statements``. Each statement SQLAlchemy hands a
    cursor counts once (a multi-row ``INSERT`` or an executemany batch too; a ``SAVEPOINT``
    would count, none is made); ``BEGIN`` and ``COMMIT``, which the drivers send themselves, and
    the pool's ping when a call takes a connection are not counted."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.per_call: list[int] = []
        self.case_updates_per_call: list[int] = []  # the issue asks for one per call
        self.statements: list[list[str]] = []
        self._on = False
        event.listen(db.engine, "before_cursor_execute", self._count)

    def _count(self, _connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self._on:
            self.per_call[-1] += 1
            self.case_updates_per_call[-1] += statement.startswith("UPDATE case_ ")
            self.statements[-1].append(statement)

    def clear(self) -> None:
        self.per_call.clear()
        self.case_updates_per_call.clear()
        self.statements.clear()

    @contextmanager
    def call(self) -> Iterator[None]:
        self.per_call.append(0)
        self.case_updates_per_call.append(0)
        self.statements.append([])
        self._on = True
        try:
            yield
        finally:
            self._on = False

    def close(self) -> None:
        event.remove(self.db.engine, "before_cursor_execute", self._count)


# ---------------------------------------------------------------- the two contenders


class PlainSpiff:
    """SpiffWorkflow by itself: parsed once, the whole workflow through JSON after every step."""

    def __init__(self, bpmn: bytes, directory: SnapshotDirectory) -> None:
        parser, _keys = spiff.parse_process(spiff.parse_xml(bpmn))
        self.spec = parser.get_spec(PROCESS)
        self.subprocess_specs = parser.get_subprocess_specs(PROCESS)
        for each in [self.spec, *self.subprocess_specs.values()]:
            # The engine's clocked timers, so both sides fire at the same engine time.
            spiff_timers.use_engine_clock(each)
        self.serializer = spiff.standard_serializer()
        self.directory = directory
        self.state_bytes = 0

    def run(self, steps: list[Step]) -> None:
        workflow: spiff.BpmnWorkflow | None = None
        for step in steps:
            with clock.frozen_at(step.at), without_printing():
                engine = spiff_scripts.HandlerScriptEngine(self._handler(step.user),
                                                           TaskDataEnvironment())
                if workflow is None:
                    workflow = spiff.BpmnWorkflow(self.spec, self.subprocess_specs,
                                                  script_engine=engine)
                    for task in workflow.get_tasks(state=spiff.TaskState.READY):
                        task.data.update(step.data)
                elif step.kind == "task":
                    task = next(t for t in spiff.ready_user_tasks(workflow)
                                if t.task_spec.bpmn_id == step.bpmn_id)
                    task.data.update(step.data)
                    task.run()
                else:
                    workflow.refresh_timers()
                spiff.engine_steps(workflow)
                text = json.dumps(self.serializer.to_dict(workflow))
                self.state_bytes = len(text)
                workflow = self.serializer.from_dict(json.loads(text))
                workflow.script_engine = engine
        if workflow is None or not workflow.is_completed():
            raise RuntimeError("SpiffWorkflow alene kom ikke til slutten av saken")

    def _handler(self, username: str) -> spiff_scripts.ServiceCall:
        actor = self.directory.caseworker(username)

        def call(task: spiff.SpiffTask, name: str, params: dict[str, Any]
                 ) -> dict[str, Any] | None:
            context = HandlerContext(case_id=1, now=clock.now(), directory=self.directory,
                                     effects=CaseEffects(), params=params,
                                     settings=handler_settings(), actor=actor)
            return get_handler(name)(context, copy.deepcopy(task.data))
        return call


class SnapshotDirectory:
    """The staff as the handlers ask about them, read once: the yardstick has no database."""

    def __init__(self, db: Database) -> None:
        with db.reading() as session:
            self.names = dict(session.execute(select(User.username, User.full_name)).all())
            self.areas: dict[str, set[str | None]] = {}
            for username, area in session.execute(
                    select(User.username, Membership.service_area).join(Membership)
                    .where(Membership.role == Role.KOORDINATOR)):
                self.areas.setdefault(username, set()).add(area)

    def is_coordinator(self, username: str, service_area: str | None) -> bool:
        areas = self.areas.get(username, set())
        return bool(areas) and (None in areas or service_area is None or service_area in areas)

    def display_name(self, username: str) -> str:
        return self.names.get(username, username)

    def caseworker(self, username: str) -> Caseworker:
        return Caseworker(username, self.display_name(username))


class IpflowEngine:
    """The same steps through the engine's own calls, as the API makes them."""

    def __init__(self, db: Database, counter: StatementCount) -> None:
        self.db = db
        self.counter = counter
        self.actors: dict[str, Actor] = {}
        with db.reading() as session:
            for username in ("systemkoordinator", "fagleder", "koordinator"):
                actor = find_actor(session, username)
                if actor is None:
                    raise LookupError(f"benchmarken trenger brukeren {username}")
                self.actors[username] = actor
        self.state_bytes = 0

    def run(self, steps: list[Step], completes: bool = True) -> int:
        """The case's id; ``completes``: the steps end the case, and it must have ended."""
        case_id = 0
        for step in steps:
            with clock.frozen_at(step.at), without_printing():
                if step.kind == "start":
                    with self.counter.call():
                        case_id = case_start.start_case(
                            self.db, PROCESS, step.data, self.actors[step.user],
                            duplicate_reason="Målt av ipflow bench engine.")
                elif step.kind == "task":
                    task_id = self._open_task(case_id, step.bpmn_id)  # as an inbox shows it
                    with self.counter.call():
                        task_actions.complete_task(self.db, task_id, step.data,
                                                   self.actors[step.user], take=True)
                else:
                    with self.counter.call():
                        worker.fire_case(self.db, case_id, step.at, worker.WorkerSettings())
        with self.db.reading() as session:
            case = session.get(Case, case_id)
            if case is None or (completes and case.status != CaseState.COMPLETED):
                raise RuntimeError("ipflow kom ikke til slutten av saken")
            self.state_bytes = len(json.dumps(case.state))
        return case_id

    def _open_task(self, case_id: int, bpmn_id: str) -> int:
        with self.db.reading() as session:
            task_id = session.scalar(select(Task.id).where(
                Task.case_id == case_id, Task.bpmn_id == bpmn_id, Task.state == TaskState.READY))
        if task_id is None:
            raise LookupError(f"sak {case_id} venter ikke på {bpmn_id}")
        return task_id


# ---------------------------------------------------------------- the run


@dataclass(frozen=True)
class EngineBench:
    cases: int
    database: str
    raw_seconds: float
    ipflow_seconds: float
    sql_per_call: tuple[int, ...]
    statements_of_last_case: tuple[tuple[str, tuple[str, ...]], ...]  # (step, its SQL)
    raw_state_bytes: int
    ipflow_state_bytes: int

    @property
    def raw_cases_per_s(self) -> float:
        return self.cases / self.raw_seconds

    @property
    def ipflow_cases_per_s(self) -> float:
        return self.cases / self.ipflow_seconds

    @property
    def ratio(self) -> float:
        return self.ipflow_cases_per_s / self.raw_cases_per_s

    @property
    def sql_per_case(self) -> float:
        return sum(self.sql_per_call) / self.cases

    def figures(self) -> dict[str, Any]:
        """The JSON line's keys (docs/benchmarks.md)."""
        return {"cases": self.cases, "db": self.database,
                "raw_cases_per_s": round(self.raw_cases_per_s, 2),
                "ipflow_cases_per_s": round(self.ipflow_cases_per_s, 2),
                "ratio": round(self.ratio, 3), "sql_per_case": round(self.sql_per_case, 1),
                "sql_per_call_max": max(self.sql_per_call),
                "sql_per_call_mean": round(sum(self.sql_per_call) / len(self.sql_per_call), 2),
                "sql_per_step": {name: len(sql) for name, sql in self.statements_of_last_case},
                "raw_state_bytes": self.raw_state_bytes,
                "ipflow_state_bytes": self.ipflow_state_bytes}


def prepare(db: Database) -> None:
    """The schema and the shipped diagram (the users come from the caller: ``ipflow demo``'s)."""
    db.migrate()
    deploy.deploy(db, (processes.PROCESSES_DIR / f"{PROCESS}.bpmn").read_bytes(), SYSTEM)


def long_running_state_bytes(db: Database, periods: int = 5, meetings_per_period: int = 20
                             ) -> int:
    """The stored workflow state (JSON bytes) of a case after :func:`long_running_path`."""
    counter = StatementCount(db)
    try:
        ipflow = IpflowEngine(db, counter)
        ipflow.run(long_running_path(periods, meetings_per_period), completes=False)
    finally:
        counter.close()
    return ipflow.state_bytes


def run(db: Database, cases: int, advance: Callable[[], None] = lambda: None) -> EngineBench:
    """``cases`` happy paths on each side, one after the other, after one untimed warm-up
    each (the parse, the spec cache, the sandbox's process and the connections)."""
    steps = happy_path()
    raw = PlainSpiff((processes.PROCESSES_DIR / f"{PROCESS}.bpmn").read_bytes(),
                     SnapshotDirectory(db))
    counter = StatementCount(db)
    ipflow = IpflowEngine(db, counter)
    timings = {"raw": 0.0, "ipflow": 0.0}
    try:
        raw.run(steps)
        ipflow.run(steps)
        counter.clear()
        for _case in range(cases):
            for name, side in (("raw", raw), ("ipflow", ipflow)):
                began = time.perf_counter()
                side.run(steps)
                timings[name] += time.perf_counter() - began
            advance()
    finally:
        counter.close()
    last_case = zip([step.name for step in steps], counter.statements[-len(steps):],
                    strict=True)
    return EngineBench(cases, db.engine.dialect.name, timings["raw"], timings["ipflow"],
                       tuple(counter.per_call),
                       tuple((name, tuple(sql)) for name, sql in last_case),
                       raw.state_bytes, ipflow.state_bytes)
