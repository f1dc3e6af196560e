"""Appeals (pbrl. §§ 7-2, 7-5, fvl. § 31) and the rights facts: periods, late appeals, grants."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from handlers import appeals, rights
from handlers.registry import HandlerContext
from tests.support.clock import NOW


def test_the_period_ends_at_the_end_of_the_deadline_day_and_a_late_window_follows(
        make_context: Callable[..., HandlerContext]) -> None:
    result = appeals.open_period(make_context(late_window="P1Y"), {"appeal_deadline": "2026-04-03"})
    ends = datetime.fromisoformat(result["appeal_period_ends"])
    assert (ends.date().isoformat(), ends.hour, ends.minute) == ("2026-04-03", 23, 59)
    assert result["late_appeal_until"].startswith("2027-04-03T23:59:59")


def test_without_a_deadline_the_period_runs_four_weeks_from_today(
        make_context: Callable[..., HandlerContext]) -> None:
    result = appeals.open_period(make_context(late_window="P6M"), {})
    assert result["appeal_deadline"] == (NOW.date() + appeals.APPEAL_PERIOD).isoformat()


def test_an_appeal_received_after_the_deadline_is_late_and_kept(context: HandlerContext) -> None:
    data: dict[str, Any] = {"appeal_deadline": "2026-01-10", "refused_parts": ["ip"],
                            "appeal": {"text": "Jeg klager", "received_on": "2026-01-12"}}
    result = appeals.classify(context, data)
    assert result["appeal_late"] is True
    assert result["appeals"] == [{"text": "Jeg klager", "received_on": "2026-01-12",
                                  "late": True, "against": ["ip"],
                                  "subject": "decision"}]
    in_time = appeals.classify(context, {**data, "appeal": {"received_on": "2026-01-10"}})
    assert in_time["appeal_late"] is False


def test_upholding_grants_what_was_refused(context: HandlerContext) -> None:
    result = appeals.grant(context, {"refused_parts": ["ip"], "requests": ["ip", "koordinator"]})
    assert result == {"ip_granted": True, "refused_parts": [], "appeal_granted": True}
    full_refusal = appeals.grant(context, {"requests": ["ip", "koordinator"]})
    assert full_refusal["ip_granted"] and full_refusal["coordinator_granted"]


def test_statsforvalteren_partly_upholds_only_the_parts_named(context: HandlerContext) -> None:
    data = {"refused_parts": ["ip", "barnekoordinator"],
            "appeal_decision": {"outcome": "partly_upheld", "granted": ["barnekoordinator"]}}
    result = appeals.apply_decision(context, data)
    assert result == {"barnekoordinator_granted": True, "refused_parts": ["ip"],
                      "appeal_granted": True}
    rejected = appeals.apply_decision(context, {**data,
                                                "appeal_decision": {"outcome": "rejected"}})
    assert rejected["appeal_granted"] is False
    assert rejected["refused_parts"] == data["refused_parts"]


def test_statsforvalteren_message_needs_outcome_date_and_reference(context: HandlerContext) -> None:
    errors = appeals.appeal_decided_message(context, {"refused_parts": ["ip"], "message": {
        "outcome": "partly_upheld", "decided_on": "i går", "granted": ["koordinator"]}})
    assert set(errors) == {"decided_on", "reference", "granted"}
    assert appeals.appeal_decided_message(context, {"message": {
        "outcome": "upheld", "decided_on": "2026-05-01", "reference": "SF 2026/12"}}) == {}


def test_a_late_appeal_needs_a_decision_on_taking_it_up(context: HandlerContext) -> None:
    errors = appeals.reassessment(context, {"appeal_late": True})
    assert set(errors) == {"late_appeal_taken_up", "late_appeal_reason"}
    not_taken = appeals.reassessment(context, {"appeal_late": True, "late_appeal_taken_up": False,
                                               "late_appeal_reason": "Ingen særlige grunner."})
    assert not_taken == {}
    assert set(appeals.reassessment(context, {"appeal_late": False})) == {"appeal_upheld"}


def test_an_appeal_by_post_cannot_be_received_in_the_future(context: HandlerContext) -> None:
    errors = appeals.appeal_message(context, {"message": {"text": "", "received_on": "2099-01-01"}})
    assert set(errors) == {"text", "received_on"}


def test_an_appeal_received_today_in_norway_is_not_in_the_future_before_midnight_utc(
        make_context: Callable[..., HandlerContext]) -> None:
    """At 23.30 UTC it is already the next day in Oslo: that day is today, not the future."""
    late_evening = make_context(now=datetime.fromisoformat("2026-12-06T23:30:00+00:00"))
    assert late_evening.today.isoformat() == "2026-12-07"
    message = {"text": "Jeg klager.", "received_on": "2026-12-07"}
    assert appeals.appeal_message(late_evening, {"message": message}) == {}
    tomorrow = {**message, "received_on": "2026-12-08"}
    assert set(appeals.appeal_message(late_evening, {"message": tomorrow})) == {"received_on"}


def test_ending_the_ip_keeps_the_coordinator_and_the_plan_needs_one(
        context: HandlerContext) -> None:
    assert rights.end_ip(context, {})["wants_ip"] is False
    active = {"plan_established": True, "message": {"what": "coordinator"}}
    assert "what" in rights.end_requested(context, active)
    assert rights.end_requested(context, {**active, "message": {"what": "ip"}}) == {}
    no_plan = {"plan_established": False, "message": {"what": "ip"}}
    assert "what" in rights.end_requested(context, no_plan)
    assert rights.end_requested(context, {"message": {}}) == {}


def test_an_ip_ended_at_its_revision_date_gets_a_review_date_a_year_on(
        context: HandlerContext) -> None:
    today = context.now.date()
    at_revision = rights.end_ip(context, {"revision_date": today.isoformat()})
    assert at_revision["revision_date"] == today.replace(year=today.year + 1).isoformat()
    later = (today + timedelta(days=90)).isoformat()
    assert "revision_date" not in rights.end_ip(context, {"revision_date": later})


def test_a_paper_plan_is_an_established_plan(context: HandlerContext) -> None:
    result = rights.mark_established(context, {"plan_medium": "paper"})
    assert result["plan_established"] is True and result["plan_medium"] == "paper"


def test_an_appeal_against_closing_the_plan_is_about_the_plan(context: HandlerContext) -> None:
    data: dict[str, Any] = {"appeal_subject": "closing", "refused_parts": ["koordinator"],
                            "requests": ["ip", "koordinator"], "appeal_granted": True,
                            "appeal": {"text": "Jeg vil fortsette med planen."}}
    classified = appeals.classify(context, data)
    assert classified["appeals"][-1]["against"] == ["ip"]
    assert classified["appeals"][-1]["subject"] == "closing"
    assert classified["appeal_granted"] is False  # no earlier appeal's outcome carries over
    granted = appeals.grant(context, {**data, **classified})
    # The plan is granted again; the coordinator refused at the assessment stays refused.
    assert granted == {"ip_granted": True, "refused_parts": ["koordinator"],
                       "appeal_granted": True}


def test_a_reinstated_plan_runs_a_new_period_from_today(context: HandlerContext) -> None:
    result = appeals.reinstate_plan(context, {"continue_plan": False,
                                              "closing_against_wish": True,
                                              "revision_date": "2026-11-01"})
    assert result == {"continue_plan": True, "closing_against_wish": None,
                      "appeal_subject": "decision", "revision_date": "2027-11-26",
                      "plan_reinstated_on": "2026-11-26"}
