"""Access follows the current service areas and the current participation (issue 11): a step
taken on a case once grants nothing after its taker has moved to another service area; the
case's current coordinator keeps it wherever they work."""

from __future__ import annotations

from sqlalchemy import select

from engine.demo import PASSWORD, approve, do, report
from engine.kernel.db import Database
from engine.kernel.models import Membership, User
from engine.runtime.users import Actor, create_user, get_actor
from tests.support.api import Api
from tests.support.people import OLA

REPORTER, COORDINATOR = "koordinator_flyttet", "koordinator_fast"


def _works_in(db: Database, username: str, area: str) -> None:
    """The koordinator ``username`` works in ``area`` only (created on first use)."""
    with db.reading() as session:
        exists = session.scalar(select(User.id).where(User.username == username))
    if exists is None:
        create_user(db, username, PASSWORD, username.replace("_", " ").title(),
                    [("koordinator", area)])
    with db.transaction() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        for membership in session.scalars(select(Membership).where(
                Membership.user_id == user.id)):
            membership.service_area = area


def test_a_koordinator_moved_to_another_area_loses_the_case_the_coordinator_keeps_it(
        db: Database, staff: dict[str, Actor], api: Api) -> None:
    for username in (REPORTER, COORDINATOR):
        _works_in(db, username, "helse")
    case_id = report(db, get_actor(db, REPORTER), OLA)
    approve(db, staff, case_id, "helse")
    do(db, staff["fagleder"], case_id, "appoint_coordinator", {
        "coordinator": COORDINATOR, "citizen_wishes": "Ønsker en fast kontaktperson."})
    assert api.get(f"/cases/{case_id}", REPORTER)["id"] == case_id

    for username in (REPORTER, COORDINATOR):
        _works_in(db, username, "oppvekst")

    api.get(f"/cases/{case_id}", REPORTER, expect=404)
    assert case_id not in [c["id"] for c in api.get("/cases", REPORTER)["cases"]]
    assert api.get(f"/cases/{case_id}", COORDINATOR)["coordinator"] == COORDINATOR
