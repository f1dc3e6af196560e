"""A living plan through the JSON API: revisions with who, when and what changed; the citizen's
proposals; action items with status; access; and a revision that lost a race gets 409.

The diagram keeps the plan written at ``establish_plan`` as revision 1 (``plan.record``); each
test writes ``PLAN`` there and revises from it.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest

from engine.features import monitor, plans
from engine.kernel.db import Database
from engine.kernel.errors import Conflict
from engine.runtime.users import get_actor
from tests.support.flows import Flow
from tests.support.people import KARI, OLA
from tests.support.threads import run_together

PLAN = {
    "plan_goals": "Bo hjemme og klare hverdagen selv.",
    "plan_resources": "Familien og naboen.",
    "plan_needs": "Hjemmetjenester og fysioterapi.",
    "plan_coordinator": "Kari Koordinator, tlf. 12 34 56 78",
    "plan_participants": [{"name": "Fastlege", "role": "lege", "contribution": "Medisiner"}],
    "plan_contributions": "Innbyggeren trener selv; datteren handler.",
    "plan_measures": [{"description": "Fysioterapi", "scope": "to ganger i uken",
                       "responsible": "Fysioterapeut", "implementation": "Hjemme, tirsdag"}],
    "plan_consents": "Samtykke til planen og deling med fastlegen.",
    "plan_cooperation": "NAV om arbeidsavklaring.",
    "plan_language": "Norsk",
    "plan_interpreter_needed": False,
}


@pytest.fixture()
def flow(flow: Flow) -> Flow:
    """The API tests' driver, establishing this module's plan."""
    flow.plan = PLAN
    return flow


def plan_of(flow: Flow, user: str = "koordinator", expect: int = 200) -> Any:
    return flow.api.get(f"/cases/{flow.case_id}/plan", user, expect=expect)


def revise(flow: Flow, user: str, changes: dict[str, Any], base: int,
           expect: int = 201, **extra: Any) -> Any:
    return flow.api.post(f"/cases/{flow.case_id}/plan", user,
                         {"plan": changes, "base": base, **extra}, expect=expect)


def first_revision(flow: Flow) -> dict[str, Any]:
    """The revision the diagram recorded when the coordinator established the plan."""
    current = plan_of(flow)["current"]
    assert current["content"]["plan_goals"] == PLAN["plan_goals"]
    return current


def test_coordinator_revises_and_history_says_who_when_what(flow: Flow) -> None:
    flow.to_follow_up("systemkoordinator", OLA, "helse", "koordinator")
    first = first_revision(flow)
    assert (first["number"], first["author"], first["source"]) == (1, "koordinator", "task")
    assert first["changed"][:3] == ["plan_goals", "plan_resources", "plan_needs"]
    assert first["at"] == flow.now.isoformat()

    flow.wait(days=30)
    measures = [*PLAN["plan_measures"], {"description": "Trygghetsalarm", "scope": "døgnet rundt",
                                         "responsible": "Hjemmetjenesten",
                                         "implementation": "Montert i gangen"}]
    second = revise(flow, "koordinator", {"plan_measures": measures,
                                          "plan_interpreter_needed": True,
                                          "plan_language": "Polsk"}, 1)["revision"]
    assert second["number"] == 2
    assert second["changed"] == ["plan_measures", "plan_language", "plan_interpreter_needed"]
    assert second["content"]["plan_goals"] == PLAN["plan_goals"]  # untouched fields are kept

    seen = plan_of(flow)
    assert [r["number"] for r in seen["revisions"]] == [2, 1]  # newest first
    assert seen["current"]["content"]["plan_measures"] == measures
    assert seen["may_revise"] and not seen["may_propose"]
    # The steps the case waits at read the revised plan (the meeting's task data).
    assert flow.task("follow_up", "koordinator")["data"]["plan_measures"] == measures
    assert [e["data"]["number"] for e in flow.events("plan_revised")] == [1, 2]


def test_revised_revision_date_moves_the_evaluation(flow: Flow) -> None:
    flow.to_follow_up("systemkoordinator", OLA, "helse", "koordinator")
    first_revision(flow)
    earlier = flow.today + timedelta(days=90)
    revise(flow, "koordinator", {"revision_date": earlier.isoformat()}, 1)
    flow.travel_to(flow.now + timedelta(days=91))
    flow.run_worker()
    assert flow.open_tasks() == ["evaluate_plan"]
    assert flow.task("evaluate_plan", "koordinator")["plan"]["number"] == 2


def test_stale_or_invalid_revision_changes_nothing(flow: Flow) -> None:
    flow.to_follow_up("systemkoordinator", OLA, "helse", "koordinator")
    first_revision(flow)
    stale = revise(flow, "koordinator", {"plan_goals": "Annet mål."}, 0, expect=409)
    assert "revisjon 1" in stale["error"]
    missing = revise(flow, "koordinator", {"plan_goals": "Annet mål."}, None, expect=422)
    assert "base" in missing["errors"]
    unknown = revise(flow, "koordinator", {"approved": True}, 1, expect=422)
    assert "approved" in unknown["errors"]
    no_goal = revise(flow, "koordinator", {"plan_goals": ""}, 1, expect=422)
    assert "plan_goals" in no_goal["errors"]
    no_change = revise(flow, "koordinator", {"plan_goals": PLAN["plan_goals"]}, 1, expect=422)
    assert "plan" in no_change["errors"]
    before = flow.today.isoformat()
    bad_date = revise(flow, "koordinator", {"revision_date": before}, 1, expect=422)
    assert "revision_date" in bad_date["errors"]  # the diagram's validator for the plan form
    assert [r["number"] for r in plan_of(flow)["revisions"]] == [1]


def test_citizen_proposes_and_coordinator_accepts_or_declines(flow: Flow) -> None:
    flow.to_follow_up("systemkoordinator", KARI, "helse", "koordinator", citizen="innbygger")
    first_revision(flow)
    flow.wait(days=3)
    proposal = revise(flow, "innbygger", {"plan_goals": "Begynne å jobbe igjen."}, 1,
                      note="Jeg vil jobbe.")["proposal"]
    assert proposal["status"] == "pending" and proposal["proposed_by"] == "innbygger"
    assert proposal["changes"] == {"plan_goals": "Begynne å jobbe igjen."}
    seen = plan_of(flow, "innbygger")
    assert seen["may_propose"] and not seen["may_revise"]
    assert [r["number"] for r in seen["revisions"]] == [1]  # a proposal is not the plan

    # Meanwhile the coordinator revises another field; accepting keeps both.
    revise(flow, "koordinator", {"plan_needs": "Også hjelp til innkjøp."}, 1)
    path = f"/cases/{flow.case_id}/plan/proposals/{proposal['id']}"
    flow.api.post(path, "innbygger", {"decision": "accepted"}, expect=403)
    accepted = flow.api.post(path, "koordinator", {"decision": "accepted"})
    revision = accepted["revision"]
    assert (revision["number"], revision["source"], revision["author"]) == (3, "proposal",
                                                                          "koordinator")
    assert revision["changed"] == ["plan_goals"]
    assert revision["content"]["plan_needs"] == "Også hjelp til innkjøp."
    assert accepted["proposal"]["status"] == "accepted"
    flow.api.post(path, "koordinator", {"decision": "declined", "reason": "x"}, expect=409)

    second = revise(flow, "innbygger", {"plan_language": "Samisk"}, 3)["proposal"]
    path = f"/cases/{flow.case_id}/plan/proposals/{second['id']}"
    flow.api.post(path, "koordinator", {"decision": "declined"}, expect=422)  # needs a reason
    declined = flow.api.post(path, "koordinator", {"decision": "declined",
                                                   "reason": "Tas opp på neste møte."})
    assert declined["proposal"]["reason"] == "Tas opp på neste møte."
    assert "revision" not in declined
    assert plan_of(flow)["current"]["number"] == 3


def test_others_may_not_read_or_change_the_plan(flow: Flow) -> None:
    flow.to_follow_up("systemkoordinator", OLA, "helse", "koordinator")
    first_revision(flow)
    plan_of(flow, "koordinator_oppvekst", expect=404)  # no service need
    revise(flow, "koordinator_oppvekst", {"plan_goals": "x"}, 1, expect=404)
    assert plan_of(flow, "fagleder")["may_revise"] is False  # sees the case, keeps no plan
    revise(flow, "fagleder", {"plan_goals": "x"}, 1, expect=403)
    revise(flow, "leder", {"plan_goals": "x"}, 1, expect=403)
    plan_of(flow, "innbygger", expect=404)  # not Kari's case
    revise(flow, "systemkoordinator", {"plan_goals": "Koordinerende enhet retter."}, 1)


def test_action_items_move_from_open_to_done_and_leave_the_monitor(flow: Flow,
                                                                   db: Database) -> None:
    flow.to_follow_up("systemkoordinator", KARI, "helse", "koordinator", citizen="innbygger")
    deadline = flow.today + timedelta(days=7)
    flow.meeting("koordinator", "Første samarbeidsmøte.", [
        {"description": "Søke BPA", "owner": "Koordinator", "deadline": deadline.isoformat()},
        {"description": "Bestille hjelpemidler", "owner": "Ergoterapeut",
         "deadline": deadline.isoformat()}])
    items = plan_of(flow)["action_items"]
    assert [(i["description"], i["status"]) for i in items] == [("Søke BPA", "apen"),
                                                                ("Bestille hjelpemidler", "apen")]
    # The next meeting's task lists the open items.
    listed = flow.task("follow_up", "koordinator")["open_action_items"]
    assert [i["id"] for i in listed] == [i["id"] for i in items]

    flow.wait(days=2)
    path = f"/cases/{flow.case_id}/action-items/{items[0]['id']}"
    moved = flow.api.post(path, "koordinator", {"status": "pagar"})
    assert (moved["status"], moved["changed_by"]) == ("pagar", "koordinator")
    assert moved["changed_at"] == flow.now.isoformat()
    done = flow.api.post(path, "innbygger", {"status": "utfort"})
    assert (done["status"], done["changed_by"]) == ("utfort", "innbygger")
    flow.api.post(path, "koordinator", {"status": "utfort"}, expect=409)
    flow.api.post(path, "koordinator", {"status": "ferdig"}, expect=422)
    flow.api.post(path, "fagleder", {"status": "apen"}, expect=403)
    flow.api.post(f"/cases/{flow.case_id}/action-items/999999", "koordinator",
                  {"status": "pagar"}, expect=404)

    # A second meeting keeps the status given above and adds its own item.
    flow.meeting("koordinator", "Andre møte.", [
        {"description": "Ny søknad", "owner": "Koordinator", "deadline": deadline.isoformat()}])
    assert [i["status"] for i in plan_of(flow)["action_items"]] == ["utfort", "apen", "apen"]
    assert [i["description"] for i in flow.task("follow_up", "koordinator")
            ["open_action_items"]] == ["Bestille hjelpemidler", "Ny søknad"]

    # Past the deadline the monitor flags the open items, not the done one.
    flow.travel_to(flow.now + timedelta(days=10))
    rows = monitor.stuck_cases(db, get_actor(db, "leder"), flow.now, monitor.MonitorConfig())
    flagged = sorted(r.detail for r in rows
                     if r.reason == "action_item" and r.case_id == flow.case_id)
    assert flagged == ["Bestille hjelpemidler", "Ny søknad"]
    changes = flow.events("action_item_changed")
    assert [(e["actor"], e["data"]["to"]) for e in changes] == [("koordinator", "pagar"),
                                                                ("innbygger", "utfort")]


def test_closing_the_case_closes_its_open_items(flow: Flow) -> None:
    flow.to_follow_up("systemkoordinator", KARI, "helse", "koordinator", citizen="innbygger")
    deadline = (flow.today + timedelta(days=7)).isoformat()
    flow.meeting("koordinator", "Møte.", [
        {"description": "Søke BPA", "owner": "Koordinator", "deadline": deadline},
        {"description": "Ringe NAV", "owner": "Koordinator", "deadline": deadline}])
    items = plan_of(flow)["action_items"]
    flow.api.post(f"/cases/{flow.case_id}/action-items/{items[0]['id']}", "koordinator",
                  {"status": "utfort"})
    flow.message("end_requested", "innbygger", {"what": "both", "reason": "Klarer meg selv."})
    assert flow.status() == "completed"
    after = plan_of(flow)["action_items"]
    assert [(i["status"], i["changed_by"]) for i in after] == [("utfort", "koordinator"),
                                                               ("lukket", "system")]
    [closed] = flow.events("action_items_closed")
    assert closed["data"]["items"] == [items[1]["id"]]
    flow.api.post(f"/cases/{flow.case_id}/action-items/{items[1]['id']}", "koordinator",
                  {"status": "apen"}, expect=409)
    revise(flow, "koordinator", {"plan_goals": "x"}, 0, expect=409)


def test_two_revisions_at_once_one_wins_the_other_gets_409(flow: Flow, db: Database,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    flow.to_follow_up("systemkoordinator", OLA, "helse", "koordinator")
    first_revision(flow)
    barrier = threading.Barrier(2, timeout=20)
    original = plans._check_base

    def check_then_wait(current: Any, base: Any) -> None:
        original(current, base)
        barrier.wait()

    monkeypatch.setattr(plans, "_check_base", check_then_wait)
    actors = [get_actor(db, "koordinator"), get_actor(db, "systemkoordinator")]
    outcomes = run_together(
        lambda: plans.revise_plan(db, flow.case_id, {"plan_goals": "Mål A"}, 1, actors[0]),
        lambda: plans.revise_plan(db, flow.case_id, {"plan_needs": "Behov B"}, 1, actors[1]))
    won = [o for o in outcomes if isinstance(o, dict)]
    lost = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    monkeypatch.undo()
    seen = plan_of(flow)
    assert [r["number"] for r in seen["revisions"]] == [2, 1]
    assert seen["current"]["changed"] == won[0]["revision"]["changed"]
    # Over HTTP the loser's retry with the old base is refused the same way.
    revise(flow, "koordinator", {"plan_cooperation": "x"}, 1, expect=409)
