"""The legal events on the case page and on /mine: only what the case can take now, each with
its form and what will happen, sent only when confirmed; refusals in Norwegian with what was
typed kept; the letter of an appeal by post stored and served only to those who see the case."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, timedelta

from engine import demo
from engine.features import case_messages
from engine.kernel.db import Database
from engine.runtime.users import Actor
from tests.support.legal_events import OLA, PDF, citizen_in_follow_up, refused
from tests.support.pages import Browser, inside

Web = Callable[[str], Browser]


def test_the_case_page_offers_only_what_the_case_can_take_now(
        web: Web, db: Database, staff: dict[str, Actor], frozen: datetime) -> None:
    waiting = demo.report(db, staff["koordinator"], OLA, duplicate_reason=None)
    page = web("systemkoordinator").get(f"/cases/{waiting}")
    assert "Registrer en hendelse" not in page
    case_id = refused(db, nin=demo.DEMO_CITIZEN_NIN)
    page = web("systemkoordinator").get(f"/cases/{case_id}")
    section = inside(page, f"hendelser-na-{case_id}")
    assert "Registrer en hendelse" in section and "Klage mottatt" in section
    assert "Bytte av koordinator" not in section
    web("systemkoordinator").get(f"/cases/{case_id}/events/coordinator_change", expect=302)


def test_an_appeal_by_post_is_confirmed_then_registered_with_its_letter(
        web: Web, db: Database, staff: dict[str, Actor], frozen: datetime) -> None:
    case_id = refused(db)
    browser = web("systemkoordinator")
    url = f"/cases/{case_id}/events/appeal_received"
    page = browser.get(url)
    deadline = (frozen + timedelta(weeks=4)).date()
    assert "Klagefristen:" in inside(page, "appeal-deadline")
    assert str(deadline.year) in inside(page, "appeal-deadline")
    assert "registreres likevel" in page
    assert "Dette skjer når du bekrefter" in page and "Statsforvalteren" in page
    assert page.one("input", name="received_on").get("type") == "date"
    assert page.one("form", id="form-top").get("enctype") == "multipart/form-data"

    # Not confirmed: nothing is sent, what was typed stays.
    typed = {"text": "Jeg klager på avslaget.", "received_on": frozen.date().isoformat()}
    again = browser.post_page(url, typed, expect=422)
    assert "Bekreft at du har lest" in again and again.value("text") == typed["text"]
    # A date in the future is refused with the field named, in Norwegian.
    future = {**typed, "received_on": (frozen + timedelta(days=3)).date().isoformat(),
              "confirm": "yes"}
    again = browser.post_page(url, future, expect=422)
    assert "Mottatt-datoen kan ikke være fram i tid." in again
    assert again.value("received_on") == future["received_on"]
    # Not a PDF or an image: refused, the text kept.
    again = browser.post_page(url, {**typed, "confirm": "yes",
                                    "attachment": (io.BytesIO(b"MZ\x90"), "klage.exe")},
                              expect=422)
    assert "PDF eller et bilde" in again and again.value("text") == typed["text"]

    sent = browser.post(url, {**typed, "confirm": "yes",
                              "attachment": (io.BytesIO(PDF), "klagebrev.pdf")})
    case_page = browser.follow(sent)
    assert "Registrert: Klage mottatt." in case_page
    assert "Registrert: Klage mottatt." in inside(case_page, "hendelser")
    # the case's letters are attachments too (their PDFs); the appeal's letter is named by its file
    [link] = [a for a in case_page.all("a")
              if "/attachments/" in a.get("href") and a.text.strip() == "klagebrev.pdf"]
    served = browser.client.get(link.get("href"))
    assert served.status_code == 200 and served.data == PDF
    assert served.mimetype == "application/pdf"
    assert "attachment" in served.headers["Content-Disposition"]
    web("koordinator_oppvekst").get(link.get("href"), expect=404)


def test_the_citizen_asks_on_mine_in_plain_words(
        web: Web, db: Database, staff: dict[str, Actor], frozen: datetime) -> None:
    case_id = citizen_in_follow_up(db)
    browser = web("innbygger")
    mine = browser.get("/mine")
    section = inside(mine, f"hendelser-na-{case_id}")
    for wish in ("Trekk tilbake et samtykke", "Be om å avslutte planen eller koordinatoren",
                 "Be om å få en annen koordinator", "Be om at planen evalueres nå"):
        assert wish in section
    url = f"/cases/{case_id}/events/consent_withdrawn"
    page = browser.get(url)
    assert page.one("h1").text.strip() == "Trekk tilbake et samtykke"
    assert "avsluttes planen" in page
    done = browser.post(url, {"kind": "plan", "reason": "Jeg vil ikke ha plan lenger.",
                              "confirm": "yes"})
    case_page = browser.follow(done)
    assert "Registrert: Samtykke trukket tilbake." in inside(case_page, "hendelser")
    assert "Registrert: Samtykke trukket tilbake." in case_page


def test_the_citizen_appeals_without_the_staff_only_date(
        web: Web, db: Database, staff: dict[str, Actor], frozen: datetime) -> None:
    case_id = refused(db, nin=demo.DEMO_CITIZEN_NIN)
    browser = web("innbygger")
    assert "Klag på avgjørelsen" in inside(browser.get("/mine"), f"hendelser-na-{case_id}")
    page = browser.get(f"/cases/{case_id}/events/appeal_received")
    assert page.all("input", name="received_on") == []
    assert page.one("h1").text.strip() == "Klag på avgjørelsen"


def test_statsforvalterens_decision_is_registered_with_its_letter(
        web: Web, db: Database, staff: dict[str, Actor], frozen: datetime) -> None:
    case_id = refused(db)
    koordinerende = staff["systemkoordinator"]
    case_messages.send_message(db, case_id, "appeal_received", {"text": "Jeg klager."},
                               koordinerende)
    demo.do(db, koordinerende, case_id, "reassess_appeal", {
        "appeal_upheld": False, "appeal_reasoning": "Vurderingen står ved lag."})
    browser = web("systemkoordinator")
    url = f"/cases/{case_id}/events/appeal_decided"
    page = browser.get(url)
    assert page.options("outcome")[1:] == [
        ("upheld", "Klagen er tatt til følge"),
        ("partly_upheld", "Klagen er delvis tatt til følge"),
        ("rejected", "Klagen er ikke tatt til følge")]
    decision = {"outcome": "partly_upheld", "decided_on": frozen.date().isoformat(),
                "reference": "SF 2026/123", "confirm": "yes"}
    again = browser.post_page(url, decision, expect=422)  # partly: say what is granted
    assert "Ved delvis medhold" in again and again.value("reference") == "SF 2026/123"
    done = browser.post(url, {**decision, "outcome": "rejected",
                              "attachment": (io.BytesIO(PDF), "vedtak.pdf")})
    case_page = browser.follow(done)
    assert "Registrert: Statsforvalteren har avgjort." in inside(case_page, "hendelser")
    assert "vedtak.pdf" in inside(case_page, f"hendelser-na-{case_id}")
