"""Moving running cases to a new version: the preview, the safe moves (cases waiting at the
assessment with its deadline timer, at the appointment, at the consent, and in follow-up with
the revision timer and the message boundary events), the refused ones, and that the moved
cases run on in the new version."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from engine import demo
from engine.features import case_queries, deploy, migration, worker
from engine.kernel import clock
from engine.kernel.db import Database
from engine.kernel.models import Case, Task, Timer
from engine.runtime.users import Actor, get_actor
from tests.designer.diagrams import IP_XML, KEY
from tests.support.clock import T0

SHORTER = IP_XML.replace('"R12/P30D"</bpmn:timeCycle>', '"R12/P14D"</bpmn:timeCycle>').replace(
    'name="Vurder og avgjør"', 'name="Vurder meldingen og avgjør"').replace(
    'name="Oppnevn koordinator"', 'name="Oppnevn koordinator i tjenesteområdet"')


@pytest.fixture()
def running(db: Database) -> dict[str, int]:
    """Four cases on version 1, each waiting somewhere else (built at T0 on the engine clock)."""
    with clock.frozen_at(T0):
        staff = {n: get_actor(db, n) for n in ("systemkoordinator", "fagleder", "koordinator")}
        nins = list(demo.CITIZENS)
        at_consent = demo.report(db, staff["koordinator"], nins[0])
        demo.approve(db, staff, at_consent, "helse")
        demo.appoint(db, staff, at_consent)
        at_assessment = demo.report(db, staff["koordinator"], nins[1])
        at_appointment = demo.report(db, staff["systemkoordinator"], nins[2])
        demo.approve(db, staff, at_appointment, "oppvekst")
        in_follow_up = demo.report(db, staff["systemkoordinator"], nins[3])
        demo.approve(db, staff, in_follow_up, "psykisk")
        demo.appoint(db, staff, in_follow_up)
        demo.consent(db, staff["koordinator"], in_follow_up, wants_ip=True)
        demo.establish_plan(db, staff["koordinator"], in_follow_up)
    return {"give_consent": at_consent, "assess_report": at_assessment,
            "appoint_coordinator": at_appointment, "follow_up": in_follow_up}


def version_of(db: Database, case_id: int) -> int:
    with db.reading() as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case.process_version.version


def state_of(db: Database, case_id: int) -> dict:
    with db.reading() as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case.state


def open_tasks(db: Database, case_id: int) -> dict[str, Task]:
    with db.reading() as session:
        return {t.bpmn_id: t for t in session.scalars(select(Task).where(
            Task.case_id == case_id, Task.state == "ready"))}


def timers(db: Database, case_id: int) -> dict[str, datetime]:
    with db.reading() as session:
        return {t.bpmn_id: t.due_at for t in session.scalars(select(Timer).where(
            Timer.case_id == case_id, Timer.fired_at.is_(None)))}


def test_the_preview_lists_each_running_case_and_where_it_waits(
        db: Database, designer: Actor, running: dict[str, int]) -> None:
    with clock.frozen_at(T0 + timedelta(days=1)):
        deploy.deploy(db, SHORTER, designer)
        plans = {p.case_id: p for p in migration.preview(db, KEY, 2, designer)}
    assert set(plans) == set(running.values())
    assert all(p.can_move and p.from_version == 1 for p in plans.values())
    assessment = plans[running["assess_report"]]
    assert assessment.waiting_at == ["«Vurdering og avgjørelse» (phase_assessment)",
                                     "«Vurder og avgjør» (assess_report)",
                                     "«Hver 30. dag uten avgjørelse» (assessment_deadline)"]
    assert ("fristen for «Hver 30. dag uten avgjørelse» (assessment_deadline) endres fra "
            "01.04.2026 09:00 til 16.03.2026 09:00 (UTC)") in assessment.notes
    follow_up = plans[running["follow_up"]]
    assert "«Revisjonsdato nådd» (revision_date_reached)" in follow_up.waiting_at
    assert "«Bytte av koordinator» (coordinator_change_follow_up)" in follow_up.waiting_at


def test_safe_cases_move_keep_their_tasks_and_run_on_in_the_new_version(
        db: Database, designer: Actor, running: dict[str, int]) -> None:
    before = {step: open_tasks(db, case_id)[step].spiff_id for step, case_id in running.items()}
    revision_due = timers(db, running["follow_up"])["revision_date_reached"]
    with clock.frozen_at(T0 + timedelta(days=1)):
        deploy.deploy(db, SHORTER, designer)
        results = migration.migrate(db, KEY, 2, sorted(running.values()), designer)
    assert all(r.moved for r in results), results
    for step, case_id in running.items():
        assert version_of(db, case_id) == 2
        assert open_tasks(db, case_id)[step].spiff_id == before[step]  # the same task, not anew
    # The renamed task is renamed in the inbox; the shortened deadline applies to the case.
    assert open_tasks(db, running["assess_report"])["assess_report"].name == (
        "Vurder meldingen og avgjør")
    assert timers(db, running["assess_report"]) == {
        "assessment_deadline": T0 + timedelta(days=14)}
    assert timers(db, running["follow_up"])["revision_date_reached"] == revision_due
    # Recorded in the case history, with who moved it.
    systemkoordinator = get_actor(db, "systemkoordinator")
    history = case_queries.get_case(db, running["assess_report"], systemkoordinator)["events"]
    [moved] = [e for e in history if e["kind"] == "migrated"]
    assert moved["actor"] == "designer" and moved["data"]["from"] == 1
    assert moved["data"]["to"] == 2
    assert case_queries.get_case(db, running["assess_report"], systemkoordinator)["version"] == 2

    # They run on: the shortened deadline fires at 14 days, the steps go on as before.
    staff = {n: get_actor(db, n) for n in ("systemkoordinator", "fagleder", "koordinator")}
    result = worker.run_once(db, lambda _row: None, now=T0 + timedelta(days=15))
    assert result.cases_fired >= 1
    history = case_queries.get_case(db, running["assess_report"], systemkoordinator)["events"]
    assert [e["bpmn_id"] for e in history if e["kind"] == "timer_fired"] == [
        "assessment_deadline"]
    with clock.frozen_at(T0 + timedelta(days=16)):
        demo.approve(db, staff, running["assess_report"], "helse")
        assert "appoint_coordinator" in open_tasks(db, running["assess_report"])
        assert open_tasks(db, running["assess_report"])["appoint_coordinator"].name == (
            "Oppnevn koordinator i tjenesteområdet")
        demo.appoint(db, staff, running["appoint_coordinator"])
        assert "give_consent" in open_tasks(db, running["appoint_coordinator"])
        demo.consent(db, get_actor(db, "innbygger"), running["give_consent"], wants_ip=True)
        assert "describe_goals" in open_tasks(db, running["give_consent"])
        demo.do(db, staff["koordinator"], running["follow_up"], "follow_up", {
            "meeting_date": "2026-03-18", "meeting_participants": ["Innbygger"],
            "minutes": "Alt går bra.", "action_items": []})
        assert "follow_up" in open_tasks(db, running["follow_up"])
    # The revision timer and the boundary messages still work after the move.
    worker.run_once(db, lambda _row: None, now=revision_due + timedelta(hours=1))
    assert "evaluate_plan" in open_tasks(db, running["follow_up"])


def test_a_case_waiting_at_a_removed_step_is_refused_and_left_as_it_was(
        db: Database, designer: Actor, running: dict[str, int]) -> None:
    # Version 2 replaces the appointment with a step of another id: cases there cannot move.
    renamed = IP_XML.replace("appoint_coordinator", "appoint_coordinator_in_area")
    deploy.deploy(db, renamed, designer)
    plans = {p.case_id: p for p in migration.preview(db, KEY, 2, designer)}
    stuck = running["appoint_coordinator"]
    assert plans[stuck].reasons == ["saken venter ved «Oppnevn koordinator» "
                                    "(appoint_coordinator), som ikke finnes i versjon 2"]
    assert all(p.can_move for case_id, p in plans.items() if case_id != stuck)
    state = state_of(db, stuck)
    results = {r.case_id: r for r in migration.migrate(db, KEY, 2, sorted(running.values()),
                                                       designer)}
    assert not results[stuck].moved and results[stuck].reasons == plans[stuck].reasons
    assert all(r.moved for case_id, r in results.items() if case_id != stuck)
    assert version_of(db, stuck) == 1 and state_of(db, stuck) == state
    history = case_queries.get_case(db, stuck, get_actor(db, "systemkoordinator"))["events"]
    assert "migrated" not in [e["kind"] for e in history]
    # Moving it directly is refused with the same reason.
    with pytest.raises(migration.MigrationRefused) as refusal:
        migration.migrate_case(db, stuck, KEY, 2, designer)
    assert refusal.value.reasons == plans[stuck].reasons


def test_a_case_whose_data_does_not_fit_a_changed_timer_stays(
        db: Database, designer: Actor, running: dict[str, int]) -> None:
    changed = IP_XML.replace(
        '<bpmn:timeDate xsi:type="bpmn:tFormalExpression">revision_date</bpmn:timeDate>',
        '<bpmn:timeDate xsi:type="bpmn:tFormalExpression">revision_date + "T25"</bpmn:timeDate>')
    deploy.deploy(db, changed, designer)
    plans = {p.case_id: p for p in migration.preview(db, KEY, 2, designer)}
    [reason] = plans[running["follow_up"]].reasons
    assert reason.startswith("tidsuttrykket 'revision_date + \"T25\"' for «Revisjonsdato nådd» "
                             "(revision_date_reached) i versjon 2 kan ikke regnes ut fra "
                             "sakens data: ")
    assert "T25" in reason
    assert plans[running["assess_report"]].can_move


def test_changed_events_on_the_waiting_task_and_finished_cases_are_refused(
        db: Database, designer: Actor, running: dict[str, int]) -> None:
    # Version 2 moves the citizen's "end" message from follow-up to the assessment.
    no_end = IP_XML.replace('id="end_requested_follow_up" name="Ønske om å avslutte" '
                            'attachedToRef="phase_follow_up"',
                            'id="end_requested_follow_up" name="Ønske om å avslutte" '
                            'attachedToRef="phase_assessment"')
    assert no_end != IP_XML
    deploy.deploy(db, no_end, designer)
    plans = {p.case_id: p for p in migration.preview(db, KEY, 2, designer)}
    reasons = plans[running["follow_up"]].reasons
    assert any("hendelsene festet til oppgaven saken venter ved er endret" in r for r in reasons)
    assert any("hendelsene festet til" in r for r in plans[running["assess_report"]].reasons)
    # A case already on the target version, or one that ended, is not offered.
    with pytest.raises(migration.MigrationRefused) as refusal:
        migration.migrate_case(db, running["give_consent"], KEY, 1, designer)
    assert "saken er allerede på versjon 1" in refusal.value.reasons


def test_only_designers_migrate(db: Database, running: dict[str, int]) -> None:
    deploy.deploy(db, SHORTER, get_actor(db, "designer"))
    from engine.kernel.errors import Forbidden

    with pytest.raises(Forbidden):
        migration.preview(db, KEY, 2, get_actor(db, "leder"))
    with pytest.raises(Forbidden):
        migration.migrate(db, KEY, 2, [running["assess_report"]], get_actor(db, "fagleder"))
    assert version_of(db, running["assess_report"]) == 1
