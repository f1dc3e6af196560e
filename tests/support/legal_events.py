"""Cases that wait for legal events, set up through the engine as people would leave them:
refused (the appeal period is open) and, for the demo citizen, in follow-up with her consent.
Used by the engine, API, page and browser tests of the events a case can take."""

from __future__ import annotations

from engine import demo
from engine.kernel.db import Database
from engine.runtime.users import get_actor
from tests.support.people import staff_of

OLA = "23074820085"  # Ola Hansen: no login, the coordinator acts on his behalf
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def refused(db: Database, nin: str = OLA) -> int:
    """A report refused by the koordinerende enhet: the case waits for an appeal."""
    staff = staff_of(db)
    case_id = demo.report(db, staff["koordinator"], nin)
    demo.do(db, staff["systemkoordinator"], case_id, "assess_report", {
        "long_term_need": False, "two_or_more_services": True, "citizen_wants": True,
        "approved": False, "approved_ip": False, "assessment_reasoning": "Kortvarig behov."})
    return case_id


def citizen_in_follow_up(db: Database) -> int:
    """The demo citizen's case, consented by herself and planned: follow-up waits."""
    staff = staff_of(db)
    case_id = demo.report(db, staff["koordinator"], demo.DEMO_CITIZEN_NIN)
    demo.approve(db, staff, case_id, "helse")
    demo.appoint(db, staff, case_id)
    demo.consent(db, get_actor(db, "innbygger"), case_id, wants_ip=True)
    demo.establish_plan(db, staff["koordinator"], case_id)
    return case_id
