"""Dates checked against sense through the API: a start-up meeting or a revision date in the
past is refused with the reason and the task stays open; a revision date before the consent is
refused instead of being silently moved a year on."""

from __future__ import annotations

from datetime import timedelta

from tests.support.flows import Flow
from tests.support.people import OLA


def test_a_startup_meeting_in_the_past_is_refused_and_the_task_stays_open(flow: Flow) -> None:
    flow.report("systemkoordinator", OLA)
    flow.approve("helse")
    flow.appoint("koordinator")
    flow.train()
    refused = flow.complete("summon_startup_meeting", "systemkoordinator", {
        "startup_meeting_at": (flow.now - timedelta(days=1)).isoformat(),
        "startup_meeting_place": "Rådhuset"}, expect=422)
    assert "er passert" in refused["errors"]["startup_meeting_at"]
    assert flow.open_tasks() == ["summon_startup_meeting"]
    flow.summon(flow.now + timedelta(days=7))
    assert flow.open_tasks() == ["give_consent"]


def test_a_revision_date_before_the_consent_is_refused_not_replaced(flow: Flow) -> None:
    flow.to_consent(OLA)
    refused = flow.consent("koordinator", revision_date=flow.today, expect=422)
    assert refused["errors"]["revision_date"].startswith(
        "Revisjonsdatoen må være etter datoen for samtykket")
    assert flow.open_tasks() == ["give_consent"]
    chosen = flow.today + timedelta(days=200)
    flow.consent("koordinator", revision_date=chosen)
    kept = flow.task("describe_goals", "koordinator")["data"]["revision_date"]
    assert kept == chosen.isoformat(), "the date given is the date kept"


def test_a_plans_revision_date_in_the_past_is_refused(flow: Flow) -> None:
    flow.to_consent(OLA)
    flow.consent("koordinator")
    flow.describe_goals("koordinator")
    refused = flow.complete("establish_plan", "koordinator", {
        "plan_goals": "Mestre hverdagen.", "plan_resources": "Familien.",
        "plan_needs": "Fysioterapi.", "plan_participants": [{"name": "Fastlege", "role": "lege"}],
        "plan_measures": [{"description": "Fysioterapi", "scope": "ukentlig",
                           "responsible": "Fysioterapeut"}],
        "plan_start": (flow.today - timedelta(days=60)).isoformat(),
        "revision_date": (flow.today - timedelta(days=1)).isoformat()}, expect=422)
    assert "er passert" in refused["errors"]["revision_date"]
    assert flow.open_tasks() == ["establish_plan"]
