"""The rights procedure end to end, through the JSON API: consent gates the plan, appeals always
have a way on, and legal events are accepted whenever they make sense (issue 8, sections 2-4).

Each test follows one case on a frozen engine clock, on SQLite or PostgreSQL as the suite runs.
docs/procedure.md names the rule, its legal source and the test here that proves it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from tests.support.clock import at
from tests.support.flows import Flow
from tests.support.people import KARI, OLA, PER

NO_PLAN_CONSENT = "Samtykker ikke til individuell plan"
NO_RENEWAL_CONSENT = "Individuell plan avsluttet ved revisjonsdato uten nytt samtykke"
IP_ENDED_BY_CITIZEN = "Individuell plan avsluttet etter ønske fra innbyggeren"
PLAN_STEPS = {"describe_goals", "establish_plan", "register_paper_plan"}


def letters_from(flow: Flow, bpmn_id: str) -> list[dict]:
    return [d for d in flow.documents("letter") if d["bpmn_id"] == bpmn_id]


# ------------------------------------------------------------------------ consent gates the plan


def test_no_plan_without_consent_and_the_coordinator_goes_on(flow: Flow) -> None:
    flow.to_consent(OLA)
    appointed = flow.kpr_periods("koordinator")
    flow.consent("koordinator", wants_ip=True, consent_to_plan=False)

    assert flow.open_tasks() == ["follow_up"]
    assert not PLAN_STEPS & set(flow.all_tasks())
    [note] = flow.journal(NO_PLAN_CONSENT)
    assert note["bpmn_id"] == "journal_declined_plan"
    assert letters_from(flow, "send_declined_plan_letter")
    assert flow.kpr_periods("individuell_plan") == []
    assert flow.kpr_periods("koordinator") == appointed  # still open
    assert flow.status() == "active"


def test_no_plan_consent_closes_the_case_without_a_coordinator_right(flow: Flow) -> None:
    flow.to_consent(OLA, requests=("ip",))
    flow.consent("koordinator", wants_ip=True, consent_to_plan=False)

    assert flow.status() == "completed"
    assert not PLAN_STEPS & set(flow.all_tasks())
    assert flow.journal(NO_PLAN_CONSENT) and letters_from(flow, "send_declined_plan_letter")
    assert all(to == flow.today.isoformat() for _, to in flow.kpr_periods("koordinator"))


def test_a_plan_on_paper_is_an_individual_plan_in_kpr(flow: Flow) -> None:
    flow.to_consent(OLA)
    flow.consent("koordinator", plan_medium="paper")
    flow.describe_goals("koordinator")
    assert flow.open_tasks() == ["register_paper_plan"]
    flow.complete("register_paper_plan", "koordinator", {
        "paper_plan_location": "Arkivert i pasientjournalen", "plan_start": flow.today.isoformat(),
        "revision_date": (flow.today + timedelta(days=180)).isoformat()})

    assert flow.open_tasks() == ["follow_up"]
    assert "establish_plan" not in flow.all_tasks()
    assert flow.kpr_periods("individuell_plan") == [(flow.today.isoformat(), "")]
    data = flow.task("follow_up", "koordinator")["data"]
    assert (data["plan_established"], data["plan_medium"]) == (True, "paper")
    assert flow.journal(NO_PLAN_CONSENT) == []
    assert flow.journal("Ønsker ikke individuell plan") == []


def _to_renewal(flow: Flow) -> None:
    flow.to_follow_up("systemkoordinator", OLA, "helse", "koordinator")
    revision = date.fromisoformat(flow.task("follow_up", "koordinator")["data"]["revision_date"])
    flow.travel_to(at(revision))
    assert flow.run_worker().cases_fired == 1
    flow.complete("evaluate_plan", "koordinator", {
        "evaluation_summary": "Målene er delvis nådd.", "continue_plan": True})
    assert flow.open_tasks() == ["renew_consent"]


def test_renewal_without_consent_ends_the_ip_and_the_coordinator_may_go_on(flow: Flow) -> None:
    _to_renewal(flow)
    flow.consent("koordinator", bpmn_id="renew_consent", consent_to_plan=False,
                 wants_coordinator=True)

    assert flow.open_tasks() == ["follow_up"]
    [note] = flow.journal(NO_RENEWAL_CONSENT)
    assert note["bpmn_id"] == "journal_no_renewal_consent"
    assert letters_from(flow, "send_ip_ended_letter")
    assert [to for _, to in flow.kpr_periods("individuell_plan")] == [flow.today.isoformat()]
    assert [to for _, to in flow.kpr_periods("koordinator")] == [""]
    # No new plan period: the follow-up is the coordinator's only.
    data = flow.task("follow_up", "koordinator")["data"]
    assert data["ip_ended_on"] == flow.today.isoformat() and data["consent_to_plan"] is False
    flow.meeting("koordinator", "Oppfølging uten plan.", [])
    assert flow.open_tasks() == ["follow_up"]
    assert flow.all_tasks().count("establish_plan") == 1


def test_renewal_with_consent_starts_a_new_period_kept_as_a_plan_revision(flow: Flow) -> None:
    _to_renewal(flow)
    first_period = flow.api.get(f"/cases/{flow.case_id}/plan", "koordinator")["current"]
    flow.consent("koordinator", bpmn_id="renew_consent")
    assert flow.open_tasks() == ["follow_up"]
    plan = flow.api.get(f"/cases/{flow.case_id}/plan", "koordinator")
    renewed = plan["current"]
    assert [r["number"] for r in plan["revisions"]] == [2, 1]
    assert (renewed["source"], renewed["at"]) == ("task", flow.now.isoformat())
    assert "revision_date" in renewed["changed"]
    assert renewed["content"]["revision_date"] > first_period["content"]["revision_date"]
    assert renewed["content"]["plan_goals"] == first_period["content"]["plan_goals"]


def test_renewal_without_consent_closes_when_no_coordinator_is_wanted(flow: Flow) -> None:
    _to_renewal(flow)
    flow.consent("koordinator", bpmn_id="renew_consent", consent_to_plan=False,
                 wants_coordinator=False)
    assert flow.status() == "completed"
    assert flow.journal(NO_RENEWAL_CONSENT)
    assert all(row["sluttdato"] == flow.today.isoformat() for row in flow.kpr())


# ------------------------------------------------------------------------ appeals


def test_partial_refusal_is_appealed_and_upheld_while_the_coordinator_is_appointed(
        flow: Flow) -> None:
    flow.report("systemkoordinator", OLA)
    flow.wait(days=1)
    flow.approve("helse", approved_ip=False)
    # The coordinator is granted and appointed; the refused plan waits for an appeal.
    assert flow.open_tasks() == ["appoint_coordinator"]
    data = flow.task("appoint_coordinator", "fagleder")["data"]
    assert (data["ip_granted"], data["coordinator_granted"], data["refused_parts"]) == (
        False, True, ["ip"])

    flow.wait(days=10)
    flow.appeal("Jeg trenger en individuell plan.")
    assert sorted(flow.open_tasks()) == ["appoint_coordinator", "reassess_appeal"]
    reassessment = flow.inbox("systemkoordinator")["reassess_appeal"]
    assert datetime.fromisoformat(reassessment["due_at"]) == flow.now + timedelta(days=21)
    flow.reassess(upheld=True)
    assert letters_from(flow, "send_decision_after_appeal")
    assert flow.open_tasks() == ["appoint_coordinator"]

    # The upheld part proceeds: after appointment and consent, the plan is written.
    flow.appoint("koordinator")
    flow.train()
    flow.summon(flow.now + timedelta(days=7))
    flow.wait(days=7)
    flow.consent("koordinator")
    assert flow.open_tasks() == ["describe_goals"]
    assert flow.task("describe_goals", "koordinator")["data"]["ip_granted"] is True


def test_a_late_appeal_reopens_the_closed_case(flow: Flow) -> None:
    flow.report("systemkoordinator", PER)
    flow.refuse("Behovet er ikke langvarig.")
    flow.wait(days=29)
    flow.run_worker()
    assert flow.status() == "closed"

    flow.wait(days=60)
    received = flow.today - timedelta(days=2)
    flow.appeal("Jeg så ikke brevet før nå.", received_on=received)
    assert flow.status() == "active" and flow.case()["closed_at"] is None
    reassessment = flow.task("reassess_appeal", "systemkoordinator")
    assert reassessment["data"]["appeal_late"] is True
    assert reassessment["data"]["appeals"][-1]["received_on"] == received.isoformat()

    refused = flow.reassess(upheld=True, expect=422)
    assert "late_appeal_taken_up" in refused["errors"] and "late_appeal_reason" in refused["errors"]
    flow.reassess(upheld=True, late_appeal_taken_up=True,
                  late_appeal_reason="Brevet ble sendt til feil adresse.")
    assert flow.open_tasks() == ["appoint_coordinator"]


def test_a_late_appeal_not_taken_up_is_answered_and_the_case_completes(flow: Flow) -> None:
    flow.report("systemkoordinator", PER)
    flow.refuse("Behovet er ikke langvarig.")
    flow.wait(days=29)
    flow.run_worker()
    flow.wait(days=200)
    flow.appeal("Jeg klager likevel.")
    flow.reassess(upheld=None, late_appeal_taken_up=False,
                  late_appeal_reason="Klagen kom et halvt år for sent uten grunn.")
    assert flow.status() == "completed"
    [letter] = letters_from(flow, "reject_late_appeal")
    assert "et halvt år for sent" in letter["body"]


def _forwarded(flow: Flow) -> None:
    flow.report("systemkoordinator", PER)
    flow.refuse("Behovet er ikke langvarig.")
    flow.wait(days=7)
    flow.appeal("Jeg er uenig.")
    flow.reassess(upheld=False)
    assert flow.open_tasks() == [] and flow.status() == "active"
    assert flow.journal("Klage oversendt Statsforvalteren")


def test_statsforvalteren_upholds_the_appeal_after_it_is_forwarded(flow: Flow) -> None:
    _forwarded(flow)
    flow.wait(days=90)
    bad = flow.message("appeal_decided", "systemkoordinator", {"outcome": "kanskje"},
                       expect=422)
    assert {"outcome", "decided_on", "reference"} <= set(bad["errors"])
    flow.message("appeal_decided", "systemkoordinator", {
        "outcome": "upheld", "decided_on": flow.today.isoformat(), "reference": "SF 2026/42"})
    assert letters_from(flow, "send_appeal_decided")
    assert flow.open_tasks() == ["appoint_coordinator"]


def test_statsforvalteren_rejects_the_appeal_and_the_case_closes(flow: Flow) -> None:
    _forwarded(flow)
    flow.message("appeal_decided", "systemkoordinator", {
        "outcome": "rejected", "decided_on": flow.today.isoformat(), "reference": "SF 2026/43"})
    assert flow.status() == "completed"
    assert letters_from(flow, "send_appeal_decided")


def _closed_against_wish(flow: Flow) -> None:
    """An evaluation ends the plan although the citizen wants to go on."""
    flow.to_follow_up("systemkoordinator", OLA, "helse", "koordinator")
    revision = date.fromisoformat(flow.task("follow_up", "koordinator")["data"]["revision_date"])
    flow.travel_to(at(revision))
    flow.run_worker()
    unanswered = flow.complete("evaluate_plan", "koordinator", {
        "evaluation_summary": "Tjenestene er godt samordnet uten plan.",
        "continue_plan": False}, expect=422)
    assert "closing_against_wish" in unanswered["errors"]
    flow.complete("evaluate_plan", "koordinator", {
        "evaluation_summary": "Tjenestene er godt samordnet uten plan.",
        "continue_plan": False, "closing_against_wish": True})


def test_closing_against_the_wish_is_a_decision_that_can_be_appealed_and_reinstated(
        flow: Flow) -> None:
    _closed_against_wish(flow)
    [letter] = letters_from(flow, "send_closing_letter_after_evaluation")
    assert "Avgjørelse om å avslutte individuell plan" in letter["title"]
    assert "klage" in letter["body"].lower()
    # The closing takes effect (KPR ends), and the case waits for an appeal.
    assert [to for _, to in flow.kpr_periods("individuell_plan")] == [flow.today.isoformat()]
    assert flow.open_tasks() == [] and flow.status() == "active"

    flow.wait(days=14)
    flow.appeal("Jeg vil fortsette med planen.")
    reassessment = flow.task("reassess_appeal", "systemkoordinator")["data"]
    assert reassessment["appeals"][-1]["subject"] == "closing"
    assert reassessment["appeals"][-1]["against"] == ["ip"]
    flow.reassess(upheld=True)  # the service area, prefilled on the page, stays "helse"
    assert letters_from(flow, "send_decision_after_appeal")
    assert flow.journal("Individuell plan gjenopptatt etter klage på avslutningen")
    # The plan goes on for a new period with the same coordinator, and KPR starts again.
    assert flow.open_tasks() == ["follow_up"]
    data = flow.task("follow_up", "koordinator")["data"]
    assert data["revision_date"] == date(flow.today.year + 1, flow.today.month,
                                         flow.today.day).isoformat()
    assert data["coordinator"] == "koordinator" and data["continue_plan"] is True
    assert [to for _, to in flow.kpr_periods("individuell_plan")][-1] == ""
    assert [to for _, to in flow.kpr_periods("koordinator")][-1] == ""


def test_closing_against_the_wish_stands_when_statsforvalteren_rejects_the_appeal(
        flow: Flow) -> None:
    _closed_against_wish(flow)
    flow.wait(days=7)
    flow.appeal("Jeg er uenig i at planen avsluttes.")
    flow.reassess(upheld=False)
    assert flow.journal("Klage oversendt Statsforvalteren") and flow.status() == "active"
    flow.message("appeal_decided", "systemkoordinator", {
        "outcome": "rejected", "decided_on": flow.today.isoformat(), "reference": "SF 2027/7"})
    assert letters_from(flow, "send_appeal_decided")
    assert flow.status() == "completed"
    assert not flow.journal("Individuell plan gjenopptatt etter klage på avslutningen")


def test_closing_against_the_wish_without_appeal_ends_when_the_late_window_ends(
        flow: Flow) -> None:
    _closed_against_wish(flow)
    flow.wait(days=29)
    flow.run_worker()
    assert flow.status() == "closed"  # only a late appeal (fvl. § 31) could reopen it
    flow.wait(days=366)
    flow.run_worker()
    assert flow.status() == "completed"
    assert all(to for _, to in flow.kpr_periods("individuell_plan"))


def test_closing_by_agreement_carries_no_appeal(flow: Flow) -> None:
    flow.to_follow_up("systemkoordinator", OLA, "helse", "koordinator")
    revision = date.fromisoformat(flow.task("follow_up", "koordinator")["data"]["revision_date"])
    flow.travel_to(at(revision))
    flow.run_worker()
    flow.complete("evaluate_plan", "koordinator", {
        "evaluation_summary": "Målene er nådd.", "continue_plan": False,
        "closing_against_wish": False})
    assert flow.status() == "completed"
    [letter] = letters_from(flow, "send_closing_letter_after_evaluation")
    assert "Avgjørelse" not in letter["title"]
    late = flow.message("end_requested", "koordinator", {"what": "both"}, expect=409)
    assert late["error"] == "Saken er avsluttet og tar ikke lenger imot meldingen 'end_requested'."


# ------------------------------------------------------------------------ legal events at any time


def test_coordinator_change_while_consent_is_awaited(flow: Flow) -> None:
    flow.report("systemkoordinator", OLA)
    early = flow.message("coordinator_change", "systemkoordinator", {"reason": "For tidlig."},
                         expect=409)
    # Refused with where the case stands, so the caseworker sees why.
    assert early["error"] == ("Saken tar ikke imot meldingen 'coordinator_change' der den står "
                              "nå («Vurder og avgjør»).")
    flow.wait(days=1)
    flow.approve("oppvekst")
    flow.appoint("koordinator", user="fagleder_oppvekst")
    flow.train()
    flow.summon(flow.now + timedelta(days=7))
    assert flow.open_tasks() == ["give_consent"]

    flow.message("coordinator_change", "koordinator", {"reason": "Slutter i stillingen."})
    assert sorted(flow.open_tasks()) == ["appoint_new_coordinator", "give_consent"]
    flow.appoint("koordinator_oppvekst", user="fagleder_oppvekst",
                 bpmn_id="appoint_new_coordinator")
    assert flow.open_tasks() == ["give_consent"]
    assert flow.inbox("koordinator_oppvekst")["give_consent"]["assignee"] == (
        "koordinator_oppvekst")
    assert flow.journal("Bytte av koordinator")
    assert letters_from(flow, "send_coordinator_changed_letter")
    flow.consent("koordinator_oppvekst")
    assert flow.task("describe_goals", "koordinator_oppvekst")["data"]["coordinator"] == (
        "koordinator_oppvekst")


def test_ending_the_ip_keeps_the_coordinator_and_ending_both_closes(flow: Flow) -> None:
    flow.to_follow_up("systemkoordinator", KARI, "helse", "koordinator", citizen="innbygger")
    flow.wait(days=30)
    flow.message("end_requested", "innbygger", {"what": "ip", "reason": "Trenger ikke plan."})

    assert flow.open_tasks() == ["follow_up"]
    assert flow.journal(IP_ENDED_BY_CITIZEN)
    assert [to for _, to in flow.kpr_periods("individuell_plan")] == [flow.today.isoformat()]
    assert [to for _, to in flow.kpr_periods("koordinator")] == [""]
    only_ip = flow.message("end_requested", "innbygger", {"what": "ip"}, expect=422)
    assert "ingen individuell plan" in only_ip["errors"]["what"]

    flow.wait(days=30)
    flow.message("end_requested", "innbygger", {"what": "both", "reason": "Klarer meg selv."})
    assert flow.status() == "completed"
    assert all(to == flow.today.isoformat() for _, to in flow.kpr_periods("koordinator"))


def test_the_citizen_may_end_while_consent_is_awaited(flow: Flow) -> None:
    flow.to_consent(OLA)
    flow.message("end_requested", "koordinator", {"what": "both", "reason": "Flytter."})
    assert flow.status() == "completed" and flow.open_tasks() == []


def test_an_early_evaluation_can_be_asked_for(flow: Flow) -> None:
    flow.to_follow_up("systemkoordinator", KARI, "helse", "koordinator", citizen="innbygger")
    flow.wait(days=40)
    flow.message("evaluation_requested", "innbygger", {"reason": "Planen passer ikke lenger."})
    assert flow.open_tasks() == ["evaluate_plan"]


def test_the_coordinator_may_evaluate_now_from_a_meeting(flow: Flow) -> None:
    flow.to_follow_up("systemkoordinator", OLA, "helse", "koordinator")
    flow.wait(days=40)
    flow.meeting("koordinator", "Målene er nådd tidlig.", [], evaluate_now=True)
    assert flow.open_tasks() == ["evaluate_plan"]
