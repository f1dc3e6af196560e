"""Drafts of a case's plan: kept per case and person with the revision they were typed on
(nobody else ever sees mine), raw and unvalidated, removed when I save the plan, kept when the
save is refused, and only for those who may change the plan."""

from __future__ import annotations

import pytest

from engine import demo
from engine.features import drafts, plans
from engine.kernel.db import Database
from engine.kernel.errors import Conflict, Forbidden, InvalidData, NotFound
from engine.runtime.users import Actor, get_actor
from tests.support.people import KARI, OLA

HALF_DONE = {"plan_goals": "Bo hjemme og", "plan_measures": [{"description": ""}]}


def _with_plan(db: Database, staff: dict[str, Actor]) -> int:
    """A case whose plan is at revision 1 (written when it was established)."""
    case_id = demo.report(db, staff["koordinator"], KARI)
    demo.approve(db, staff, case_id, "helse")
    demo.appoint(db, staff, case_id)
    demo.consent(db, get_actor(db, "innbygger"), case_id, wants_ip=True)
    demo.establish_plan(db, staff["koordinator"], case_id)
    return case_id


def test_a_plan_draft_is_kept_per_person_with_its_revision(
        db: Database, staff: dict[str, Actor]) -> None:
    case_id = _with_plan(db, staff)
    mine, citizen = staff["koordinator"], get_actor(db, "innbygger")
    assert drafts.load_plan_draft(db, case_id, mine) is None
    first = drafts.save_plan_draft(db, case_id, dict(HALF_DONE), 1, mine)
    assert first.data == HALF_DONE and first.base == 1  # as typed, not validated
    assert drafts.load_plan_draft(db, case_id, mine) == first
    second = drafts.save_plan_draft(db, case_id, {"plan_goals": "Bo hjemme."}, 1, mine)
    loaded = drafts.load_plan_draft(db, case_id, mine)
    assert loaded is not None and loaded.data == {"plan_goals": "Bo hjemme."}
    assert loaded.saved_at == second.saved_at >= first.saved_at
    # the citizen's own proposal draft is theirs; neither sees the other's
    assert drafts.load_plan_draft(db, case_id, citizen) is None
    drafts.save_plan_draft(db, case_id, {"plan_needs": "Hjelp om kvelden."}, 1, citizen)
    drafts.delete_plan_draft(db, case_id, citizen)
    assert drafts.load_plan_draft(db, case_id, citizen) is None
    assert drafts.load_plan_draft(db, case_id, mine) == loaded


def test_saving_the_plan_uses_up_the_savers_draft_only(
        db: Database, staff: dict[str, Actor]) -> None:
    case_id = _with_plan(db, staff)
    coordinator, leader = staff["koordinator"], staff["systemkoordinator"]
    drafts.save_plan_draft(db, case_id, dict(HALF_DONE), 1, coordinator)
    drafts.save_plan_draft(db, case_id, {"plan_cooperation": "NAV."}, 1, leader)
    plans.revise_plan(db, case_id, {"plan_goals": "Bo hjemme."}, 1, coordinator)
    assert drafts.load_plan_draft(db, case_id, coordinator) is None
    kept = drafts.load_plan_draft(db, case_id, leader)
    assert kept is not None and kept.base == 1
    # the leader's save on revision 1 is refused now (409), and the draft stays
    with pytest.raises(Conflict):
        plans.revise_plan(db, case_id, dict(kept.data), kept.base, leader)
    assert drafts.load_plan_draft(db, case_id, leader) == kept


def test_only_who_may_change_the_plan_keeps_a_draft_of_it(
        db: Database, staff: dict[str, Actor]) -> None:
    case_id = _with_plan(db, staff)
    with pytest.raises(Forbidden):  # sees the case, but does not keep its plan
        drafts.save_plan_draft(db, case_id, dict(HALF_DONE), 1, staff["fagleder"])
    other = demo.report(db, staff["systemkoordinator"], OLA)
    with pytest.raises(NotFound):
        drafts.load_plan_draft(db, other, get_actor(db, "innbygger"))
    with pytest.raises(InvalidData):
        drafts.save_plan_draft(db, case_id, ["not", "an", "object"], 1, staff["koordinator"])
    with pytest.raises(InvalidData):
        drafts.save_plan_draft(db, case_id, {"plan_goals": "x" * drafts.MAX_DRAFT_BYTES}, 1,
                               staff["koordinator"])
