"""The coordinator is picked, not typed: a property marked ``"x-source": "coordinators"`` is
offered the coordinators of the case's service area, each with the active cases they
coordinate; a name outside them is refused with the names that may be chosen. The monitor's
reassign offers the people of the task's lane the same way."""

from __future__ import annotations

from engine.features import form_rules, interventions
from engine.kernel.db import Database
from engine.kernel.errors import InvalidData
from engine.runtime.users import get_actor
from tests.support.flows import Flow
from tests.support.people import KARI, OLA, PER


def coordinator_field(flow: Flow) -> dict[str, object]:
    task = flow.task("appoint_coordinator", "fagleder")
    field: dict[str, object] = task["form"]["schema"]["properties"]["coordinator"]
    return field


def test_the_appointment_offers_the_areas_coordinators_with_their_active_cases(
        flow: Flow) -> None:
    for nin in (KARI, OLA):
        flow.report("systemkoordinator", nin)
        flow.approve("oppvekst")
        flow.appoint("koordinator_oppvekst")
    flow.report("systemkoordinator", PER)
    flow.approve("oppvekst")

    field = coordinator_field(flow)
    assert field["enum"] == ["koordinator", "koordinator_oppvekst"]
    assert field["x-enumNames"] == ["Kim Koordinator (0 aktive saker)",
                                    "Ola Oppvekst (2 aktive saker)"]
    assert field["x-translations"]["en"]["x-enumNames"] == [  # type: ignore[index]
        "Kim Koordinator (0 active cases)", "Ola Oppvekst (2 active cases)"]

    flow.appoint("koordinator")
    assert flow.case()["coordinator"] == "koordinator"


def test_a_name_outside_the_choices_is_refused_with_whom_one_may_choose(flow: Flow) -> None:
    flow.report("systemkoordinator", KARI)
    flow.approve("helse")
    assert coordinator_field(flow)["enum"] == ["koordinator"], "oppvekst's coordinator is not"

    for typed in ("koordinator_oppvekst", "kim"):
        refused = flow.complete("appoint_coordinator", "fagleder", {"coordinator": typed},
                                expect=422)
        assert refused["errors"] == {"coordinator": (
            f"«{typed}» kan ikke velges her. Velg en av: Kim Koordinator (0 aktive saker).")}
    assert flow.open_tasks() == ["appoint_coordinator"]


def test_a_form_naming_an_unknown_source_is_refused_at_deploy() -> None:
    form = {"title": "Test", "schema": {"type": "object", "properties": {
        "who": {"type": "string", "x-source": "everyone"}}}}
    problem = form_rules.form_problem(form)
    assert problem is not None and "ukjent x-source ved who: everyone" in problem
    assert "coordinators" in problem
    form["schema"]["properties"]["who"]["x-source"] = "coordinators"  # type: ignore[index]
    assert form_rules.form_problem(form) is None


def test_reassign_offers_the_lanes_people_with_their_cases_and_refuses_others(
        flow: Flow, db: Database) -> None:
    flow.report("systemkoordinator", KARI)
    flow.approve("oppvekst")
    flow.appoint("koordinator_oppvekst")
    flow.report("systemkoordinator", OLA)
    flow.approve("oppvekst")
    task_id = flow.task("appoint_coordinator", "fagleder")["id"]
    leder = get_actor(db, "leder")

    offered = interventions.reassign_candidates(db, task_id, leder)
    assert [(person.full_name, person.active_cases) for person in offered] == [
        ("Frida Oppvekst", 0), ("Frode Fagleder", 0)], "the fageldere of oppvekst, by name"

    try:
        interventions.reassign_task(db, task_id, "koordinator_oppvekst", "Ferie", leder)
    except InvalidData as error:
        message = error.errors["assignee"]
    else:
        raise AssertionError("a coordinator may not appoint coordinators")
    assert message.startswith("Denne personen kan ikke utføre oppgaven. Du kan velge: ")
    assert all(person.full_name in message for person in offered)
