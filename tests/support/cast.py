"""The cast of the case-page tests: Kari's case in follow-up with a plan and a meeting, and Ola's
case at assessment, set up with the demo helpers (the engine calls people make)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask.testing import FlaskClient

from engine import demo
from engine.kernel.db import Database
from engine.runtime.users import Actor, get_actor
from tests.support.people import KARI, OLA, staff_of

GOAL = "Mestre hverdagen hjemme."
ACTION_OWNER = "Fastlege Hansen"
ACTION_ITEM = "Søke om brukerstyrt personlig assistanse"
DONE_ITEM = "Avtale time hos fysioterapeut"


@dataclass
class Cast:
    db: Database
    staff: dict[str, Actor]
    case_id: int  # Kari, helse, in follow-up with a plan and a meeting
    other_case_id: int  # Ola, at assessment
    follow_up_task: int
    users_client: Callable[[str], FlaskClient]


def set_up_cast(db: Database, users_client: Callable[[str], FlaskClient]) -> Cast:
    """Both cases, with ``users_client(username)`` giving that person's logged-in client."""
    staff = staff_of(db)
    case_id = demo.report(db, staff["koordinator"], KARI)
    demo.approve(db, staff, case_id, "helse")
    demo.appoint(db, staff, case_id)
    demo.consent(db, get_actor(db, "innbygger"), case_id, wants_ip=True)
    demo.establish_plan(db, staff["koordinator"], case_id)
    demo.do(db, staff["koordinator"], case_id, "follow_up", {
        "meeting_date": "2026-02-20", "meeting_participants": ["Kari Nordmann", "Fastlege"],
        "minutes": "Gjennomgang av planen.\nNeste møte i april.",
        "action_items": [
            {"description": ACTION_ITEM, "owner": ACTION_OWNER, "deadline": "2026-02-27",
             "status": "apen"},
            {"description": DONE_ITEM, "owner": "Kim Koordinator", "deadline": "2026-02-25",
             "status": "utfort"}]})
    other_case_id = demo.report(db, staff["systemkoordinator"], OLA)
    return Cast(db, staff, case_id, other_case_id, demo.open_task(db, case_id, "follow_up"),
                users_client)
