"""A repeated task opens empty and offers last time's answers to copy (never a yes/no answer,
a date or a consent to share); the panel beside each task is what its form declares in
``x-context``: the evaluation the plan, the meetings and the open items, the plan form the
citizen's own goals, the appointment the citizen's wishes about the coordinator."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import processes
from engine.features import case_queries, form_rules
from engine.features.task_context import Wish
from engine.kernel.db import Database
from engine.runtime.users import get_actor
from tests.support.flows import Flow
from tests.support.people import OLA

GIVEN_BY = [{"name": "Ola Hansen", "relation": "selv"}]


def item(description: str, flow: Flow) -> dict[str, str]:
    return {"description": description, "owner": "Koordinator",
            "deadline": (flow.today + timedelta(days=30)).isoformat()}


def to_second_evaluation(flow: Flow) -> None:
    """Follow-up, a meeting that asks for evaluation, the first evaluation, renewed consent,
    and a second meeting that asks for evaluation again."""
    flow.to_follow_up("koordinator", OLA, "helse", "koordinator")
    flow.meeting("koordinator", "Første møte: fysioterapien er i gang.",
                 [item("Søke om hjelpemidler", flow)], evaluate_now=True)
    first = flow.task("evaluate_plan", "koordinator")
    assert first["prefill"] == {} and first["previous"] is None, "done for the first time"
    flow.complete("evaluate_plan", "koordinator", {
        "evaluation_summary": "Første periode: målene er delvis nådd.", "continue_plan": True})
    flow.consent("koordinator", given_by=GIVEN_BY, bpmn_id="renew_consent")
    flow.wait(days=30)
    flow.meeting("koordinator", "Andre møte: hjelpemidlene er på plass.",
                 [item("Bestille ny time hos fastlegen", flow)], evaluate_now=True)


def detail(db: Database, flow: Flow, bpmn_id: str, user: str) -> Any:
    task_id = flow.task(bpmn_id, user)["id"]
    return case_queries.get_task(db, task_id, get_actor(db, user))


def test_a_repeated_task_opens_empty_and_offers_last_times_answers(flow: Flow) -> None:
    flow.to_follow_up("koordinator", OLA, "helse", "koordinator")
    flow.meeting("koordinator", "Første møte.", [item("Søke om hjelpemidler", flow)])

    meeting = flow.task("follow_up", "koordinator")
    assert meeting["prefill"] == {}
    copied = meeting["previous"]["values"]
    assert copied == {"minutes": "Første møte.",
                      "meeting_participants": ["Innbygger", "Koordinator", "Fastlege"],
                      "action_items": [item("Søke om hjelpemidler", flow)]}, (
        "the meeting's date and its yes/no answer are never copied")
    flow.meeting("koordinator", "Andre møte.", [], evaluate_now=True)
    flow.complete("evaluate_plan", "koordinator", {"evaluation_summary": "Delvis nådd.",
                                                  "continue_plan": True})

    renewal = flow.task("renew_consent", "koordinator")
    assert renewal["prefill"] == {}
    assert renewal["previous"]["values"] == {
        "consent_given_by": [{"name": "Innbyggeren selv", "relation": "selv"}]}, (
        "who consented may be copied; the consent, its date and the sharing never")


def test_the_second_evaluation_offers_the_first_ones_summary_only(flow: Flow) -> None:
    to_second_evaluation(flow)
    second = flow.task("evaluate_plan", "koordinator")
    assert second["prefill"] == {}
    assert second["previous"]["values"] == {
        "evaluation_summary": "Første periode: målene er delvis nådd."}
    assert second["context"] == ["plan", "meetings", "action_items"]


def test_the_evaluation_panel_has_the_plan_the_meetings_and_the_open_items(
        flow: Flow, db: Database) -> None:
    to_second_evaluation(flow)
    task = detail(db, flow, "evaluate_plan", "koordinator")
    assert [s.kind for s in task.context.sections] == ["plan", "meetings", "action_items"]
    assert [m.minutes for m in task.context.meetings] == [
        "Andre møte: hjelpemidlene er på plass.", "Første møte: fysioterapien er i gang."]
    assert task.plan["content"]["plan_goals"] == "Mestre hverdagen hjemme."
    assert [i["description"] for i in task.open_action_items] == [
        "Søke om hjelpemidler", "Bestille ny time hos fastlegen"]


def test_the_plan_form_starts_from_the_citizens_own_goals(flow: Flow, db: Database) -> None:
    flow.to_consent(OLA)
    assert detail(db, flow, "give_consent", "koordinator").context.names() == ["case"], (
        "a form that declares nothing shows the case")
    flow.consent("koordinator")
    flow.describe_goals("koordinator")
    task = detail(db, flow, "establish_plan", "koordinator")
    assert task.context.names() == ["answers:citizen_goals", "case"]
    goals = task.context.answers["citizen_goals"]
    assert goals.values == {
        "citizen_goals": "Bo hjemme og klare hverdagen selv.",
        "citizen_service_wishes": "Fysioterapi og faste tider for hjemmetjenesten."}
    assert goals.form == processes.load_form("citizen_goals"), "titled by the goals' own form"


def test_the_new_coordinators_appointment_shows_the_citizens_wishes(
        flow: Flow, db: Database) -> None:
    flow.to_follow_up("koordinator", OLA, "helse", "koordinator")
    flow.message("coordinator_change", "systemkoordinator",
                 {"reason": "Ønsker en koordinator som kjenner skolen."})
    appointed = next(e for e in flow.events("task_completed")
                     if e["bpmn_id"] == "appoint_coordinator")
    task = detail(db, flow, "appoint_new_coordinator", "fagleder")
    assert task.context.names() == ["coordinator_wishes", "case"]
    assert task.context.coordinator_wishes == (
        Wish("change_request", "Ønsker en koordinator som kjenner skolen.", flow.today.isoformat()),
        Wish("appointment", "Ønsker en fast kontaktperson.", appointed["at"][:10]))


def test_deploy_refuses_an_unknown_panel_section_and_a_copy_mark_that_is_no_yes_or_no() -> None:
    def form(**extra: Any) -> dict[str, Any]:
        return {"title": "Test", "schema": {"type": "object", "properties": {
            "note": {"type": "string", **extra.pop("note", {})}}}, **extra}

    assert form_rules.form_problem(form(**{"x-context": ["plan", "answers:report"]})) is None
    unknown = form_rules.form_problem(form(**{"x-context": ["weather"]}))
    assert unknown is not None and "ukjent del av sidepanelet i x-context: 'weather'" in unknown
    assert form_rules.form_problem(form(**{"x-context": ["answers"]})) is not None
    assert form_rules.form_problem(form(**{"x-context": "plan"})) is not None
    copy_mark = form_rules.form_problem(form(note={"x-copy": "no"}))
    assert copy_mark == "feltet 'note': x-copy må være true eller false"
