"""The case page's read hands back frozen snapshots built in the engine's session: rows a page
may hold after the session closed, with where the case stands worked out by the engine."""

from __future__ import annotations

import dataclasses

import pytest

from engine import demo
from engine.features import overview
from engine.features.snapshots import AccessRow, CaseFacts, EventRow, TaskRow
from engine.kernel.db import Database
from engine.runtime.users import Actor
from tests.support.people import OLA


def test_a_new_case_is_read_as_frozen_rows_waiting_at_the_assessment(
        db: Database, staff: dict[str, Actor]) -> None:
    case_id = demo.report(db, staff["koordinator"], OLA)
    seen = overview.case_overview(db, case_id, staff["systemkoordinator"])

    assert isinstance(seen.facts, CaseFacts) and seen.facts.citizen_nin == OLA
    assert seen.facts.process_version == 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        seen.facts.status = "closed"  # type: ignore[misc]
    [task] = seen.open_tasks
    assert isinstance(task, TaskRow) and task.bpmn_id == "assess_report"
    assert task.reader_may_act, "the assessment is the systemkoordinator's"
    assert seen.current == {"assess_report", "assessment_deadline"}, "the task and its timer"
    assert all(isinstance(event, EventRow) for event in seen.events)
    assert [event.kind for event in seen.events][0] == "case_started"


def test_start_events_count_as_passed_only_for_the_phases_the_case_has_entered(
        db: Database, staff: dict[str, Actor]) -> None:
    case_id = demo.report(db, staff["koordinator"], OLA)
    passed = overview.case_overview(db, case_id, staff["systemkoordinator"]).passed
    assert {"report_received", "assessment_start"} <= passed
    assert not passed & {"appointment_start", "startup_start", "appeal_phase_start"}

    demo.approve(db, staff, case_id, "helse")
    passed = overview.case_overview(db, case_id, staff["systemkoordinator"]).passed
    assert {"assess_report", "appointment_start"} <= passed
    assert "appeal_phase_start" not in passed


def test_the_page_read_is_in_the_access_log_as_rows(db: Database,
                                                    staff: dict[str, Actor]) -> None:
    case_id = demo.report(db, staff["koordinator"], OLA)
    reader = staff["systemkoordinator"]
    overview.case_overview(db, case_id, reader)
    [entry] = overview.access_log(db, case_id, reader)
    assert entry == AccessRow(at=entry.at, username=reader.username, what="case_page")


def test_the_page_reads_the_newest_reads_of_a_long_log_and_counts_them_all(
        db: Database, staff: dict[str, Actor]) -> None:
    """A case opened daily for years has thousands of reads: the page reads only the newest."""
    case_id = demo.report(db, staff["koordinator"], OLA)
    reader = staff["systemkoordinator"]
    for _ in range(4):
        overview.case_overview(db, case_id, staff["koordinator"])
    seen = overview.case_overview(db, case_id, reader, reads_shown=3)
    assert seen.access_log == tuple(overview.access_log(db, case_id, reader)[:3])
    assert seen.access_log_total == 5, "four reads by the koordinator and this one"
    few = overview.case_overview(db, case_id, reader, reads_shown=10)
    assert few.access_log is not None and len(few.access_log) == few.access_log_total == 6
