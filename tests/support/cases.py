"""Cases the tests need in a state the demo does not make, set up through the engine."""

from __future__ import annotations

from datetime import datetime, timedelta

from engine import demo
from engine.features import worker
from engine.kernel import clock
from engine.kernel.db import Database
from engine.runtime.users import Actor
from tests.support.people import EMMA, KARI, OLA, PER


def closed_case(db: Database, staff: dict[str, Actor], nin: str, now: datetime) -> int:
    """A report refused 40 days before ``now``, closed when its appeal period ran out."""
    with clock.frozen_at(now - timedelta(days=40)):
        case_id = demo.report(db, staff["systemkoordinator"], nin)
        demo.do(db, staff["systemkoordinator"], case_id, "assess_report", {
            "long_term_need": False, "two_or_more_services": True, "citizen_wants": True,
            "approved": False, "approved_ip": False,
            "assessment_reasoning": "Behovet er kortvarig."})
    worker.run_once(db, lambda _message: None, now=now - timedelta(days=5))
    return case_id


def four_cases(db: Database, staff: dict[str, Actor], now: datetime) -> dict[str, int]:
    """The case list's cast, by first name: Per refused and closed a month before ``now``;
    then Kari appointed a coordinator (helse), Ola at the assessment, Emma approved
    (oppvekst) and waiting for her coordinator."""
    per = closed_case(db, staff, PER, now)
    kari = demo.report(db, staff["koordinator"], KARI)
    demo.approve(db, staff, kari, "helse")
    demo.appoint(db, staff, kari)
    ola = demo.report(db, staff["koordinator"], OLA)
    emma = demo.report(db, staff["systemkoordinator"], EMMA)
    demo.approve(db, staff, emma, "oppvekst")
    return {"per": per, "kari": kari, "ola": ola, "emma": emma}


FIRST_SUMMARY = "Første periode: målene er delvis nådd."


def meeting(db: Database, coordinator: Actor, case_id: int, minutes: str, item: str) -> None:
    deadline = (clock.today() + timedelta(days=30)).isoformat()
    demo.do(db, coordinator, case_id, "follow_up", {
        "meeting_date": clock.today().isoformat(),
        "meeting_participants": ["Innbygger", "Koordinator"], "minutes": minutes,
        "action_items": [{"description": item, "owner": "Koordinator", "deadline": deadline}],
        "evaluate_now": True})


def at_second_evaluation(db: Database, staff: dict[str, Actor]) -> int:
    """A case in its second evaluation: two meetings, one evaluation and a renewed consent."""
    coordinator = staff["koordinator"]
    case_id = demo.report(db, coordinator, OLA)
    demo.approve(db, staff, case_id, "helse")
    demo.appoint(db, staff, case_id)
    demo.consent(db, coordinator, case_id, wants_ip=True)
    demo.establish_plan(db, coordinator, case_id)
    meeting(db, coordinator, case_id, "Første møte: fysioterapien er i gang.",
            "Søke om hjelpemidler")
    demo.do(db, coordinator, case_id, "evaluate_plan",
            {"evaluation_summary": FIRST_SUMMARY, "continue_plan": True})
    demo.consent(db, coordinator, case_id, wants_ip=True, bpmn_id="renew_consent")
    meeting(db, coordinator, case_id, "Andre møte: hjelpemidlene er på plass.",
            "Bestille time hos fastlegen")
    return case_id


def at_startup_summons(db: Database, staff: dict[str, Actor]) -> tuple[int, int]:
    """Ola's case with a trained coordinator: the start-up meeting is to be summoned; the ids
    of the case and of that open task."""
    case_id = demo.report(db, staff["koordinator"], OLA)
    demo.approve(db, staff, case_id, "helse")
    demo.do(db, staff["fagleder"], case_id, "appoint_coordinator", {"coordinator": "koordinator"})
    demo.do(db, staff["systemkoordinator"], case_id, "ensure_training", {"training_ensured": True})
    return case_id, demo.open_task(db, case_id, "summon_startup_meeting")
