"""The citizen's consent page in a real browser: Kari, logged in as herself, reads what she
consents to, for how long, who sees what and that she may withdraw; no answer is ticked for
her; she consents, and only then is the plan written; a year later the renewed consent opens
empty again and she consents anew.

The steps between the two consents (plan, revision date, evaluation) are taken through the
engine; the pages Kari sees are the real ones. Screenshots go to test-output/screenshots and
to the system's temporary directory.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from engine import demo
from engine.features import case_messages, case_queries
from engine.kernel import clock
from engine.kernel.db import Database
from tests.support.people import staff_of

KARI = "Kari Nordmann"
KARI_NIN = "15058510170"
YES_NO = ("Samtykke til individuell plan og koordinering", "Ønsker individuell plan",
          "Ønsker koordinator", "Samtykket er signert på papir og arkivert")
PLAN_MEDIUM = "Hvor planen føres"


def _to_renewal(db: Database, staff: dict[str, Any], case_id: int) -> None:
    """Plan written, revision date reached, the plan is to go on: the renewal waits."""
    demo.establish_plan(db, staff["koordinator"], case_id)
    follow_up = demo.open_task(db, case_id, "follow_up")
    data = case_queries.get_task(db, follow_up, staff["systemkoordinator"]).data
    revision = datetime.fromisoformat(data["revision_date"]).date()
    with clock.frozen_at(datetime.combine(revision, time(12), tzinfo=UTC)):
        case_messages.fire_due_timers(db, case_id, staff["systemkoordinator"])
        demo.do(db, staff["koordinator"], case_id, "evaluate_plan",
                {"evaluation_summary": "Målene er nådd.", "continue_plan": True})


def _open_steps(db: Database, staff: dict[str, Any], case_id: int) -> set[str]:
    case = case_queries.get_case(db, case_id, staff["systemkoordinator"])
    return {task["bpmn_id"] for task in case["tasks"] if task["state"] == "ready"}


def _shot(person: Any, name: str) -> None:
    kept = person.shot(name)
    shutil.copy(kept, Path(tempfile.gettempdir()) / f"ipflow-{name}.png")


def _assert_nothing_ticked(person: Any) -> None:
    page = person.page
    for question in YES_NO:
        group = person.group(question)
        expect(group.get_by_label("Ja", exact=True)).not_to_be_checked()
        expect(group.get_by_label("Nei", exact=True)).not_to_be_checked()
    expect(page.locator("#f-consent_date")).to_have_value("")
    expect(page.locator("#f-consent_given_by-0-name")).to_have_value("")
    expect(page.locator("#f-consent_given_by-0-relation")).to_have_value("")
    expect(person.field(PLAN_MEDIUM)).to_have_value("")  # where the plan is kept: her choice
    expect(page.locator("#f-sharing_consents-0-participant")).to_have_value("")


def _consent(person: Any, day: str, participant: str) -> None:
    page = person.page
    page.locator("#f-consent_date").fill(day)
    page.locator("#f-consent_given_by-0-name").fill(KARI)
    page.locator("#f-consent_given_by-0-relation").select_option("selv")
    person.answer(YES_NO[0], "Ja")
    page.locator("#f-sharing_consents-0-participant").fill(participant)
    page.locator("#f-sharing_consents-0-scope").fill("Helseopplysninger")
    person.answer(YES_NO[1], "Ja")
    person.field(PLAN_MEDIUM).select_option(label="I ipflow")
    person.answer(YES_NO[3], "Nei")
    person.complete()


def test_citizen_reads_consents_and_renews_an_empty_consent(visitor, server, db) -> None:
    staff = staff_of(db)
    case_id = demo.report(db, staff["koordinator"], KARI_NIN)
    demo.approve(db, staff, case_id, "helse")
    demo.appoint(db, staff, case_id)
    task_id = demo.open_task(db, case_id, "give_consent")

    person = visitor()
    page = person.page
    person.login("innbygger")
    person.go(f"/tasks/{task_id}")
    expect(page.get_by_role("heading", name="Samtykke og ønske om individuell plan",
                            level=1)).to_be_visible()
    intro = page.locator("#form-intro")
    for told in ("individuell plan sammen med deg", "en koordinator samordner tjenestene",
                 "fram til revisjonsdatoen",
                 "Du bestemmer hvem som får se hva",
                 "Du kan når som helst trekke tilbake samtykket"):
        expect(intro).to_contain_text(told)
    expect(page.get_by_text("Tomt: til planens revisjonsdato")).to_be_visible()
    _assert_nothing_ticked(person)
    _shot(person, "consent-first")
    # The consent gates the plan: nothing of the plan waits until she has answered.
    assert _open_steps(db, staff, case_id) == {"give_consent"}
    today = clock.today().isoformat()
    _consent(person, today, "Fastlege")
    assert _open_steps(db, staff, case_id) == {"describe_goals"}

    first = case_queries.get_case(db, case_id, staff["systemkoordinator"])
    assert first["plan_shared_with"] == ["Fastlege"]

    _to_renewal(db, staff, case_id)
    renewal = demo.open_task(db, case_id, "renew_consent")
    person.go(f"/tasks/{renewal}")
    expect(page.get_by_text("Steg: Samtykke for ny planperiode")).to_be_visible()
    expect(page.locator("#form-intro")).to_contain_text("trekke tilbake")
    _assert_nothing_ticked(person)
    _shot(person, "consent-renewal")
    _consent(person, today, "Fysioterapeut")

    renewed = case_queries.get_case(db, case_id, staff["systemkoordinator"])
    periods = [(c["participant"], c["period"]) for c in renewed["sharing_consents"]]
    assert periods == [("Fastlege", "first"), ("Fysioterapeut", "renewal")]
