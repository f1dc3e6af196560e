"""Withdrawing consent during follow-up, through the JSON API.

Withdrawing the consent to share with one participant keeps the plan going: the follow-up task
comes back, the sharing consent is kept and marked withdrawn, the revision timer is armed again
for the same date and a journal note says what, when and by whom. Withdrawing the consent to the
plan ends the individual plan and its KPR period; the coordinator, a right of its own, goes on
unless the citizen has said they do not want one, and then the case closes. The citizen may
withdraw their own consent. A participant nobody consented to share with is refused (422).
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from engine import demo
from engine.features import kpr
from engine.kernel import clock
from engine.kernel.db import Database
from engine.kernel.models import Timer
from engine.runtime.users import get_actor
from tests.support.people import staff_of

if TYPE_CHECKING:  # the fixture's class, for annotations only
    from tests.support.api import Api

OTHER_NIN = "23074820085"  # Ola Hansen: no login, the coordinator acts on his behalf
FASTLEGE_NOTE = "Samtykke til deling av opplysninger med Fastlege trukket tilbake"
PLAN_NOTE = "Samtykke til individuell plan og koordinering trukket tilbake"
CLOSED_NOTE = "Individuell plan avsluttet fordi samtykket er trukket tilbake"


def in_follow_up(db: Database, nin: str = OTHER_NIN, wants_coordinator: bool | None = None
                 ) -> int:
    """A case reported, approved, appointed, consented (sharing with "Fastlege") and planned."""
    staff = {name: get_actor(db, name)
             for name in ("systemkoordinator", "fagleder", "koordinator")}
    case_id = demo.report(db, staff["koordinator"], nin)
    demo.approve(db, staff, case_id, "helse")
    demo.appoint(db, staff, case_id)
    citizen = get_actor(db, "innbygger") if nin == demo.DEMO_CITIZEN_NIN else staff["koordinator"]
    demo.consent(db, citizen, case_id, wants_ip=True, wants_coordinator=wants_coordinator)
    demo.establish_plan(db, staff["koordinator"], case_id)
    return case_id


def withdraw(api: Api, case_id: int, user: str, expect: int = 200, **data: Any) -> Any:
    return api.post(f"/cases/{case_id}/messages/consent_withdrawn", user, {"data": data},
                    expect=expect)


def journal(api: Api, case_id: int) -> dict[str, str]:
    documents = api.get(f"/cases/{case_id}/documents", "koordinator")["documents"]
    return {d["title"]: d["body"] for d in documents if d["kind"] == "journal"}


def revision_timers(db: Database, case_id: int) -> list[Timer]:
    with db.reading() as session:
        return list(session.scalars(select(Timer).where(
            Timer.case_id == case_id, Timer.bpmn_id == "revision_date_reached",
            Timer.fired_at.is_(None), Timer.cancelled.is_(False))))


def kpr_rows(db: Database, case_id: int) -> list[dict[str, str]]:
    rows = csv.DictReader(io.StringIO(kpr.export(db, "csv", everything=True).text))
    return [row for row in rows if row["sak"] == str(case_id)]


def test_withdrawn_sharing_consent_keeps_the_follow_up(api: Api, db: Database) -> None:
    case_id = in_follow_up(db)
    before = api.task(case_id, "follow_up", "koordinator")
    (timer,) = revision_timers(db, case_id)
    today = clock.today().isoformat()

    assert withdraw(api, case_id, "koordinator", kind="sharing", participant="Fastlege",
                    reason="Har byttet fastlege.") == {"ok": True}

    case = api.get(f"/cases/{case_id}", "koordinator")
    assert case["status"] == "active"
    after = api.task(case_id, "follow_up", "koordinator")
    assert after["id"] != before["id"], "the interrupted follow-up task is created again"
    assert api.get(f"/tasks/{before['id']}", "koordinator")["state"] == "cancelled"
    data = api.get(f"/tasks/{after['id']}", "koordinator")["data"]
    assert data["plan_consent_withdrawn"] is False
    assert data["consent_withdrawal"]["participant"] == "Fastlege"
    assert data["sharing_consents"] == [{
        "participant": "Fastlege", "scope": "Helseopplysninger",
        "withdrawn_at": today, "withdrawn_by": "koordinator"}]
    latest = data["consents"][-1]
    assert latest["sharing_scopes"][0]["withdrawn_at"] == today
    assert "withdrawn_at" not in latest, "the consent to the plan still holds"

    (rearmed,) = revision_timers(db, case_id)
    assert rearmed.spiff_id != timer.spiff_id and rearmed.due_at == timer.due_at

    body = journal(api, case_id)[FASTLEGE_NOTE]
    assert "dele opplysninger med Fastlege (Helseopplysninger) er trukket tilbake" in body
    assert "Meldt av: Kim Koordinator" in body
    assert "Oppgitt årsak: Har byttet fastlege." in body
    assert PLAN_NOTE not in journal(api, case_id)
    assert all(row["sluttdato"] == "" for row in kpr_rows(db, case_id)), "KPR goes on"

    # follow-up works as before: a meeting, and the task is there again
    api.complete(case_id, "follow_up", "koordinator", {
        "meeting_date": today, "minutes": "Deling med fastlege er stanset."})
    assert api.task(case_id, "follow_up", "koordinator")


def test_withdrawn_plan_consent_ends_the_plan_and_the_coordinator_goes_on(
        api: Api, db: Database) -> None:
    case_id = in_follow_up(db)
    before = api.task(case_id, "follow_up", "koordinator")
    withdraw(api, case_id, "koordinator", kind="plan", reason="Ønsker ikke plan lenger.")

    case = api.get(f"/cases/{case_id}", "koordinator")
    assert case["status"] == "active"
    after = api.task(case_id, "follow_up", "koordinator")
    assert after["id"] != before["id"], "follow-up goes on with the coordinator only"
    today = clock.today().isoformat()
    periods = {row["tjeneste"]: row["sluttdato"] for row in kpr_rows(db, case_id)}
    assert periods == {"individuell_plan": today, "koordinator": ""}
    notes = journal(api, case_id)
    assert "Meldt av: Kim Koordinator" in notes[PLAN_NOTE]
    assert "Oppgitt årsak: Ønsker ikke plan lenger." in notes[CLOSED_NOTE]
    assert "koordinatoren fortsetter" in notes[CLOSED_NOTE]
    data = api.get(f"/tasks/{after['id']}", "koordinator")["data"]
    assert data["consent_to_plan"] is False and data["ip_ended_on"] == today


def test_withdrawn_plan_consent_closes_when_no_coordinator_is_wanted(
        api: Api, db: Database) -> None:
    case_id = in_follow_up(db, wants_coordinator=False)
    withdraw(api, case_id, "koordinator", kind="plan", reason="Ønsker ingen oppfølging.")

    case = api.get(f"/cases/{case_id}", "koordinator")
    assert case["status"] == "completed" and case["closed_at"]
    assert not [t for t in case["tasks"] if t["state"] == "ready"]
    rows = kpr_rows(db, case_id)
    assert sorted(row["tjeneste"] for row in rows) == ["individuell_plan", "koordinator"]
    assert all(row["sluttdato"] == clock.today().isoformat() for row in rows)
    assert "Individuell plan er avsluttet" in journal(api, case_id)
    assert not revision_timers(db, case_id)


def test_the_citizen_withdraws_their_own_consent(api: Api, db: Database) -> None:
    case_id = in_follow_up(db, demo.DEMO_CITIZEN_NIN)
    other = in_follow_up(db)
    # not someone else's case
    withdraw(api, other, "innbygger", expect=404, kind="plan")
    assert api.get(f"/cases/{other}", "koordinator")["status"] == "active"

    withdraw(api, case_id, "innbygger", kind="plan")
    assert "Meldt av: Kari Nordmann" in journal(api, case_id)[PLAN_NOTE]
    periods = {row["tjeneste"]: row["sluttdato"] for row in kpr_rows(db, case_id)}
    assert periods["individuell_plan"] == clock.today().isoformat()


def test_withdrawal_outside_follow_up_is_409(api: Api, db: Database) -> None:
    staff = staff_of(db)
    case_id = demo.report(db, get_actor(db, "koordinator"), OTHER_NIN)
    demo.approve(db, staff, case_id, "helse")
    body = withdraw(api, case_id, "koordinator", expect=409, kind="plan")
    assert "consent_withdrawn" in body["error"]


def test_unknown_participant_is_refused_and_follow_up_goes_on(api: Api, db: Database) -> None:
    case_id = in_follow_up(db)
    before = api.get(f"/cases/{case_id}", "systemkoordinator")

    refused = withdraw(api, case_id, "koordinator", expect=422, kind="sharing",
                       participant="Tannlege")
    assert "Tannlege" in refused["errors"]["participant"]
    assert "Fastlege" in refused["errors"]["participant"]
    unknown_kind = withdraw(api, case_id, "koordinator", expect=422, kind="alt")
    assert "kind" in unknown_kind["errors"]

    after = api.get(f"/cases/{case_id}", "systemkoordinator")
    assert after["status"] == "active"
    assert [t for t in after["tasks"] if t["state"] == "ready"] == [
        t for t in before["tasks"] if t["state"] == "ready"]
    assert not [e for e in after["events"] if e["kind"] in ("message_received",
                                                             "incident_opened")]
    assert FASTLEGE_NOTE not in journal(api, case_id)
