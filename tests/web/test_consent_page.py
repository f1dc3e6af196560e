"""The citizen's consent page: it explains what is consented to, for how long, who sees what
and that consent can be withdrawn, in the page's language; nothing is ticked in advance, and a
renewed consent opens empty although the case holds last period's answers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time
from typing import TYPE_CHECKING

from engine import demo
from engine.features import case_messages, case_queries
from engine.kernel import clock
from engine.kernel.db import Database
from engine.runtime.users import SYSTEM, Actor
from tests.support.pages import assert_labelled
from tests.support.people import KARI

if TYPE_CHECKING:
    from tests.support.pages import Browser, Page

Web = Callable[[str], "Browser"]
YES_NO = ("consent_to_plan", "wants_ip", "consent_on_paper")


def at_first_consent(db: Database, staff: dict[str, Actor]) -> int:
    case_id = demo.report(db, staff["koordinator"], KARI)
    demo.approve(db, staff, case_id, "helse")
    demo.appoint(db, staff, case_id)
    return case_id


def at_renewal(db: Database, staff: dict[str, Actor]) -> int:
    """First consent, plan, the revision date passes and the plan is to go on."""
    case_id = at_first_consent(db, staff)
    demo.consent(db, staff["innbygger"], case_id, wants_ip=True)
    demo.establish_plan(db, staff["koordinator"], case_id)
    data = case_queries.get_task(db, demo.open_task(db, case_id, "follow_up"),
                                  staff["systemkoordinator"]).data
    revision = datetime.fromisoformat(data["revision_date"]).date()
    with clock.frozen_at(datetime.combine(revision, time(12), tzinfo=UTC)):
        case_messages.fire_due_timers(db, case_id, SYSTEM)
        demo.do(db, staff["koordinator"], case_id, "evaluate_plan",
                {"evaluation_summary": "Målene er nådd.", "continue_plan": True})
    return case_id


def assert_opens_empty(page: Page) -> None:
    for name in YES_NO:
        assert [r.get("value") for r in page.all("input", name=name)] == ["true", "false"]
        assert page.checked(name) == [], f"{name} is ticked in advance"
    assert page.value("consent_date") == ""
    assert page.value("sharing_consents-0-participant") == ""
    assert page.value("consent_given_by-0-name") == ""


def test_first_consent_explains_and_ticks_nothing(web: Web, db: Database,
                                                  staff: dict[str, Actor]) -> None:
    case_id = at_first_consent(db, staff)
    task_id = demo.open_task(db, case_id, "give_consent")
    page = web("innbygger").get(f"/tasks/{task_id}")

    intro = page.by_id("form-intro").text
    assert "individuell plan" in intro and "én planperiode" in intro
    assert "fram til revisjonsdatoen" in intro
    assert "Du bestemmer hvem som får se hva" in intro
    assert "når som helst trekke tilbake samtykket" in intro
    assert "Tomt: til planens revisjonsdato" in page
    assert page.one("label", **{"for": "f-sharing_consents-0-valid_from"}).text == "Gyldig fra"
    assert_opens_empty(page)
    assert_labelled(page)


def test_renewed_consent_opens_empty_and_is_saved(web: Web, db: Database,
                                                  staff: dict[str, Actor]) -> None:
    case_id = at_renewal(db, staff)
    task_id = demo.open_task(db, case_id, "renew_consent")
    browser = web("innbygger")
    page = browser.get(f"/tasks/{task_id}")
    assert_opens_empty(page)

    data = page.form_data()
    data.update({"consent_date": clock.today().isoformat(),
                 "consent_given_by-0-name": "Kari Nordmann",
                 "consent_given_by-0-relation": "selv", "consent_to_plan": "true",
                 "wants_ip": "true", "consent_on_paper": "false"})
    done = browser.post(f"/tasks/{task_id}", data)
    assert done.headers["Location"] == "/mine"
    follow_up = case_queries.get_task(db, demo.open_task(db, case_id, "follow_up"),
                                  staff["systemkoordinator"]).data
    assert [c["period"] for c in follow_up["consents"]] == ["first", "renewal"]
    assert follow_up["consents"][-1]["given_by"] == [{"name": "Kari Nordmann",
                                                      "relation": "selv"}]


def test_consent_page_in_english(web: Web, db: Database, staff: dict[str, Actor]) -> None:
    case_id = at_first_consent(db, staff)
    task_id = demo.open_task(db, case_id, "give_consent")
    browser = web("innbygger")
    browser.post("/language", {"locale": "en", "next": f"/tasks/{task_id}"})
    page = browser.get(f"/tasks/{task_id}")
    assert page.one("h1").text == "Consent and wish for an individual plan"
    intro = page.by_id("form-intro").text
    assert "You may withdraw your consent at any time" in intro
    assert "until the revision date" in intro
    assert page.one("label", **{"for": "f-sharing_consents-0-valid_until"}).text == "Valid until"
    assert ("selv", "The citizen") in page.options("consent_given_by-0-relation")
    assert_opens_empty(page)
