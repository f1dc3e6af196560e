"""Retention (``engine.features.retention``): a case closed longer ago than the period is
anonymised completely, a newer closed case and an open one are untouched, a dry run changes
nothing, and the anonymised case still opens. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Table, select

from engine import demo
from engine.features import (
    backup,
    case_messages,
    case_queries,
    drafts,
    interventions,
    overview,
    retention,
)
from engine.features import worker as worker_feature
from engine.kernel import clock
from engine.kernel.db import Database
from engine.kernel.errors import EngineError
from engine.kernel.models import Attachment, Case, Event, Task, Timer
from engine.kernel.vocabulary import CaseState, EventKind, TaskState
from engine.runtime.users import Actor, get_actor
from tests.support.api import Api
from tests.support.cases import at_second_evaluation, closed_case
from tests.support.clock import T0
from tests.support.pages import Browser
from tests.support.people import KARI, OLA, PER

YEARS = 10
MESSAGE = "Ola har fått ny rullestol, og legen heter Hansen-Lie."


def _belongs(table: Table, case_id: int, task_ids: set[int]) -> Callable[[dict[str, Any]], bool]:
    if table.name == "case_":
        return lambda row: bool(row["id"] == case_id)
    if "case_id" in table.c:
        return lambda row: bool(row["case_id"] == case_id)
    if "task_id" in table.c:
        return lambda row: row["task_id"] in task_ids
    return lambda row: False


def case_dump(db: Database, case_id: int) -> str:
    """Every row of every table that belongs to the case, as one JSON text."""
    with db.engine.connect() as connection:
        task_ids = set(connection.scalars(select(Task.id).where(Task.case_id == case_id)))
        found = {t.name: [{k: backup.encode(v) for k, v in row.items()}
                          for row in backup.rows(connection, t)
                          if _belongs(t, case_id, task_ids)(row)]
                 for t in backup.tables()}
    return json.dumps(found, ensure_ascii=False)


def _cases(db: Database, staff: dict[str, Actor]) -> dict[str, int]:
    """Ola's rich case (plan, meetings, consents, letters, a message, drafts) cancelled at
    T0; Per's closed two years later; Kari's open."""
    leder = get_actor(db, "leder")
    with clock.frozen_at(T0):
        old = at_second_evaluation(db, staff)
        overview.post_message(db, old, MESSAGE, staff["koordinator"])
        with db.reading() as session:
            task_id = session.scalar(select(Task.id).where(Task.case_id == old,
                                                           Task.state == TaskState.READY))
        assert task_id is not None
        drafts.save_draft(db, task_id, {"evaluation_summary": MESSAGE}, staff["koordinator"])
        case_queries.get_case(db, old, staff["koordinator"])
        interventions.cancel_case(db, old, "Innbyggeren flyttet.", leder)
        kari = demo.report(db, staff["koordinator"], KARI)
    per = closed_case(db, staff, PER, T0 + timedelta(days=730))
    return {"old": old, "per": per, "kari": kari}


def _personal(db: Database) -> list[str]:
    return [OLA, demo.CITIZENS[OLA], "Ola", "1948-07-23", "Anne Melder", "anne@example.no",
            MESSAGE, "Første møte", "Søke om hjelpemidler", "hjelpemidlene"]


@pytest.fixture()
def later() -> datetime:
    return T0 + timedelta(days=365 * YEARS + 30)


def test_a_case_closed_longer_ago_than_the_period_is_anonymised_completely(
        db: Database, staff: dict[str, Actor], later: datetime) -> None:
    cases = _cases(db, staff)
    before = {name: case_dump(db, case_id) for name, case_id in cases.items()}
    assert all(text in before["old"] for text in _personal(db))
    with db.reading() as session:
        assert session.scalar(select(Attachment.id).where(Attachment.case_id == cases["old"]))

    result = retention.run(db, later, YEARS)

    assert result.case_ids == [cases["old"]]
    after = case_dump(db, cases["old"])
    left = [text for text in _personal(db) if text in after]
    assert left == []
    assert case_dump(db, cases["per"]) == before["per"]
    assert case_dump(db, cases["kari"]) == before["kari"]
    with db.reading() as session:
        case = session.get(Case, cases["old"])
        assert case is not None
        assert (case.citizen_name, case.citizen_nin) == ("Anonymisert", "00000000000")
        assert case.citizen_name_folded == "anonymisert"  # the searched name goes too
        assert case.created_at == T0 and case.closed_at == T0  # the statistics' dates stay
        assert session.scalar(select(Attachment.id).where(
            Attachment.case_id == cases["old"])) is None
        audit = session.scalars(select(Event).where(
            Event.case_id == cases["old"], Event.kind == EventKind.CASE_ANONYMISED)).one()
        assert audit.data == {"rule": "retention", "years": YEARS, "status": "cancelled",
                              "closed_at": T0.isoformat()}
        assert audit.at == later and audit.actor == "system"
        # the steps the case went through stay, with their times
        steps = list(session.scalars(select(Event.bpmn_id).where(
            Event.case_id == cases["old"], Event.kind == EventKind.TASK_COMPLETED)))
        assert "assess_report" in steps and "evaluate_plan" in steps
    # once is enough: a second run finds nothing more to do
    assert retention.run(db, later, YEARS).case_ids == []


def test_a_dry_run_lists_the_due_cases_and_changes_nothing(
        db: Database, staff: dict[str, Actor], later: datetime) -> None:
    cases = _cases(db, staff)
    before = {name: case_dump(db, case_id) for name, case_id in cases.items()}

    result = retention.run(db, later, YEARS, dry_run=True)

    assert result.case_ids == [cases["old"]] and result.dry_run
    assert {name: case_dump(db, case_id) for name, case_id in cases.items()} == before


def test_the_worker_anonymises_and_the_anonymised_case_still_opens(
        db: Database, staff: dict[str, Actor], later: datetime, web: Callable[[str], Browser],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(retention.RETENTION_ENV, str(YEARS))
    cases = _cases(db, staff)

    result = worker_feature.run_once(db, lambda _row: None, now=later)

    assert result.anonymised == 1
    leder = get_actor(db, "leder")
    with clock.frozen_at(later):
        assert case_queries.get_case(db, cases["old"], leder)["citizen_name"] == "Anonymisert"
        page = web("leder").get(f"/cases/{cases['old']}")
    assert "Anonymisert" in page and demo.CITIZENS[OLA] not in page


def test_a_closed_case_that_an_appeal_could_reopen_becomes_final(
        db: Database, staff: dict[str, Actor], later: datetime,
        web: Callable[[str], Browser], api: Api) -> None:
    case_id = closed_case(db, staff, PER, T0)
    with db.reading() as session:
        assert session.get(Case, case_id).status == CaseState.CLOSED  # type: ignore[union-attr]

    assert retention.run(db, later, YEARS).case_ids == [case_id]

    with db.reading() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.status == CaseState.COMPLETED
        assert session.scalars(select(Timer).where(
            Timer.case_id == case_id, Timer.fired_at.is_(None),
            Timer.cancelled.is_(False))).all() == []
    with pytest.raises(EngineError, match="avsluttet og tar ikke lenger imot"):
        case_messages.send_message(db, case_id, "appeal_received", {"text": "Jeg klager."},
                                   staff["systemkoordinator"])
    with clock.frozen_at(later):
        assert demo.CITIZENS[PER] not in web("systemkoordinator").get(f"/cases/{case_id}")
        offered = api.get(f"/cases/{case_id}/events", "systemkoordinator")
    assert offered["events"] == [] and offered["refused"] == []


def test_the_period_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(retention.RETENTION_ENV, raising=False)
    assert retention.retention_years() == retention.DEFAULT_YEARS
    monkeypatch.setenv(retention.RETENTION_ENV, "5")
    assert retention.retention_years() == 5
    monkeypatch.setenv(retention.RETENTION_ENV, "0")
    with pytest.raises(ValueError, match=retention.RETENTION_ENV):
        retention.retention_years()
