"""Demo data: service areas, one user per role (password ``demo``) and cases at several steps.

Used by ``ipflow init --demo`` so a newcomer sees a living municipality at once, and by the
tests as their cast. The cases are driven through the same engine calls as real users make.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from engine.features import case_start, task_actions
from engine.kernel import clock
from engine.kernel.db import Database
from engine.kernel.models import Case, User
from engine.kernel.vocabulary import TaskState
from engine.runtime.users import Actor, create_service_area, create_user, get_actor

PASSWORD = "demo"  # noqa: S105  (printed as a warning by ``ipflow init --demo``)

SERVICE_AREAS = {
    "helse": "Helse og omsorg",
    "oppvekst": "Oppvekst og skole",
    "psykisk": "Psykisk helse og rus",
}

# Synthetic fødselsnumre with valid check digits; the first is the demo citizen's login.
CITIZENS = {
    "15058510170": "Kari Nordmann",
    "23074820085": "Ola Hansen",
    "02031250032": "Emma Berg",
    "11039930090": "Per Olsen",
}
DEMO_CITIZEN_NIN = "15058510170"
# The demo child's guardian with parental responsibility: she consents for Emma (under 16).
GUARDIANS = {
    "02031250032": [{"name": "Marte Berg", "parental_responsibility": True,
                     "contact": "marte.berg@example.no"}],
}
CHILD_VIEW = "Vil gjerne være med på møtene og ha fysioterapi etter skoletid."


def _every_area(role: str) -> list[tuple[str, str | None]]:
    return [(role, area) for area in SERVICE_AREAS]


USERS: dict[str, tuple[str, list[tuple[str, str | None]], str | None]] = {
    "systemkoordinator": ("Siri Systemkoordinator", [("systemkoordinator", None)], None),
    "fagleder": ("Frode Fagleder", _every_area("fagleder"), None),
    "koordinator": ("Kim Koordinator", _every_area("koordinator"), None),
    "innbygger": ("Kari Nordmann", [("innbygger", None)], DEMO_CITIZEN_NIN),
    "designer": ("Dina Designer", [("designer", None)], None),
    "leder": ("Lars Leder", [("leder", None)], None),
}
USERNAMES = tuple(USERS)


def seed_users(db: Database) -> None:
    """Service areas and the demo users; existing ones are left as they are."""
    for code, name in SERVICE_AREAS.items():
        create_service_area(db, code, name)
    with db.reading() as session:
        existing = set(session.scalars(select(User.username)))
    for username, (full_name, roles, nin) in USERS.items():
        if username not in existing:
            create_user(db, username, PASSWORD, full_name, roles, nin)


def seed(db: Database) -> int:
    """Demo users and four cases waiting at different steps; returns the cases created.

    Safe to run again (``ipflow init --demo`` twice): when the demo citizens already have
    cases, only missing users are added and no second set of demo cases is made.
    """
    seed_users(db)
    with db.reading() as session:
        if session.scalar(select(Case.id).where(Case.citizen_nin.in_(list(CITIZENS)))
                          .limit(1)) is not None:
            return 0
    staff = {name: get_actor(db, name) for name in ("systemkoordinator", "fagleder",
                                                     "koordinator")}
    nins = list(CITIZENS)
    at_consent = report(db, staff["koordinator"], nins[0], reported_by="parorende")
    approve(db, staff, at_consent, "helse")
    appoint(db, staff, at_consent)
    at_assessment = report(db, staff["koordinator"], nins[1])
    at_appointment = report(db, staff["systemkoordinator"], nins[2], reported_by="parorende")
    approve(db, staff, at_appointment, "oppvekst")
    in_follow_up = to_follow_up(db, staff, nins[3], "psykisk", staff["koordinator"])
    return len({at_consent, at_assessment, at_appointment, in_follow_up})


# ---------------------------------------------------------------- steps, as people do them


def open_task(db: Database, case_id: int, bpmn_id: str) -> int:
    """The id of the case's open task at ``bpmn_id`` (demo and tests know where they are)."""
    with db.reading() as session:
        from engine.kernel.models import Task

        task_id = session.scalar(select(Task.id).where(
            Task.case_id == case_id, Task.bpmn_id == bpmn_id, Task.state == TaskState.READY))
    if task_id is None:
        raise LookupError(f"sak {case_id} venter ikke på {bpmn_id}")
    return task_id


def do(db: Database, actor: Actor, case_id: int, bpmn_id: str, data: dict[str, Any]) -> None:
    """The actor takes the step (a group task is claimed with it) and completes it."""
    task_actions.complete_task(db, open_task(db, case_id, bpmn_id), data, actor, take=True)


SEVERAL_CASES = "Flere saker for samme innbygger i demo og tester."


def report(db: Database, actor: Actor, nin: str, reported_by: str = "kommunal_tjenesteyter",
           requests: tuple[str, ...] = ("ip", "koordinator"),
           duplicate_reason: str | None = SEVERAL_CASES, name: str | None = None) -> int:
    """A report of need; a citizen's second open case starts with ``duplicate_reason``
    (ignored when there is no open case; ``None`` to be refused like the report page).
    ``name``: another name than the demo's for the number."""
    return case_start.start_case(db, "ip_koordinator", {
        "citizen_name": name or CITIZENS.get(nin, "Innbygger"), "citizen_nin": nin,
        "reported_by": reported_by, "reporter_name": "Anne Melder",
        "reporter_contact": "anne@example.no", "requests": list(requests),
        "need_description": "Trenger langvarige og koordinerte tjenester fra flere tjenester.",
        **({"guardians": GUARDIANS[nin]} if nin in GUARDIANS else {}),
    }, actor, duplicate_reason=duplicate_reason)


def approve(db: Database, staff: dict[str, Actor], case_id: int, area: str) -> None:
    do(db, staff["systemkoordinator"], case_id, "assess_report", {
        "long_term_need": True, "two_or_more_services": True, "citizen_wants": True,
        "approved": True, "approved_ip": True, "service_area": area,
        "assessment_reasoning": "Vilkårene er oppfylt."})


def appoint(db: Database, staff: dict[str, Actor], case_id: int,
            coordinator: str = "koordinator") -> None:
    do(db, staff["fagleder"], case_id, "appoint_coordinator", {
        "coordinator": coordinator, "citizen_wishes": "Ønsker en fast kontaktperson."})
    do(db, staff["systemkoordinator"], case_id, "ensure_training",
       {"training_ensured": True})
    meeting_at = (clock.now() + timedelta(days=7)).replace(microsecond=0)
    do(db, staff["systemkoordinator"], case_id, "summon_startup_meeting", {
        "startup_meeting_at": meeting_at.isoformat(), "startup_meeting_place": "Rådhuset"})


def to_follow_up(db: Database, staff: dict[str, Actor], nin: str, area: str,
                 coordinator: Actor) -> int:
    """A case reported, approved in ``area``, given ``coordinator``, consented and planned:
    it waits at the coordinator's follow-up meeting, a step that comes back after each
    meeting (the demo's last case, and the cases ``ipflow bench http`` works on)."""
    case_id = report(db, staff["systemkoordinator"], nin)
    approve(db, staff, case_id, area)
    appoint(db, staff, case_id, coordinator.username)
    consent(db, coordinator, case_id, wants_ip=True)
    establish_plan(db, coordinator, case_id)
    return case_id


def consent(db: Database, actor: Actor, case_id: int, wants_ip: bool,
            given_by: list[dict[str, str]] | None = None, bpmn_id: str = "give_consent",
            wants_coordinator: bool | None = None) -> None:
    """Consent by ``given_by``; by default the citizen, or for the demo child her guardian,
    with the child's own view. ``wants_coordinator`` is left out unless given."""
    with db.reading() as session:
        case = session.get(Case, case_id)
        guardians = GUARDIANS.get(case.citizen_nin, []) if case else []
    default = ([{"name": g["name"], "relation": "foresatt"} for g in guardians]
               or [{"name": "Innbygger selv", "relation": "selv"}])
    data: dict[str, Any] = {
        "consent_date": clock.today().isoformat(),
        "consent_given_by": given_by or default,
        **({"child_view": CHILD_VIEW} if guardians else {}),
        "consent_to_plan": True, "wants_ip": wants_ip, "consent_on_paper": True,
        "sharing_consents": [{"participant": "Fastlege", "scope": "Helseopplysninger"}]}
    if wants_coordinator is not None:
        data["wants_coordinator"] = wants_coordinator
    do(db, actor, case_id, bpmn_id, data)


def describe_goals(db: Database, case_id: int) -> None:
    """The citizen (or the coordinator on their behalf) writes down goals and wishes."""
    with db.reading() as session:
        from engine.kernel.models import Task

        assignee = session.scalar(select(Task.assignee).where(
            Task.case_id == case_id, Task.bpmn_id == "describe_goals",
            Task.state == TaskState.READY))
    if assignee is None:
        raise LookupError(f"sak {case_id} venter ikke på describe_goals")
    do(db, get_actor(db, assignee), case_id, "describe_goals", {
        "citizen_goals": "Bo hjemme og klare hverdagen selv.",
        "citizen_service_wishes": "Hjelp til trening og faste tider for hjemmetjenesten.",
        "citizen_own_resources": "Familien hjelper til i helgene."})


def establish_plan(db: Database, actor: Actor, case_id: int) -> None:
    """The citizen's goals first, then the coordinator's plan."""
    describe_goals(db, case_id)
    today = clock.today()
    do(db, actor, case_id, "establish_plan", {
        "plan_goals": "Mestre hverdagen hjemme.", "plan_resources": "Familien.",
        "plan_needs": "Hjemmetjenester og fysioterapi.",
        "plan_participants": [{"name": "Fastlege", "role": "lege"}],
        "plan_measures": [{"description": "Fysioterapi", "scope": "to ganger i uken",
                           "responsible": "Fysioterapeut"}],
        "plan_start": today.isoformat(),
        "revision_date": date(today.year + 1, today.month, min(today.day, 28)).isoformat()})
