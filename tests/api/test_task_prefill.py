"""What a task's form opens with, through the JSON API: only the fields its form marks
``x-prefill``, never a yes/no answer, so a repeated consent or evaluation opens empty.

The case's data stays readable beside the form (``data``); ``prefill`` is what the form shows.
An answer a repeated form leaves out is not carried over from the last time either.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from engine.features import form_rules
from engine.runtime import forms
from tests.support.clock import at
from tests.support.flows import Flow
from tests.support.people import KARI


def evaluate(flow: Flow, summary: str) -> None:
    flow.complete("evaluate_plan", "koordinator", {"evaluation_summary": summary,
                                                  "continue_plan": True})


def test_a_renewed_consent_and_a_second_evaluation_open_empty(flow: Flow) -> None:
    flow.report("koordinator", KARI, reported_by="innbygger")
    flow.approve("helse")
    flow.appoint("koordinator")
    flow.train()
    flow.summon(flow.now + timedelta(days=7))
    flow.wait(days=7)
    first_consent = flow.task("give_consent", "innbygger")
    assert first_consent["prefill"] == {}
    flow.consent("innbygger")
    flow.describe_goals("innbygger")

    # The plan form is marked x-prefill: it opens with the revision date set at consent.
    plan = flow.task("establish_plan", "koordinator")
    assert plan["prefill"] == {"revision_date": plan["data"]["revision_date"]}
    revision = date.fromisoformat(plan["data"]["revision_date"])
    flow.establish_plan("koordinator", revision)
    plan_fields = flow.task("follow_up", "koordinator")["data"]
    assert plan_fields["plan_goals"] == "Mestre hverdagen hjemme."

    flow.travel_to(at(revision))
    flow.run_worker()
    first_evaluation = flow.task("evaluate_plan", "koordinator")
    assert first_evaluation["prefill"] == {}
    evaluate(flow, "Første periode: målene er delvis nådd.")

    renewal = flow.task("renew_consent", "innbygger")
    assert renewal["data"]["consent_to_plan"] is True, "last period's answer is in the case"
    assert renewal["data"]["sharing_consents"], "and so are last period's sharing consents"
    assert renewal["prefill"] == {}, "but the renewed consent opens empty"

    # Renewed without any sharing: last period's sharing is not recorded for the new one.
    flow.complete("renew_consent", "innbygger", {
        "consent_date": flow.today.isoformat(),
        "consent_given_by": [{"name": "Kari Nordmann", "relation": "selv"}],
        "consent_to_plan": True, "wants_ip": True})
    follow_up = flow.task("follow_up", "koordinator")["data"]
    renewed = follow_up["consents"][-1]
    assert renewed["period"] == "renewal" and renewed["sharing_scopes"] == []
    assert follow_up["sharing_consents"] is None and follow_up["consent_on_paper"] is None
    assert follow_up["plan_goals"] == "Mestre hverdagen hjemme.", "the plan itself is kept"

    second_revision = date.fromisoformat(follow_up["revision_date"])
    assert second_revision > revision
    flow.travel_to(at(second_revision))
    flow.run_worker()
    second_evaluation = flow.task("evaluate_plan", "koordinator")
    assert second_evaluation["data"]["evaluation_summary"].startswith("Første periode")
    assert second_evaluation["prefill"] == {}


def test_prefill_takes_marked_fields_only_and_never_a_yes_or_no() -> None:
    schema = {"type": "object", "properties": {
        "goals": {"type": "string", "x-prefill": True},
        "agreed": {"type": "boolean", "x-prefill": True},
        "note": {"type": "string"}}}
    data = {"goals": "Bo hjemme", "agreed": True, "note": "forrige gang"}
    assert forms.prefill(schema, data) == {"goals": "Bo hjemme"}
    assert forms.answer_fields(schema) == {"agreed", "note"}


def test_an_answer_left_out_is_the_default_or_none_never_last_times() -> None:
    schema = {"type": "object", "properties": {
        "goals": {"type": "string", "x-prefill": True},
        "medium": {"type": "string", "default": "ipflow"},
        "note": {"type": "string"}}}
    assert forms.omitted_answers(schema, {"note": "ny"}) == {"medium": "ipflow"}
    assert forms.omitted_answers(schema, {}) == {"medium": "ipflow", "note": None}


@pytest.mark.parametrize(("prop", "problem"), [
    ({"type": "boolean", "x-prefill": True}, "kan ikke fylles ut på forhånd"),
    ({"type": "boolean", "default": True}, "kan ikke være krysset av på forhånd"),
    ({"type": "string", "x-prefill": "ja"}, "x-prefill må være true eller false"),
])
def test_deploy_refuses_a_form_that_would_pre_tick_an_answer(prop: dict, problem: str) -> None:
    form = {"title": "Samtykke", "schema": {"type": "object", "properties": {"ok": prop}}}
    found = form_rules.form_problem(form)
    assert found is not None and problem in found and "'ok'" in found


def test_shipped_forms_pass_the_prefill_rule_and_consent_prefills_nothing() -> None:
    import processes

    for name in ("consent", "evaluation", "plan", "appeal_reassessment"):
        assert form_rules.form_problem(processes.load_form(name)) is None
    consent = processes.load_form("consent")["schema"]
    assert forms.prefill(consent, {key: "x" for key in consent["properties"]}) == {}
