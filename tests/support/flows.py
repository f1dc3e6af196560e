"""The IP procedure's steps as people take them through the JSON API, on a frozen clock.

A :class:`Flow` drives one case. It keeps the engine clock frozen at the scenario's "now" so that
consents, revision dates, letters and KPR dates are consistent, moves that clock forward (logging
everybody in again, since API tokens live 12 hours), runs the worker for due timers, and reads
back what the case left behind: inboxes, events, documents, KPR records and the outbox.
"""

from __future__ import annotations

import csv
import io
from contextlib import ExitStack
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from engine.demo import CITIZENS, GUARDIANS, SEVERAL_CASES
from engine.features import kpr, worker
from engine.kernel import clock
from engine.kernel.db import Database
from engine.kernel.models import Outbox
from tests.support.api import Api
from tests.support.clock import T0


class Flow:
    """One case, driven step by step through the API."""

    def __init__(self, api: Api, db: Database, outbox_dir: Path, start: datetime = T0) -> None:
        self.api = api
        self.db = db
        self.outbox_dir = outbox_dir
        self.case_id = 0
        self.now = start
        self.plan: dict[str, Any] | None = None
        """What ``establish_plan`` writes (a default plan when None)."""
        self._frozen = ExitStack()
        self.travel_to(start)

    # ---------------------------------------------------------------- time

    def travel_to(self, moment: datetime) -> None:
        """Freeze the engine clock at ``moment`` (never backwards) and log in afresh there."""
        assert moment >= self.now, "time only moves forward in a scenario"
        self._frozen.close()
        self._frozen.enter_context(clock.frozen_at(moment))
        self.now = moment
        self.api.tokens.clear()

    def wait(self, **delta: float) -> None:
        self.travel_to(self.now + timedelta(**delta))

    @property
    def today(self) -> date:
        return self.now.date()

    def run_worker(self) -> worker.RoundResult:
        """One worker round at the scenario's now: fire due timers, deliver the outbox."""
        return worker.run_once(self.db, worker.file_delivery(self.outbox_dir), now=self.now)

    def close(self) -> None:
        self._frozen.close()

    # ---------------------------------------------------------------- reading

    def case(self, user: str = "systemkoordinator") -> dict[str, Any]:
        return self.api.get(f"/cases/{self.case_id}", user)

    def status(self) -> str:
        return self.case()["status"]

    def open_tasks(self) -> list[str]:
        """bpmn ids of the case's open tasks."""
        return [t["bpmn_id"] for t in self.case()["tasks"] if t["state"] == "ready"]

    def all_tasks(self) -> list[str]:
        """bpmn ids of every task the case has had, in order."""
        return [t["bpmn_id"] for t in self.case()["tasks"]]

    def inbox(self, user: str) -> dict[str, dict[str, Any]]:
        """This case's tasks in ``user``'s inbox, by bpmn id."""
        return {t["bpmn_id"]: t for t in self.api.get("/tasks", user)["tasks"]
                if t["case_id"] == self.case_id}

    def task(self, bpmn_id: str, user: str) -> dict[str, Any]:
        """The open task in ``user``'s inbox, read through GET /tasks/<id> (with its data)."""
        task = self.api.task(self.case_id, bpmn_id, user)
        return self.api.get(f"/tasks/{task['id']}", user)

    def complete(self, bpmn_id: str, user: str, data: dict[str, Any],
                 expect: int = 200) -> Any:
        return self.api.complete(self.case_id, bpmn_id, user, data, expect=expect)

    def message(self, name: str, user: str, data: dict[str, Any], expect: int = 200) -> Any:
        return self.api.post(f"/cases/{self.case_id}/messages/{name}", user, {"data": data},
                             expect=expect)

    def events(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.case()["events"] if e["kind"] == kind]

    def completed_by(self) -> list[tuple[str, str]]:
        """Who completed which task, in order: ``(bpmn_id, actor username)``."""
        return [(e["bpmn_id"], e["actor"]) for e in self.events("task_completed")]

    def documents(self, kind: str | None = None, title: str | None = None
                  ) -> list[dict[str, Any]]:
        documents = self.api.get(f"/cases/{self.case_id}/documents",
                                 "systemkoordinator")["documents"]
        return [d for d in documents
                if (kind is None or d["kind"] == kind) and (title is None or d["title"] == title)]

    def letters(self, title: str) -> list[dict[str, Any]]:
        return self.documents("letter", title)

    def journal(self, title: str) -> list[dict[str, Any]]:
        return self.documents("journal", title)

    def kpr(self) -> list[dict[str, str]]:
        """This case's KPR periods from the export, oldest first."""
        rows = csv.DictReader(io.StringIO(kpr.export(self.db, "csv", everything=True).text))
        return [row for row in rows if row["sak"] == str(self.case_id)]

    def kpr_periods(self, service: str) -> list[tuple[str, str]]:
        """``(startdato, sluttdato)`` of the case's KPR periods for ``service`` (CSV name)."""
        return [(r["startdato"], r["sluttdato"]) for r in self.kpr() if r["tjeneste"] == service]

    def outbox(self, kind: str) -> list[Outbox]:
        with self.db.reading() as session:
            return list(session.scalars(select(Outbox).where(
                Outbox.case_id == self.case_id, Outbox.kind == kind).order_by(Outbox.id)))

    def notifications(self) -> list[tuple[str, str]]:
        """``(recipient, subject)`` of the case's notifications."""
        return [(row.recipient, row.subject) for row in self.outbox("notification")]

    # ---------------------------------------------------------------- steps

    def report(self, user: str, nin: str, reported_by: str = "parorende",
               requests: tuple[str, ...] = ("ip", "koordinator"), expect: int = 201,
               **fields: Any) -> Any:
        """Report a need for ``nin`` (a demo citizen, or ``citizen_name`` in ``fields``, which
        adds to or overrides the report form's data); returns the case id, or the refusal."""
        data: dict[str, Any] = {
            "citizen_name": CITIZENS.get(nin, "Innbygger"), "citizen_nin": nin,
            "reported_by": reported_by, "requests": list(requests),
            "need_description": "Trenger langvarige tjenester fra hjemmetjeneste og fysioterapi.",
        }
        if nin in GUARDIANS:
            data["guardians"] = GUARDIANS[nin]
        if reported_by != "innbygger":
            data |= {"reporter_name": "Anne Melder", "reporter_contact": "anne@example.no"}
        body: dict[str, Any] = {"process": "ip_koordinator", "data": data | fields}
        if user != "innbygger":  # staff start a citizen's second case with a reason
            body["duplicate_reason"] = SEVERAL_CASES
        created = self.api.post("/cases", user, body, expect=expect)
        if expect != 201:
            return created
        self.case_id = created["id"]
        return self.case_id

    def approve(self, area: str, user: str = "systemkoordinator", approved_ip: bool = True,
                **parts: bool) -> None:
        """Approve the report; ``approved_ip=False`` (or ``approved_coordinator=False``) refuses
        that part, with reasons and appeal rights."""
        self.complete("assess_report", user, {
            "long_term_need": True, "two_or_more_services": True, "citizen_wants": True,
            "approved": True, "approved_ip": approved_ip, **parts, "service_area": area,
            "assessment_reasoning": "Vilkårene for individuell plan og koordinator er oppfylt."})

    def refuse(self, reasoning: str, user: str = "systemkoordinator") -> None:
        self.complete("assess_report", user, {
            "long_term_need": False, "two_or_more_services": True, "citizen_wants": True,
            "approved": False, "approved_ip": False, "assessment_reasoning": reasoning})

    def appoint(self, coordinator: str, user: str = "fagleder",
                bpmn_id: str = "appoint_coordinator") -> None:
        self.complete(bpmn_id, user, {"coordinator": coordinator,
                                      "citizen_wishes": "Ønsker en fast kontaktperson."})

    def train(self, user: str = "systemkoordinator") -> None:
        self.complete("ensure_training", user, {"training_ensured": True,
                                                "training_note": "Kurs for koordinatorer."})

    def summon(self, meeting_at: datetime, place: str = "Rådhuset, møterom 2",
               user: str = "systemkoordinator") -> None:
        self.complete("summon_startup_meeting", user, {
            "startup_meeting_at": meeting_at.isoformat(), "startup_meeting_place": place})

    def consent(self, user: str, wants_ip: bool = True,
                given_by: list[dict[str, str]] | None = None, revision_date: date | None = None,
                bpmn_id: str = "give_consent", expect: int = 200, consent_to_plan: bool = True,
                **choices: Any) -> Any:
        """Consent (or not) to the plan; ``choices`` are the form's other answers, such as
        ``plan_medium``, ``wants_coordinator`` or ``child_view``."""
        data: dict[str, Any] = {
            "consent_date": self.today.isoformat(),
            "consent_given_by": given_by or [{"name": "Innbyggeren selv", "relation": "selv"}],
            "consent_to_plan": consent_to_plan, "wants_ip": wants_ip, "consent_on_paper": False,
            "sharing_consents": [{"participant": "Fastlege", "scope": "Helseopplysninger"}],
            **choices}
        if revision_date is not None:
            data["revision_date"] = revision_date.isoformat()
        return self.complete(bpmn_id, user, data, expect=expect)

    def describe_goals(self, user: str) -> None:
        """The citizen's own goals and wishes for the plan (by the coordinator on their behalf
        when the citizen has no login)."""
        self.complete("describe_goals", user, {
            "citizen_goals": "Bo hjemme og klare hverdagen selv.",
            "citizen_service_wishes": "Fysioterapi og faste tider for hjemmetjenesten."})

    def establish_plan(self, user: str, revision_date: date) -> None:
        plan = self.plan or {
            "plan_goals": "Mestre hverdagen hjemme.", "plan_resources": "Familien.",
            "plan_needs": "Hjemmetjenester og fysioterapi.",
            "plan_participants": [{"name": "Fastlege", "role": "lege"},
                                  {"name": "Fysioterapeut", "role": "fysioterapi"}],
            "plan_measures": [{"description": "Fysioterapi", "scope": "to ganger i uken",
                               "responsible": "Fysioterapeut"}]}
        self.complete("establish_plan", user, {
            **plan, "plan_start": self.today.isoformat(),
            "revision_date": revision_date.isoformat()})

    def meeting(self, user: str, minutes: str, action_items: list[dict[str, str]],
                **answers: Any) -> None:
        self.complete("follow_up", user, {
            "meeting_date": self.today.isoformat(),
            "meeting_participants": ["Innbygger", "Koordinator", "Fastlege"],
            "minutes": minutes, "action_items": action_items, **answers})

    def to_consent(self, nin: str, area: str = "helse", coordinator: str = "koordinator",
                   requests: tuple[str, ...] = ("ip", "koordinator"), **approval: bool) -> None:
        """Report, approve, appoint, train and summon, a day apart; the consent task is open
        (the coordinator gives it on the citizen's behalf when the citizen has no login)."""
        self.report("systemkoordinator", nin, requests=requests)
        self.wait(days=1)
        self.approve(area, **approval)
        self.wait(days=1)
        self.appoint(coordinator)
        self.train()
        self.summon(self.now + timedelta(days=7))
        self.wait(days=7)

    def appeal(self, text: str, received_on: date | None = None, expect: int = 200) -> Any:
        data: dict[str, Any] = {"text": text}
        if received_on is not None:
            data["received_on"] = received_on.isoformat()
        return self.message("appeal_received", "systemkoordinator", data, expect=expect)

    def reassess(self, upheld: bool | None, area: str | None = "helse", expect: int = 200,
                 **late: Any) -> Any:
        data: dict[str, Any] = {"appeal_reasoning": "Ny vurdering etter klagen.", **late}
        if upheld is not None:
            data["appeal_upheld"] = upheld
        if upheld and area:
            data["service_area"] = area
        return self.complete("reassess_appeal", "systemkoordinator", data, expect=expect)

    def to_follow_up(self, user: str, nin: str, area: str, coordinator: str,
                     citizen: str | None = None) -> int:
        """Report, approve, appoint, train, summon, consent and plan, a day apart; the case
        then waits in follow-up. ``citizen`` is who consents (default: the coordinator on the
        citizen's behalf). The plan's revision date is a year from the plan's start."""
        self.report(user, nin)
        self.wait(days=1)
        self.approve(area)
        self.wait(days=1)
        self.appoint(coordinator)
        self.train()
        self.summon(self.now + timedelta(days=7))
        self.wait(days=7)
        self.consent(citizen or coordinator)
        self.describe_goals(citizen or coordinator)
        self.establish_plan(coordinator, self.today + timedelta(days=365))
        assert self.inbox(coordinator)["follow_up"]["assignee"] == coordinator
        return self.case_id
