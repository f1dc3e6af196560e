"""Legal events in a real browser: the koordinerende enhet registers an appeal that came by
post (the date it arrived and the scanned letter), reads what will happen, confirms, and sees
it on the case's timeline with the letter to download; the citizen withdraws her consent from
her own page. Screenshots at 1366 and 390 px go to test-output/screenshots."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from engine.kernel import clock
from engine.kernel.db import Database
from tests.support.legal_events import PDF, citizen_in_follow_up, refused

WIDTHS = (1366, 390)


def shots(person: Any, name: str) -> None:
    """The page at desktop and phone width, then back to desktop."""
    for width in WIDTHS:
        person.page.set_viewport_size({"width": width, "height": 900})
        person.shot(f"{name}-{width}")
    person.page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def letter(person: Any) -> None:
    person.field("Klagebrevet").set_input_files(files=[{
        "name": "klagebrev.pdf", "mimeType": "application/pdf", "buffer": PDF}])


def test_a_paper_appeal_is_registered_with_its_date_and_letter(
        visitor: Any, server: Any, db: Database) -> None:
    case_id = refused(db)
    person = visitor()
    person.login("systemkoordinator")
    person.go(f"/cases/{case_id}")
    events = person.page.get_by_role("region", name="Registrer en hendelse")
    expect(events).to_be_visible()
    expect(events.get_by_role("link")).to_have_count(1)
    events.get_by_role("link", name="Klage mottatt").click()

    page = person.page
    expect(page.get_by_role("heading", name="Registrer klage", level=1)).to_be_visible()
    expect(page.locator("#appeal-deadline")).to_contain_text("Klagefristen:")
    expect(page.locator("#appeal-deadline")).to_contain_text("registreres likevel")
    what = page.get_by_role("region", name="Dette skjer når du bekrefter")
    expect(what).to_contain_text("sendes klagen til Statsforvalteren")
    shots(person, "event-appeal")

    received = clock.today().isoformat()
    person.field("Hva klagen gjelder").fill("Klager på avslaget, se vedlagt brev.")
    person.field("Dato klagen kom inn").fill(received)
    letter(person)
    person.button("Bekreft og send").click()  # not confirmed yet: nothing is sent
    expect(page.locator("#error-summary")).to_contain_text("Bekreft at du har lest")
    expect(person.field("Hva klagen gjelder")).to_have_value(
        "Klager på avslaget, se vedlagt brev.")
    expect(person.field("Dato klagen kom inn")).to_have_value(received)
    shots(person, "event-appeal-unconfirmed")

    letter(person)
    page.get_by_label("Jeg har lest hva som skjer, og vil registrere hendelsen.").check()
    person.button("Bekreft og send").click()
    expect(person.flash("Registrert: Klage mottatt.")).to_be_visible()
    expect(page.locator("#hendelser")).to_contain_text("Registrert: Klage mottatt.")
    shots(person, "case-timeline-after-paper-appeal")
    page.get_by_role("tab", name="Oversikt").click()  # the letter is listed with the events
    download_link = page.get_by_role("link", name="klagebrev.pdf")
    expect(download_link).to_be_visible()
    with page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename == "klagebrev.pdf"
    assert download.value.path().read_bytes() == PDF
    shots(person, "case-after-paper-appeal")


def test_the_citizen_withdraws_her_consent_on_her_own_page(
        visitor: Any, server: Any, db: Database) -> None:
    citizen_in_follow_up(db)
    person = visitor()
    person.login("innbygger")
    person.go("/mine")
    asks = person.page.get_by_role("region", name="Gi beskjed til kommunen")
    for wish in ("Trekk tilbake et samtykke", "Be om å avslutte planen eller koordinatoren",
                 "Be om å få en annen koordinator"):
        expect(asks.get_by_role("link", name=wish)).to_be_visible()
    shots(person, "mine-events")
    asks.get_by_role("link", name="Trekk tilbake et samtykke").click()

    page = person.page
    expect(page.get_by_role("heading", name="Trekk tilbake et samtykke", level=1)).to_be_visible()
    expect(page.get_by_role("region", name="Dette skjer når du bekrefter")).to_contain_text(
        "avsluttes planen")
    person.field("Hvilket samtykke").select_option(label="Samtykket til individuell plan")
    person.field("Begrunnelse").fill("Jeg klarer meg uten plan nå.")
    shots(person, "event-consent-withdrawn")
    page.get_by_label("Jeg har lest hva som skjer, og vil registrere hendelsen.").check()
    person.button("Bekreft og send").click()
    expect(person.flash("Registrert: Samtykke trukket tilbake.")).to_be_visible()
    expect(page.locator("#hendelser")).to_contain_text("Registrert: Samtykke trukket tilbake.")
