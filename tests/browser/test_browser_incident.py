"""A leder resolves an incident caused by the diagram, in the browser: a case reported without
an age stops at a gateway whose condition reads ``alder``. The leder opens the case, sees the
failed element marked on the diagram and the error in plain Norwegian (the technical text
folded away), corrects the variable with a reason, retries, and the case moves on.
Screenshots of the case page and the monitor's case page at 1366 and 390 px."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from engine.kernel.db import Database
from engine.runtime.users import get_actor
from tests.support import incident_diagram as age

WIDE = {"width": 1366, "height": 900}
NARROW = {"width": 390, "height": 844}
SENTENCE = ("Saken stoppet ved «Er innbyggeren voksen?» (adult_gateway): steget skal velge vei "
            "ut fra opplysningen «alder», men saken har ikke denne opplysningen.")


def test_a_leder_corrects_the_missing_variable_and_the_case_moves_on(
        visitor, server, db: Database) -> None:  # noqa: ANN001
    age.deploy_age_process(db)
    case_id = age.start_without_age(db, get_actor(db, "koordinator"))

    for size, viewport in (("390", NARROW), ("1366", WIDE)):
        person = visitor(viewport=viewport)
        person.login("leder")
        person.go("/monitor")
        expect(person.page.locator(f'#stuck-table tr[data-case="{case_id}"]')).to_have_count(1)
        person.shot(f"incident-monitor-{size}")
        person.go(f"/monitor/cases/{case_id}")
        why = person.page.get_by_role("region", name="Hvorfor saken står fast")
        expect(why.get_by_text(SENTENCE)).to_be_visible()
        expect(person.page.locator('#diagram g.failed[data-element-id="adult_gateway"]')
               ).to_have_count(1)
        person.shot(f"incident-monitor-case-{size}")
        person.go(f"/cases/{case_id}")
        person.page.locator('a[href="#fane-prosess"]').click()
        expect(person.page.locator('#diagram g.failed[data-element-id="adult_gateway"]')
               ).to_have_count(1)
        person.shot(f"incident-case-{size}")
    page = person.page

    panel = page.locator("#feil")
    expect(panel.get_by_role("heading", name="Saken har stoppet på en feil")).to_be_visible()
    expect(panel.get_by_text(SENTENCE)).to_be_visible()
    technical = panel.locator("pre.technical")
    expect(technical).to_be_hidden()
    panel.get_by_text("Teknisk feilmelding").click()
    expect(technical).to_contain_text("NameError: name 'alder' is not defined")
    expect(panel.get_by_role("row").filter(has_text="alder")).to_contain_text("Mangler")

    form = page.locator("#correct-variable")
    expect(person.field("Opplysning", form)).to_have_value("alder")
    person.field("Ny verdi", form).fill("20")
    person.field("Hvorfor", form).fill("Alderen er oppgitt på telefon")
    form.get_by_role("button", name="Lagre opplysningen").click()
    expect(person.flash("Opplysningen «alder» er rettet")).to_be_visible()
    page.locator('a[href="#fane-hendelser"]').click()
    expect(page.get_by_text(re.compile(r"Rettet opplysningen «alder» fra \(manglet\) til 20\. "
                                       r"Begrunnelse: Alderen er oppgitt på telefon"))
           ).to_be_visible()

    retry = page.locator("form[id^=retry-]")
    person.field("Hvorfor prøve nå", retry).fill("Alderen er lagt inn")
    retry.get_by_role("button", name="Prøv på nytt").click()
    expect(person.flash("Steget er kjørt på nytt, og feilen er løst.")).to_be_visible()
    expect(page.locator("#feil")).to_have_count(0)
    page.locator('a[href="#fane-oversikt"]').click()
    expect(page.locator("#na")).to_contain_text("Følg opp voksen")
    person.shot("incident-resolved-1366")
