"""End-to-end scenarios of the IP procedure, through the JSON API (and the worker for time).

One test per seed scenario. Each follows one case step by step on a frozen engine clock and
checks what people and registers see: whose inbox a task lands in, the case status, the event
history (who did what), letters and journal notes in the archive, KPR periods and the outbox.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from engine.kernel.db import Database
from engine.kernel.models import Event
from engine.kernel.vocabulary import EventKind
from tests.support.clock import T0, at
from tests.support.flows import Flow
from tests.support.people import EMMA, KARI, OLA, PER

# Titles the handlers give letters and journal notes (handlers/letters.py, handlers/journal.py).
DECISION = "Avgjørelse om individuell plan og koordinator"
REFUSAL = "Avslag på individuell plan og koordinator"
INTERIM_REPLY = "Foreløpig svar på melding om behov for individuell plan og koordinator"
APPEAL_UPHELD = "Ny avgjørelse etter klage – individuell plan og koordinator"
SUMMONS = "Innkalling til oppstartsmøte – individuell plan og koordinator"
NO_APPEAL = "Klagefristen er ute uten at klage er mottatt"
DECLINED_PLAN = "Ønsker ikke individuell plan"
PLAN_CLOSED = "Individuell plan er avsluttet"
ENDED_BY_CITIZEN = "IP/koordinator avsluttet etter ønske fra tjenestemottaker"
COORDINATOR_CHANGED = "Bytte av koordinator"


@pytest.fixture()
def flow(flow: Flow, db: Database) -> Iterator[Flow]:
    """The API tests' driver; afterwards, every kind of event the scenario made the engine
    write is a named EventKind."""
    yield flow
    with db.reading() as session:
        written = set(session.scalars(select(Event.kind)))
    assert written and written <= set(EventKind)


def due_at(task: dict) -> datetime:
    return datetime.fromisoformat(task["due_at"])


# ------------------------------------------------------------------------------------------ 1


def test_report_from_next_of_kin_runs_through_two_plan_periods_to_closing(flow: Flow) -> None:
    # A relative reports; the koordinerende enhet registers the report.
    flow.report("systemkoordinator", KARI, reported_by="parorende")
    case = flow.case()
    assert case["status"] == "active"
    assert (case["citizen_name"], case["citizen_nin"]) == ("Kari Nordmann", KARI)
    assessment = flow.inbox("systemkoordinator")["assess_report"]
    assert assessment["role"] == "systemkoordinator"
    assert due_at(assessment) == T0 + timedelta(days=30)
    assert flow.inbox("fagleder") == {} and flow.inbox("innbygger") == {}
    derived = flow.task("assess_report", "systemkoordinator")["data"]
    assert derived["citizen_birth_date"] == "1985-05-15"
    assert derived["citizen_under_16"] is False

    # Approved in helse: decision letter to the citizen; no copy to the relative who reported,
    # since the report does not record the citizen's consent to that (copy_to_reporter).
    flow.wait(days=3)
    flow.approve("helse")
    decisions = flow.letters(DECISION)
    assert [d["recipients"] for d in decisions] == [["Kari Nordmann"]]  # one letter
    assert "Du får individuell plan" in decisions[0]["body"]
    assert "Du får en koordinator" in decisions[0]["body"]
    assert "tjenesteområdet helse" in decisions[0]["body"]
    assert flow.case()["service_area"] == "helse"
    appointment = flow.inbox("fagleder")["appoint_coordinator"]
    assert due_at(appointment) == flow.now + timedelta(days=14)
    assert flow.inbox("fagleder_oppvekst") == {}  # not the fagleder of another area

    # Appointed: the case has its coordinator, KPR has a coordinator period, the unit is told.
    flow.wait(days=2)
    appointed_on = flow.today
    flow.appoint("koordinator")
    assert flow.case()["coordinator"] == "koordinator"
    assert flow.kpr_periods("koordinator") == [(appointed_on.isoformat(), "")]
    assert flow.kpr_periods("individuell_plan") == []
    assert ("systemkoordinator", "Koordinator oppnevnt") in flow.notifications()
    flow.train()

    # Summons to the start-up meeting for the citizen and the coordinator.
    summon = flow.inbox("systemkoordinator")["summon_startup_meeting"]
    assert due_at(summon) == flow.now + timedelta(days=30)
    meeting_at = datetime(2026, 3, 23, 10, 0, tzinfo=UTC)
    flow.summon(meeting_at, "Rådhuset, møterom 2")
    summonses = flow.letters(SUMMONS)
    assert [s["recipients"] for s in summonses] == [
        ["Kari Nordmann", "Kim Koordinator (koordinator), kopi"]]
    assert "Rådhuset, møterom 2" in summonses[0]["body"]
    assert "mandag 23. mars 2026 kl. 11.00" in summonses[0]["body"]  # Oslo time
    assert "Koordinator: Kim Koordinator" in summonses[0]["body"]

    # The citizen has a login: the consent is hers to give, not the coordinator's.
    consent = flow.inbox("innbygger")["give_consent"]
    assert consent["assignee"] == "innbygger" and consent["on_behalf_of"] is None
    assert "give_consent" not in flow.inbox("koordinator")
    flow.travel_to(meeting_at)
    flow.consent("innbygger", wants_ip=True)
    # The citizen describes her own goals and wishes before the coordinator writes the plan.
    goals = flow.inbox("innbygger")["describe_goals"]
    assert goals["assignee"] == "innbygger" and "describe_goals" not in flow.inbox("koordinator")
    flow.describe_goals("innbygger")
    plan = flow.task("establish_plan", "koordinator")
    assert plan["data"]["citizen_goals"] == "Bo hjemme og klare hverdagen selv."
    assert plan["assignee"] == "koordinator"
    assert plan["data"]["revision_date"] == "2027-03-23"  # default: 12 months after consent
    assert [c["period"] for c in plan["data"]["consents"]] == ["first"]
    assert plan["data"]["consents"][0]["date"] == "2026-03-23"

    # The plan is established with its own revision date; KPR gets an IP period.
    first_revision = date(2026, 9, 21)
    flow.establish_plan("koordinator", first_revision)
    assert flow.kpr_periods("individuell_plan") == [("2026-03-23", "")]
    assert flow.inbox("koordinator")["follow_up"]["assignee"] == "koordinator"

    # Two follow-up meetings; the minutes accumulate in ``meetings``, the form starts blank.
    flow.travel_to(datetime(2026, 4, 20, 9, tzinfo=UTC))
    first_items = [{"description": "Søke om omsorgsstønad", "owner": "Kim Koordinator",
                    "deadline": "2026-05-15", "status": "apen"}]
    flow.meeting("koordinator", "Oppstart av planen. Fysioterapi er i gang.", first_items)
    follow_up = flow.task("follow_up", "koordinator")
    assert [m["minutes"] for m in follow_up["data"]["meetings"]] == [
        "Oppstart av planen. Fysioterapi er i gang."]
    assert follow_up["data"]["minutes"] == "" and follow_up["data"]["action_items"] == []

    flow.travel_to(datetime(2026, 6, 15, 9, tzinfo=UTC))
    no_owner = flow.complete("follow_up", "koordinator", {
        "meeting_date": flow.today.isoformat(), "minutes": "Uten ansvarlig",
        "action_items": [{"description": "Bestille hjelpemidler", "deadline": "2026-07-01"}]},
        expect=422)
    assert "mangler ansvarlig" in no_owner["errors"]["action_items"]
    second_items = [
        {"description": "Bestille hjelpemidler", "owner": "Ergoterapeut",
         "deadline": "2026-07-01", "status": "pagar"},
        {"description": "Avklare avlastning", "owner": "Kim Koordinator",
         "deadline": "2026-08-01", "status": "apen"}]
    flow.meeting("koordinator", "Hjelpemidler og avlastning drøftet.", second_items)
    meetings = flow.task("follow_up", "koordinator")["data"]["meetings"]
    assert [m["meeting_date"] for m in meetings] == ["2026-04-20", "2026-06-15"]
    assert [m["action_items"] for m in meetings] == [first_items, second_items]

    # The revision date passes: the worker fires on that date, not before.
    flow.travel_to(datetime(2026, 9, 20, 9, tzinfo=UTC))
    assert flow.run_worker().cases_fired == 0
    assert flow.open_tasks() == ["follow_up"]
    flow.travel_to(at(first_revision))
    assert flow.run_worker().cases_fired == 1
    assert flow.open_tasks() == ["evaluate_plan"]
    assert [e["bpmn_id"] for e in flow.events("timer_fired")] == ["revision_date_reached"]
    assert flow.inbox("koordinator")["evaluate_plan"]["assignee"] == "koordinator"

    # Continue: the citizen consents to a new period with a new revision date.
    flow.complete("evaluate_plan", "koordinator", {
        "evaluation_summary": "Målene er delvis nådd.", "continue_plan": True})
    renewal = flow.inbox("innbygger")["renew_consent"]
    assert renewal["assignee"] == "innbygger" and renewal["on_behalf_of"] is None
    second_revision = date(2027, 9, 21)
    flow.consent("innbygger", revision_date=second_revision, bpmn_id="renew_consent")
    follow_up = flow.task("follow_up", "koordinator")
    assert follow_up["data"]["revision_date"] == second_revision.isoformat()
    assert [c["period"] for c in follow_up["data"]["consents"]] == ["first", "renewal"]
    assert len(follow_up["data"]["meetings"]) == 2

    # The first revision date does not fire again; the second one does, when it comes.
    flow.wait(days=1)
    assert flow.run_worker().cases_fired == 0
    flow.travel_to(datetime(2027, 9, 20, 9, tzinfo=UTC))
    assert flow.run_worker().cases_fired == 0
    assert flow.open_tasks() == ["follow_up"]
    flow.travel_to(at(second_revision))
    assert flow.run_worker().cases_fired == 1
    assert flow.open_tasks() == ["evaluate_plan"]

    # Close: journal note, KPR periods ended today, the unit is told, the case is completed.
    flow.complete("evaluate_plan", "koordinator", {
        "evaluation_summary": "Målene er nådd. Planen avsluttes.", "continue_plan": False,
        "closing_against_wish": False})
    case = flow.case()
    assert case["status"] == "completed" and case["closed_at"] == flow.now.isoformat()
    assert flow.open_tasks() == []
    assert flow.inbox("koordinator") == {} and flow.inbox("innbygger") == {}
    closed = flow.journal(PLAN_CLOSED)
    assert len(closed) == 1 and closed[0]["bpmn_id"] == "journal_plan_closed"
    assert "Målene er nådd. Planen avsluttes." in closed[0]["body"]
    assert flow.kpr_periods("individuell_plan") == [("2026-03-23", "2027-09-21")]
    assert flow.kpr_periods("koordinator") == [(appointed_on.isoformat(), "2027-09-21")]
    assert ("systemkoordinator", "IP/koordinator avsluttet") in flow.notifications()

    assert flow.completed_by() == [
        ("assess_report", "systemkoordinator"), ("appoint_coordinator", "fagleder"),
        ("ensure_training", "systemkoordinator"), ("summon_startup_meeting", "systemkoordinator"),
        ("give_consent", "innbygger"), ("describe_goals", "innbygger"),
        ("establish_plan", "koordinator"),
        ("follow_up", "koordinator"), ("follow_up", "koordinator"),
        ("evaluate_plan", "koordinator"), ("renew_consent", "innbygger"),
        ("evaluate_plan", "koordinator")]
    assert [e["actor"] for e in flow.events("case_started")] == ["systemkoordinator"]

    # The worker has delivered every letter and notification.
    flow.run_worker()
    assert all(row.delivered_at for row in flow.outbox("letter") + flow.outbox("notification"))
    delivered = "\n".join(p.read_text(encoding="utf-8") for p in flow.outbox_dir.iterdir())
    assert f"Emne: {SUMMONS}" in delivered and "Til: Kim Koordinator" in delivered


# ------------------------------------------------------------------------------------------ 2


def test_refusal_is_appealed_and_the_appeal_upheld(flow: Flow) -> None:
    flow.report("koordinator", OLA, reported_by="kommunal_tjenesteyter")
    flow.wait(days=2)
    refused_on = flow.today

    # A refusal must give reasons.
    unreasoned = flow.complete("assess_report", "systemkoordinator", {
        "long_term_need": False, "two_or_more_services": True, "citizen_wants": True,
        "approved": False}, expect=422)
    assert "assessment_reasoning" in unreasoned["errors"]
    assert flow.open_tasks() == ["assess_report"] and flow.documents() == []

    flow.refuse("Behovet for tjenester er kortvarig etter operasjonen.")
    refusals = flow.letters(REFUSAL)
    assert [r["recipients"] for r in refusals] == [["Ola Hansen"]]  # no relative reported
    body = refusals[0]["body"]
    assert "Behovet for tjenester er kortvarig etter operasjonen." in body
    assert "behovet for tjenester er ikke langvarig" in body
    assert "pasient- og brukerrettighetsloven § 7-2" in body
    assert "§ 7-5" in body and "fire uker" in body
    deadline = refused_on + timedelta(weeks=4)
    assert deadline == date(2026, 4, 1)
    assert "siste dag for å klage 1. april 2026" in body
    assert "Saksbehandler: Siri Systemkoordinator, telefon" in body  # who refused signs
    assert "Unntatt offentlighet, jf. offl. § 13 og fvl. § 13" in body
    assert flow.status() == "active" and flow.open_tasks() == []

    # The appeal arrives within the period and is registered by the koordinerende enhet.
    flow.wait(days=20)
    flow.message("appeal_received", "systemkoordinator",
                 {"text": "Jeg trenger hjelp i lang tid fremover og klager på avslaget."})
    [received] = flow.events("message_received")
    assert received["actor"] == "systemkoordinator"
    assert received["data"]["message"] == "appeal_received"
    reassessment = flow.task("reassess_appeal", "systemkoordinator")
    appeal = reassessment["data"]["appeal"]
    assert appeal["text"] == "Jeg trenger hjelp i lang tid fremover og klager på avslaget."
    assert appeal["received_at"] == flow.now.isoformat()
    assert appeal["sent_by"] == "systemkoordinator"
    assert flow.inbox("fagleder") == {}

    # Upholding the appeal needs the service area the coordinator comes from.
    no_area = flow.complete("reassess_appeal", "systemkoordinator", {
        "appeal_upheld": True, "appeal_reasoning": "Nye opplysninger viser langvarig behov."},
        expect=422)
    assert "service_area" in no_area["errors"]
    flow.complete("reassess_appeal", "systemkoordinator", {
        "appeal_upheld": True, "appeal_reasoning": "Nye opplysninger viser langvarig behov.",
        "service_area": "oppvekst"})
    decisions = flow.letters(APPEAL_UPHELD)
    assert [d["recipients"] for d in decisions] == [["Ola Hansen"]]
    assert "gir deg medhold" in decisions[0]["body"]
    assert "Behovet for tjenester er kortvarig" not in decisions[0]["body"]
    assert "Nye opplysninger viser langvarig behov." in decisions[0]["body"]
    assert "tjenesteområdet oppvekst" in decisions[0]["body"]

    # The appointment is the fagleder's, in the area the reassessment chose.
    assert flow.case()["service_area"] == "oppvekst"
    appointment = flow.inbox("fagleder")["appoint_coordinator"]
    assert appointment["role"] == "fagleder" and appointment["service_area"] == "oppvekst"
    assert "appoint_coordinator" in flow.inbox("fagleder_oppvekst")
    assert flow.open_tasks() == ["appoint_coordinator"]

    # The appeal period no longer runs: nothing fires after four weeks.
    flow.travel_to(at(deadline + timedelta(days=2)))
    assert flow.run_worker().cases_fired == 0
    assert flow.journal(NO_APPEAL) == []
    assert flow.status() == "active" and flow.open_tasks() == ["appoint_coordinator"]
    assert flow.completed_by() == [("assess_report", "systemkoordinator"),
                                   ("reassess_appeal", "systemkoordinator")]


# ------------------------------------------------------------------------------------------ 3


def test_refusal_without_appeal_closes_when_the_appeal_period_ends(flow: Flow) -> None:
    flow.report("systemkoordinator", PER, reported_by="kommunal_tjenesteyter")
    refused_at = flow.now
    flow.refuse("Du har behov for én tjeneste, ikke flere som må ses i sammenheng.")
    [refusal] = flow.letters(REFUSAL)
    assert "siste dag for å klage 30. mars 2026" in refusal["body"]

    # Not yet four weeks: the worker fires nothing.
    flow.travel_to(refused_at + timedelta(days=27, hours=23))
    assert flow.run_worker().cases_fired == 0
    assert flow.status() == "active" and flow.journal(NO_APPEAL) == []

    flow.travel_to(refused_at + timedelta(days=29))
    assert flow.run_worker().cases_fired == 1
    case = flow.case()
    # Closed, but a late appeal can still be registered for a year (fvl. § 31).
    assert case["status"] == "closed" and case["closed_at"] == flow.now.isoformat()
    closed_at = flow.now
    [note] = flow.journal(NO_APPEAL)
    assert note["bpmn_id"] == "journal_no_appeal"
    assert "Klagefristen gikk ut 30. mars 2026" in note["body"]
    assert flow.kpr() == []
    assert flow.completed_by() == [("assess_report", "systemkoordinator")]

    # A year later the window for a late appeal is over too: the case is completed.
    flow.travel_to(closed_at + timedelta(days=364))
    assert flow.run_worker().cases_fired == 0
    flow.travel_to(closed_at + timedelta(days=367))
    assert flow.run_worker().cases_fired == 1
    assert flow.status() == "completed"
    flow.message("appeal_received", "systemkoordinator", {"text": "For sent."}, expect=409)

    # The history shows that the periods ran out (the system's doing, not a person's).
    assert [(e["bpmn_id"], e["actor"]) for e in flow.events("timer_fired")] == [
        ("appeal_period_expired", "system"), ("late_appeal_window_expired", "system")]


# ------------------------------------------------------------------------------------------ 4


def test_child_under_16_needs_a_guardians_consent(flow: Flow) -> None:
    flow.report("systemkoordinator", EMMA, reported_by="parorende")
    assert flow.task("assess_report", "systemkoordinator")["data"]["citizen_under_16"] is True
    flow.wait(days=1)
    flow.approve("oppvekst")
    [letter] = flow.letters(DECISION)  # to the guardian recorded at the report, about Emma
    assert letter["recipients"] == ["Marte Berg (foresatt for Emma Berg)"]
    decision = letter["body"]
    assert "Til: Marte Berg (foresatt for Emma Berg)" in decision
    assert "Gjelder: Emma Berg" in decision
    assert "er det foresatte med foreldreansvar som samtykker" in decision
    flow.wait(days=1)
    flow.appoint("koordinator_oppvekst", user="fagleder_oppvekst")
    flow.train()
    flow.summon(flow.now + timedelta(days=7))

    # Emma has no login: the coordinator gets the consent task on her behalf.
    consent = flow.inbox("koordinator_oppvekst")["give_consent"]
    assert consent["assignee"] == "koordinator_oppvekst"
    assert consent["on_behalf_of"] == "Emma Berg"
    assert "give_consent" not in flow.inbox("innbygger")
    assert "give_consent" not in flow.inbox("koordinator")

    flow.wait(days=7)
    alone = flow.consent("koordinator_oppvekst",
                         given_by=[{"name": "Emma Berg", "relation": "selv"}], expect=422)
    assert "under 16 år kan ikke samtykke alene" in alone["errors"]["consent_given_by"]
    assert flow.open_tasks() == ["give_consent"]

    with_guardian = [{"name": "Emma Berg", "relation": "selv"},
                     {"name": "Marte Berg", "relation": "foresatt"}]
    unheard = flow.consent("koordinator_oppvekst", given_by=with_guardian, expect=422)
    assert "har rett til å si sin mening" in unheard["errors"]["child_view"]
    flow.consent("koordinator_oppvekst", given_by=with_guardian,
                 child_view="Vil ha fysioterapi etter skoletid.")
    flow.describe_goals("koordinator_oppvekst")  # no login: on the child's behalf
    plan = flow.task("establish_plan", "koordinator_oppvekst")
    [recorded] = plan["data"]["consents"]
    assert recorded["given_by"] == with_guardian and recorded["period"] == "first"
    [completed] = [e for e in flow.events("task_completed") if e["bpmn_id"] == "give_consent"]
    assert completed["actor"] == "koordinator_oppvekst"
    assert completed["data"]["on_behalf_of"] == "Emma Berg"
    assert flow.completed_by() == [
        ("assess_report", "systemkoordinator"), ("appoint_coordinator", "fagleder_oppvekst"),
        ("ensure_training", "systemkoordinator"), ("summon_startup_meeting", "systemkoordinator"),
        ("give_consent", "koordinator_oppvekst"), ("describe_goals", "koordinator_oppvekst")]


# ------------------------------------------------------------------------------------------ 5


def test_citizen_declines_the_electronic_plan_and_keeps_a_coordinator(flow: Flow) -> None:
    flow.report("koordinator", PER, reported_by="kommunal_tjenesteyter")
    flow.wait(days=1)
    flow.approve("psykisk")
    flow.wait(days=1)
    appointed_on = flow.today
    flow.appoint("koordinator")
    flow.train()
    flow.summon(flow.now + timedelta(days=7))
    flow.wait(days=7)

    flow.consent("koordinator", wants_ip=False)
    assert flow.open_tasks() == ["follow_up"]
    assert "establish_plan" not in flow.all_tasks()
    assert flow.inbox("koordinator")["follow_up"]["assignee"] == "koordinator"
    [note] = flow.journal(DECLINED_PLAN)
    assert note["bpmn_id"] == "journal_declined_plan"
    assert "Koordinator Kim Koordinator fortsetter oppfølgingen" in note["body"]
    assert ("systemkoordinator", "Innbygger ønsker ikke individuell plan") in (
        flow.notifications())
    assert flow.kpr_periods("individuell_plan") == []
    assert flow.kpr_periods("koordinator") == [(appointed_on.isoformat(), "")]
    assert flow.status() == "active"
    assert flow.completed_by()[-1] == ("give_consent", "koordinator")


# ------------------------------------------------------------------------------------------ 6


def test_coordinator_is_changed_during_follow_up(flow: Flow) -> None:
    flow.to_follow_up("systemkoordinator", OLA, "oppvekst", "koordinator")
    first_appointed = T0.date() + timedelta(days=2)
    assert flow.kpr_periods("koordinator") == [(first_appointed.isoformat(), "")]

    flow.wait(days=30)
    flow.message("coordinator_change", "koordinator",
                 {"reason": "Kim Koordinator går over i en annen stilling."})
    appointment = flow.inbox("fagleder")["appoint_new_coordinator"]
    assert appointment["role"] == "fagleder" and appointment["service_area"] == "oppvekst"
    assert due_at(appointment) == flow.now + timedelta(days=14)
    assert "appoint_new_coordinator" in flow.inbox("fagleder_oppvekst")
    # Follow-up goes on while the fagleder appoints the new coordinator.
    assert sorted(flow.open_tasks()) == ["appoint_new_coordinator", "follow_up"]

    # Only a koordinator of the case's area can be appointed.
    not_a_coordinator = flow.complete("appoint_new_coordinator", "fagleder_oppvekst",
                                      {"coordinator": "fagleder_oppvekst"}, expect=422)
    assert "coordinator" in not_a_coordinator["errors"]

    flow.wait(days=1)
    changed_on = flow.today
    flow.appoint("koordinator_oppvekst", user="fagleder_oppvekst",
                 bpmn_id="appoint_new_coordinator")
    assert flow.case()["coordinator"] == "koordinator_oppvekst"
    [assigned] = [e for e in flow.events("coordinator_assigned")
                  if e["data"]["coordinator"] == "koordinator_oppvekst"]
    assert assigned["data"]["previous"] == "koordinator"

    # Follow-up resumes with the new coordinator.
    assert flow.open_tasks() == ["follow_up"]
    follow_up = flow.inbox("koordinator_oppvekst")["follow_up"]
    assert follow_up["assignee"] == "koordinator_oppvekst" and follow_up["claimed_by"] is None
    # The old coordinator no longer has it as theirs. (As a koordinator in every area, they
    # still see it as a group task of the area: docs/procedure.md, lane koordinator.)
    old_view = flow.inbox("koordinator").get("follow_up")
    assert old_view is None or old_view["assignee"] == "koordinator_oppvekst"

    # KPR: the coordinator period is ended and a new one started on the day of the change.
    assert flow.kpr_periods("koordinator") == [
        (first_appointed.isoformat(), changed_on.isoformat()), (changed_on.isoformat(), "")]
    assert [to for _, to in flow.kpr_periods("individuell_plan")] == [""]

    [note] = flow.journal(COORDINATOR_CHANGED)
    assert "ny koordinator: Ola Oppvekst" in note["body"]
    assert "Tidligere koordinator: Kim Koordinator" in note["body"]
    assert "Kim Koordinator går over i en annen stilling." in note["body"]
    [changed] = [row for row in flow.outbox("notification")
                 if row.subject == "Bytte av koordinator"]
    assert changed.recipient == "systemkoordinator"
    assert "Koordinator: Ola Oppvekst." in changed.body

    # The new coordinator holds the next meeting; the next round is theirs as well.
    flow.wait(days=7)
    flow.meeting("koordinator_oppvekst", "Første møte med ny koordinator.", [])
    next_round = flow.task("follow_up", "koordinator_oppvekst")
    assert next_round["assignee"] == "koordinator_oppvekst"
    assert flow.completed_by()[-2:] == [("appoint_new_coordinator", "fagleder_oppvekst"),
                                        ("follow_up", "koordinator_oppvekst")]
    # The case data knows the new coordinator too: the closing notes, notifications and a
    # later change of coordinator (coordinator.register) read ``coordinator`` and its history.
    assert next_round["data"]["coordinator"] == "koordinator_oppvekst"
    assert [h["username"] for h in next_round["data"]["coordinator_history"]] == [
        "koordinator", "koordinator_oppvekst"]


# ------------------------------------------------------------------------------------------ 7


def test_citizen_ends_the_plan_early(flow: Flow) -> None:
    flow.to_follow_up("systemkoordinator", KARI, "helse", "koordinator", citizen="innbygger")
    plan_started = flow.today
    appointed_on = T0.date() + timedelta(days=2)
    flow.wait(days=60)

    # A citizen may end their own plan, not register Statsforvalteren's decision.
    flow.message("appeal_decided", "innbygger", {"outcome": "upheld"}, expect=403)
    flow.message("end_requested", "innbygger", {"reason": "Jeg klarer meg selv nå."})

    case = flow.case()
    assert case["status"] == "completed" and case["closed_at"] == flow.now.isoformat()
    assert flow.open_tasks() == [] and flow.inbox("koordinator") == {}
    [received] = flow.events("message_received")
    assert received["actor"] == "innbygger"
    assert received["data"]["data"]["sent_by"] == "innbygger"
    [note] = flow.journal(ENDED_BY_CITIZEN)
    assert note["bpmn_id"] == "journal_ended_by_citizen"
    assert "Oppgitt årsak: Jeg klarer meg selv nå." in note["body"]
    assert flow.kpr_periods("individuell_plan") == [
        (plan_started.isoformat(), flow.today.isoformat())]
    assert flow.kpr_periods("koordinator") == [
        (appointed_on.isoformat(), flow.today.isoformat())]
    assert ("systemkoordinator", "IP/koordinator avsluttet") in flow.notifications()
    assert ("give_consent", "innbygger") in flow.completed_by()
    assert flow.completed_by()[-1] == ("establish_plan", "koordinator")


# ------------------------------------------------------------------------------------------ 8


def test_overdue_assessment_gets_an_interim_reply(flow: Flow) -> None:
    flow.report("systemkoordinator", OLA, reported_by="kommunal_tjenesteyter")
    due = due_at(flow.inbox("systemkoordinator")["assess_report"])
    assert due == T0 + timedelta(days=30)

    flow.wait(days=10)
    assert flow.run_worker().cases_fired == 0
    assert flow.letters(INTERIM_REPLY) == []

    flow.travel_to(T0 + timedelta(days=31))
    assert flow.run_worker().cases_fired == 1
    [interim] = flow.letters(INTERIM_REPLY)
    assert interim["recipients"] == ["Ola Hansen"]
    assert "foreløpig svar, jf. forvaltningsloven § 11 a" in interim["body"]
    assert "svar innen 2. mai 2026" in interim["body"]  # 30 days after the interim reply
    assert [(e["bpmn_id"], e["actor"]) for e in flow.events("timer_fired")] == [
        ("assessment_deadline", "system")]

    # The assessment is still open, now overdue, and still the systemkoordinator's.
    assessment = flow.inbox("systemkoordinator")["assess_report"]
    assert due_at(assessment) == due < flow.now
    assert flow.open_tasks() == ["assess_report"] and flow.status() == "active"
    [letter] = flow.outbox("letter")
    assert letter.delivered_at is not None

    # The boundary timer does not interrupt and fires only once.
    flow.wait(days=1)
    assert flow.run_worker().cases_fired == 0
    assert len(flow.letters(INTERIM_REPLY)) == 1
    flow.approve("helse")
    assert "appoint_coordinator" in flow.inbox("fagleder")
    assert flow.completed_by() == [("assess_report", "systemkoordinator")]
