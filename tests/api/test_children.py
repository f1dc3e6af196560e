"""Children and young people, and the fødselsnummer, end to end through the JSON API.

Age is a fact of the moment (the engine clock), not of the report: who may consent is decided
when each consent is given. The fødselsnummer is checked against the same clock, typed with or
without spaces, and D-numbers count like fødselsnumre.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.support.clock import at
from tests.support.flows import Flow

D_NUMBER = "52038500023"  # D-nummer: born 12 March 1985 (day raised by 40)
BORN_JUNE_2026 = "01062650075"  # born 1 June 2026, after the scenarios' first day
LINE = "01091050001"  # Line Lie, born 1 September 2010: 15 at the report, 17 two years later
SANDER = "20111550027"  # Sander Lie, born 20 November 2015: 10 at the report, 11 a year later

COORDINATOR = "koordinator_oppvekst"  # the children have no login: the coordinator acts for them
PARENTS = [
    {"name": "Hanne Lie", "parental_responsibility": True, "contact": "hanne@example.no"},
    {"name": "Geir Lie", "nin": "140882 00005", "parental_responsibility": True,
     "contact": "900 00 001"},
    {"name": "Stefan Dahl", "parental_responsibility": False, "contact": "stefan@example.no"},
]
BOTH_PARENTS = [{"name": "Hanne Lie", "relation": "foresatt"},
                {"name": "Geir Lie", "relation": "foresatt"}]
VIEW = "Vil ha fysioterapi etter skoletid og være med på møtene."


def reported(flow: Flow) -> dict[str, object]:
    """The report's data as the first task sees it."""
    return flow.task("assess_report", "systemkoordinator")["data"]


# ------------------------------------------------------------------------ fødselsnummer


def test_a_birth_date_after_today_is_refused_until_it_has_passed(flow: Flow) -> None:
    refused = flow.report("systemkoordinator", BORN_JUNE_2026, citizen_name="Nyfødt Berg",
                          guardians=PARENTS, expect=422)
    assert "frem i tid" in refused["errors"]["citizen_nin"]
    assert flow.api.get("/tasks", "systemkoordinator")["tasks"] == []

    flow.wait(days=92)  # 2 June 2026: the child is born
    flow.report("systemkoordinator", BORN_JUNE_2026, citizen_name="Nyfødt Berg",
                guardians=PARENTS)
    assert reported(flow)["citizen_birth_date"] == "2026-06-01"


def test_spaces_in_the_number_are_removed_before_it_is_stored(flow: Flow) -> None:
    flow.report("systemkoordinator", " 150585 10170 ", citizen_name="Kari Nordmann")
    assert reported(flow)["citizen_nin"] == "15058510170"
    assert flow.case()["citizen_nin"] == "15058510170"
    [started] = flow.events("case_started")
    assert started["data"]["data"]["citizen_nin"] == "15058510170"


def test_a_d_number_is_accepted_with_its_birth_date(flow: Flow) -> None:
    flow.report("systemkoordinator", D_NUMBER, citizen_name="Jonas Kowalski")
    data = reported(flow)
    assert data["citizen_nin"] == D_NUMBER
    assert data["citizen_birth_date"] == "1985-03-12" and data["citizen_under_16"] is False


# ------------------------------------------------------------------------ who consents


def to_first_consent(flow: Flow, nin: str, name: str) -> None:
    """Report (with both parents and a stepfather without parental responsibility), approve,
    appoint and summon, a day apart; the case then waits for the first consent."""
    flow.report("systemkoordinator", nin, citizen_name=name, guardians=PARENTS)
    flow.wait(days=1)
    flow.approve("oppvekst")
    flow.wait(days=1)
    flow.appoint(COORDINATOR, user="fagleder_oppvekst")
    flow.train()
    flow.summon(flow.now + timedelta(days=7))
    flow.wait(days=7)


def to_renewal(flow: Flow, revision: date) -> None:
    """Goals and plan (revision on ``revision``), the revision date passes, the plan is
    evaluated and continued; the case then waits for consent to a new period."""
    flow.describe_goals(COORDINATOR)
    flow.establish_plan(COORDINATOR, revision)
    flow.travel_to(at(revision))
    assert flow.run_worker().cases_fired == 1
    flow.complete("evaluate_plan", COORDINATOR, {
        "evaluation_summary": "Målene er delvis nådd.", "continue_plan": True})
    assert flow.open_tasks() == ["renew_consent"]


def consents(flow: Flow) -> list[dict[str, Any]]:
    return flow.task("follow_up", COORDINATOR)["data"]["consents"]


def test_a_15_year_old_at_the_report_consents_alone_at_renewal_two_years_later(
        flow: Flow) -> None:
    to_first_consent(flow, LINE, "Line Lie")
    assert flow.task("give_consent", COORDINATOR)["data"]["guardians"][1]["nin"] == "14088200005"
    alone = flow.consent(COORDINATOR, given_by=[{"name": "Line Lie", "relation": "selv"}],
                         child_view=VIEW, expect=422)
    assert alone["errors"] == {"consent_given_by": "Barn under 16 år kan ikke samtykke alene. "
                                                   "Samtykke må gis av Hanne Lie og Geir Lie."}
    flow.consent(COORDINATOR, given_by=BOTH_PARENTS, child_view=VIEW)

    to_renewal(flow, date(2028, 3, 1))  # Line is 17
    parents = flow.consent(COORDINATOR, given_by=BOTH_PARENTS, bpmn_id="renew_consent",
                           expect=422)
    assert "Innbyggeren er 17 år og samtykker selv" in parents["errors"]["consent_given_by"]
    flow.consent(COORDINATOR, given_by=[{"name": "Line Lie", "relation": "selv"}],
                 bpmn_id="renew_consent")

    first, renewal = consents(flow)
    assert (first["period"], first["citizen_age"], first["given_by"]) == (
        "first", 15, BOTH_PARENTS)
    assert first["child_view"] == VIEW
    assert (renewal["period"], renewal["citizen_age"], renewal["given_by"]) == (
        "renewal", 17, [{"name": "Line Lie", "relation": "selv"}])


def test_a_10_year_old_needs_both_parents_at_the_report_and_at_renewal(flow: Flow) -> None:
    to_first_consent(flow, SANDER, "Sander Lie")
    one = flow.consent(COORDINATOR, given_by=[BOTH_PARENTS[0],
                                              {"name": "Stefan Dahl", "relation": "foresatt"}],
                       child_view=VIEW, expect=422)
    assert one["errors"]["consent_given_by"].endswith("Mangler samtykke fra: Geir Lie.")
    assert "felles foreldreansvar" in one["errors"]["consent_given_by"]
    unheard = flow.consent(COORDINATOR, given_by=BOTH_PARENTS, expect=422)
    assert list(unheard["errors"]) == ["child_view"]
    flow.consent(COORDINATOR, given_by=BOTH_PARENTS, child_view=VIEW)
    assert flow.open_tasks() == ["describe_goals"]

    to_renewal(flow, date(2027, 3, 1))  # Sander is 11
    alone = flow.consent(COORDINATOR, given_by=[{"name": "Sander Lie", "relation": "selv"}],
                         child_view=VIEW, bpmn_id="renew_consent", expect=422)
    assert "Barn under 16 år kan ikke samtykke alene." in alone["errors"]["consent_given_by"]
    assert flow.open_tasks() == ["renew_consent"]
    flow.consent(COORDINATOR, given_by=BOTH_PARENTS, child_view=VIEW, bpmn_id="renew_consent")
    assert [(c["period"], c["citizen_age"], c["given_by"]) for c in consents(flow)] == [
        ("first", 10, BOTH_PARENTS), ("renewal", 11, BOTH_PARENTS)]


def test_a_child_under_16_is_reported_with_the_guardians(flow: Flow) -> None:
    refused = flow.report("systemkoordinator", SANDER, citizen_name="Sander Lie", expect=422)
    assert "foreldreansvar" in refused["errors"]["guardians"]
    bad_number = [{**PARENTS[0], "nin": "15076500566"}]
    refused = flow.report("systemkoordinator", SANDER, citizen_name="Sander Lie",
                          guardians=bad_number, expect=422)
    assert "kontrollsifferet" in refused["errors"]["guardians.0.nin"]


# ------------------------------------------------------------------------ barnekoordinator


def test_a_barnekoordinator_is_requested_for_a_child_and_follows_the_coordinator_path(
        flow: Flow) -> None:
    adult = flow.report("systemkoordinator", D_NUMBER, citizen_name="Jonas Kowalski",
                        requests=("barnekoordinator",), expect=422)
    assert "§ 2-5 c" in adult["errors"]["requests"]
    flow.report("systemkoordinator", D_NUMBER, citizen_name="Jonas Kowalski",
                requests=("barnekoordinator",), expecting_child=True)
    assert flow.open_tasks() == ["assess_report"]

    flow.report("systemkoordinator", SANDER, citizen_name="Sander Lie", guardians=PARENTS,
                requests=("barnekoordinator",), copy_to_reporter=True)
    assert reported(flow)["copy_to_reporter"] is True
    flow.wait(days=1)
    decision = {"long_term_need": True, "two_or_more_services": True, "citizen_wants": True,
                "approved": True, "service_area": "oppvekst",
                "assessment_reasoning": "Sander har behov for langvarige, sammensatte tjenester."}
    wrong = flow.complete("assess_report", "systemkoordinator",
                          {**decision, "approved_ip": True, "approved_barnekoordinator": True},
                          expect=422)
    assert list(wrong["errors"]) == ["approved_ip"]
    flow.complete("assess_report", "systemkoordinator",
                  {**decision, "approved_barnekoordinator": True})
    assert flow.open_tasks() == ["appoint_coordinator"]
    flow.appoint(COORDINATOR, user="fagleder_oppvekst")
    [completed] = [e for e in flow.events("task_completed") if e["bpmn_id"] == "assess_report"]
    assert completed["data"]["data"]["approved_barnekoordinator"] is True
