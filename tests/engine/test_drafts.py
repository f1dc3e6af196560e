"""Drafts of a task's form: kept per task and person (nobody else ever sees mine), raw and
unvalidated, limited in size, and removed when I complete the task."""

from __future__ import annotations

import pytest

from engine import demo
from engine.features import drafts, task_actions
from engine.kernel.db import Database
from engine.kernel.errors import InvalidData, NotFound
from engine.runtime.users import Actor
from tests.support.people import EMMA, OLA

HALF_DONE = {"citizen_wishes": "Ønsker en fast", "coordinator": ""}


def _appointment(db: Database, staff: dict[str, Actor]) -> int:
    case_id = demo.report(db, staff["koordinator"], EMMA)
    demo.approve(db, staff, case_id, "oppvekst")
    return demo.open_task(db, case_id, "appoint_coordinator")


def test_a_draft_is_kept_as_typed_and_replaced_by_the_next_save(
        db: Database, staff: dict[str, Actor]) -> None:
    task_id = _appointment(db, staff)
    mine = staff["fagleder_oppvekst"]
    assert drafts.load_draft(db, task_id, mine) is None
    first = drafts.save_draft(db, task_id, dict(HALF_DONE), mine)
    assert drafts.load_draft(db, task_id, mine) == first
    assert first.data == HALF_DONE  # not validated: an empty required field is kept as is
    second = drafts.save_draft(db, task_id, {"citizen_wishes": "Ønsker en fast kontakt."}, mine)
    loaded = drafts.load_draft(db, task_id, mine)
    assert loaded is not None and loaded.data == {"citizen_wishes": "Ønsker en fast kontakt."}
    assert loaded.saved_at == second.saved_at >= first.saved_at


def test_another_person_never_sees_my_draft(db: Database, staff: dict[str, Actor]) -> None:
    task_id = _appointment(db, staff)
    drafts.save_draft(db, task_id, dict(HALF_DONE), staff["fagleder_oppvekst"])
    assert drafts.load_draft(db, task_id, staff["fagleder"]) is None
    drafts.save_draft(db, task_id, {"citizen_wishes": "Hans utkast"}, staff["fagleder"])
    mine = drafts.load_draft(db, task_id, staff["fagleder_oppvekst"])
    assert mine is not None and mine.data == HALF_DONE
    drafts.delete_draft(db, task_id, staff["fagleder"])
    assert drafts.load_draft(db, task_id, staff["fagleder"]) is None
    assert drafts.load_draft(db, task_id, staff["fagleder_oppvekst"]) is not None


def test_a_person_who_may_not_see_the_task_can_neither_save_nor_read(
        db: Database, staff: dict[str, Actor]) -> None:
    case_id = demo.report(db, staff["koordinator"], OLA)
    demo.approve(db, staff, case_id, "helse")
    task_id = demo.open_task(db, case_id, "appoint_coordinator")
    outsider = staff["innbygger"]
    with pytest.raises(NotFound):
        drafts.save_draft(db, task_id, dict(HALF_DONE), outsider)
    with pytest.raises(NotFound):
        drafts.load_draft(db, task_id, outsider)


def test_completing_removes_my_draft_and_keeps_a_colleagues(
        db: Database, staff: dict[str, Actor]) -> None:
    task_id = _appointment(db, staff)
    drafts.save_draft(db, task_id, dict(HALF_DONE), staff["fagleder_oppvekst"])
    drafts.save_draft(db, task_id, {"citizen_wishes": "Kollegaens tekst"}, staff["fagleder"])
    task_actions.complete_task(db, task_id, {"coordinator": "koordinator_oppvekst"},
                               staff["fagleder_oppvekst"], take=True)
    assert drafts.load_draft(db, task_id, staff["fagleder_oppvekst"]) is None
    kept = drafts.load_draft(db, task_id, staff["fagleder"])
    assert kept is not None and kept.data == {"citizen_wishes": "Kollegaens tekst"}


def test_a_refused_completion_keeps_the_draft(db: Database, staff: dict[str, Actor]) -> None:
    task_id = _appointment(db, staff)
    mine = staff["fagleder_oppvekst"]
    drafts.save_draft(db, task_id, dict(HALF_DONE), mine)
    with pytest.raises(InvalidData):
        task_actions.complete_task(db, task_id, {"coordinator": ""}, mine, take=True)
    assert drafts.load_draft(db, task_id, mine) is not None


def test_a_draft_is_an_object_of_limited_size(db: Database, staff: dict[str, Actor]) -> None:
    task_id = _appointment(db, staff)
    mine = staff["fagleder_oppvekst"]
    with pytest.raises(InvalidData) as too_big:
        drafts.save_draft(db, task_id, {"citizen_wishes": "x" * (drafts.MAX_DRAFT_BYTES + 1)},
                          mine)
    assert "for stort" in too_big.value.errors["data"]
    with pytest.raises(InvalidData):
        drafts.save_draft(db, task_id, ["ikke", "et", "objekt"], mine)
    assert drafts.load_draft(db, task_id, mine) is None
