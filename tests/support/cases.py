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
