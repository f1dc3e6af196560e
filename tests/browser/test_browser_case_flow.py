"""One case from report to closed, by four people in a real browser, through the pages only.

The koordinator reports a need, the systemkoordinator assesses it, the fagleder appoints the
coordinator, the systemkoordinator arranges training and the start-up meeting, the citizen
consents from her own login, the coordinator writes the plan and records a meeting, the
revision date passes (the worker is the only thing run outside the browser), and the
coordinator evaluates and closes the plan.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from engine.features import worker
from engine.kernel import clock
from engine.kernel.models import Outbox

KARI = "Kari Nordmann"
KARI_NIN = "15058510170"


def _today() -> date:
    return datetime.now(ZoneInfo("Europe/Oslo")).date()


def test_four_people_take_a_case_from_report_to_closed(visitor, server) -> None:
    today = _today()
    revision = today + timedelta(days=90)
    person = visitor()
    page = person.page

    # -- the koordinator reports a need on behalf of the family ("Meld behov")
    person.login("koordinator")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Meld behov").click()
    expect(page.get_by_role("heading", name="Meld behov", level=1)).to_be_visible()
    person.field("Innbyggerens navn").fill(KARI)
    person.field("Fødselsnummer").fill(KARI_NIN)
    person.field("Meldt av").select_option(label="Pårørende")
    person.field("Melderens navn").fill("Per Nordmann")
    person.field("Melderens kontaktinformasjon").fill("per.nordmann@example.no, 900 00 000")
    requests = person.group("Det meldes behov for")
    requests.get_by_label("Individuell plan", exact=True).check()
    requests.get_by_label("Koordinator", exact=True).check()
    person.field("Beskrivelse av behovet").fill(
        "Kari trenger hjemmesykepleie, fysioterapi og hjelp fra NAV som må ses i sammenheng.")
    person.button("Send meldingen").click()
    expect(person.flash("Meldingen er registrert")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/cases/\d+$"))
    case_path = page.url.removeprefix(server.origin)
    expect(page.get_by_role("heading", name=re.compile(f"^{KARI}"), level=1)).to_be_visible()
    person.logout()

    # -- the systemkoordinator takes the assessment from the group and approves
    person.login("systemkoordinator")
    person.inbox_tab("Gruppens oppgaver")
    row = page.get_by_role("row").filter(has_text=KARI)
    expect(row).to_have_count(1)
    row.get_by_role("button", name=person.action("Ta oppgaven", f"Vurder og avgjør – {KARI}")
                    ).click()
    expect(person.flash("Du har tatt oppgaven")).to_be_visible()
    person.inbox_tab("Mine oppgaver")
    expect(page.get_by_role("row").filter(has_text=KARI)).to_contain_text("Vurder og avgjør")
    person.shot("inbox")
    person.open_task("Vurder og avgjør", KARI)
    expect(page.get_by_role("heading", name="Vurdering og avgjørelse")).to_be_visible()
    for question in ("Langvarig behov for tjenester",
                     "To eller flere tjenester som må ses i sammenheng",
                     "Innbyggeren ønsker det og vil medvirke", "Innvilget",
                     "Individuell plan innvilget"):
        person.answer(question, "Ja")
    person.field("Tjenesteområde").select_option(label="Helse og omsorg")
    person.field("Begrunnelse").fill("Langvarig behov for flere tjenester som må samordnes.")
    person.complete()
    person.logout()

    # -- the fagleder of helse appoints the coordinator (straight from the group list)
    person.login("fagleder")
    person.open_task("Oppnevn koordinator", KARI, tab="Gruppens oppgaver")
    expect(page.get_by_role("complementary")).to_contain_text("Helse og omsorg")
    person.field("Koordinator").select_option(label="Kim Koordinator (0 aktive saker)")
    person.field("Innbyggerens ønsker").fill("Ønsker en fast kontaktperson.")
    person.complete()
    person.logout()

    # -- the systemkoordinator ensures training and summons the start-up meeting
    person.login("systemkoordinator")
    person.open_task("Sørg for opplæring av koordinator", KARI, tab="Gruppens oppgaver")
    person.answer("Opplæring er sikret", "Ja")
    person.field("Merknad om opplæring og veiledning").fill("Kurs i koordinatorrollen.")
    person.complete()
    person.open_task("Kall inn til oppstartsmøte", KARI, tab="Gruppens oppgaver")
    meeting_day = today + timedelta(days=7)
    person.field("Tidspunkt for oppstartsmøtet").fill(f"{meeting_day.isoformat()}T10:00")
    person.field("Sted for oppstartsmøtet").fill("Rådhuset, møterom 2")
    person.complete()
    person.logout()

    # -- the citizen consents from her own login ("Mine saker")
    person.login("innbygger")
    expect(page.get_by_role("heading", name="Mine saker", level=1)).to_be_visible()
    waiting = page.get_by_role("region", name="Dette venter på deg")
    expect(waiting.get_by_role("link", name="Samtykke og ønske om IP")).to_be_visible()
    person.shot("mine-saker")
    waiting.get_by_role("link", name="Samtykke og ønske om IP").click()
    expect(page.get_by_role("heading", name="Samtykke og ønske om individuell plan")
           ).to_be_visible()
    expect(page.get_by_text("Utføres på vegne av")).to_have_count(0)
    person.field("Dato for samtykket").fill(today.isoformat())
    giver = person.group("Samtykkegiver 1")
    person.field("Navn", giver).fill(KARI)
    person.field("Relasjon til innbyggeren", giver).select_option(label="Innbyggeren selv")
    person.answer("Samtykke til individuell plan og koordinering", "Ja")
    sharing = person.group("Samtykke til deling 1")
    person.field("Deltaker eller tjeneste", sharing).fill("Fastlege")
    person.field("Hvilke opplysninger", sharing).fill("Helseopplysninger")
    person.answer("Ønsker individuell plan", "Ja")
    person.field("Hvor planen føres").select_option(label="I ipflow")
    person.answer("Samtykket er signert på papir og arkivert", "Nei")
    person.complete()
    expect(page).to_have_url(re.compile(r"/mine$"))

    # -- then she describes her own goals and wishes for the plan
    waiting = page.get_by_role("region", name="Dette venter på deg")
    waiting.get_by_role("link", name="Beskriv mål og ønsker for planen").click()
    person.field("Hva er viktig for deg, og hva vil du oppnå?").fill(
        "Bo hjemme og gå turer med hunden.")
    person.field("Hvilke tjenester og hvilken hjelp ønsker du?").fill("Fysioterapi hjemme.")
    person.complete()
    expect(page).to_have_url(re.compile(r"/mine$"))
    expect(page.get_by_role("region", name="Dette venter på deg")).to_contain_text(
        "Du har ingen oppgaver nå.")
    person.logout()

    # -- the coordinator establishes the plan, rows added with the add-row buttons
    person.login("koordinator")
    person.open_task("Etabler ansvarsgruppe og individuell plan", KARI)
    person.field("Mål").fill("Kari klarer seg hjemme med trygg hjelp.")
    person.field("Ressurser").fill("Familien bor i nærheten.")
    person.field("Behov").fill("Hjemmesykepleie og fysioterapi.")
    first = person.group("Deltaker 1")
    person.field("Navn", first).fill("Olav Lege")
    person.field("Rolle eller tjeneste", first).fill("Fastlege")
    person.button("Legg til rad", "Deltakere i ansvarsgruppen").click()
    second = person.group("Deltaker 2")
    expect(second).to_be_visible()
    expect(person.field("Navn", first)).to_have_value("Olav Lege")  # kept across the round trip
    person.field("Navn", second).fill("Nina Fysio")
    person.field("Rolle eller tjeneste", second).fill("Fysioterapeut")
    person.field("Bidrag", second).fill("Trening to ganger i uken")
    measure = person.group("Tiltak 1")
    person.field("Tiltak", measure).fill("Fysioterapi")
    person.field("Omfang", measure).fill("To ganger i uken")
    person.field("Ansvarlig", measure).fill("Nina Fysio")
    person.button("Legg til rad", "Tiltak").click()
    measure = person.group("Tiltak 2")
    expect(measure).to_be_visible()
    person.field("Tiltak", measure).fill("Hjemmesykepleie")
    person.field("Omfang", measure).fill("Daglig")
    person.field("Ansvarlig", measure).fill("Hjemmetjenesten")
    person.field("Planen gjelder fra").fill(today.isoformat())
    person.field("Revisjonsdato").fill(revision.isoformat())
    person.complete()

    # -- ... and records a meeting; a missing deadline is caught first
    person.open_task("Oppfølging og samarbeidsmøte", KARI)
    person.field("Møtedato").fill(today.isoformat())
    person.field("Navn og rolle 1").fill("Kari Nordmann, innbygger")
    person.button("Legg til rad", "Deltakere på møtet").click()
    person.field("Navn og rolle 2").fill("Nina Fysio, fysioterapeut")
    person.field("Referat").fill("Gikk gjennom planen. Kari er fornøyd med treningen.")
    item = person.group("Oppgave 1")
    person.field("Oppgave", item).fill("Søke om rullator")
    person.field("Ansvarlig", item).fill("Nina Fysio")
    person.button("Fullfør oppgaven").click()
    summary = page.get_by_role("alert").filter(has_text="Skjemaet har feil")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("oppgave 1 mangler frist")
    expect(page.locator("#f-action_items .field-error").first).to_contain_text("mangler frist")
    deadline = person.field("Frist", item)
    expect(deadline).to_have_attribute("aria-invalid", "true")  # the empty field itself
    expect(person.field("Oppgave", item)).to_have_value("Søke om rullator")
    expect(person.field("Referat")).to_have_value(re.compile("Kari er fornøyd"))
    person.shot("task-form-errors")
    person.field("Frist", item).fill((today + timedelta(days=14)).isoformat())
    person.complete()
    expect(page.get_by_role("row").filter(has_text=KARI)).to_contain_text(
        "Oppfølging og samarbeidsmøte")  # follow-up waits again, for the next meeting

    # -- the revision date passes: only the worker runs outside the browser
    delivered: list[Outbox] = []
    moment = datetime.combine(revision + timedelta(days=1), time(12), tzinfo=UTC)
    with clock.frozen_at(moment):
        result = worker.run_once(server.db, delivered.append, now=moment)
    assert result.cases_fired == 1, result
    assert delivered, "the letters of the case were delivered through the outbox"

    # -- the coordinator evaluates and ends the plan
    person.open_task("Evaluer planen", KARI)
    person.field("Oppsummering av evalueringen").fill("Målene er nådd; planen avsluttes.")
    person.answer("Planen videreføres", "Nei")
    person.answer("Planen avsluttes mot innbyggerens ønske", "Nei")  # the goals are met
    person.complete()
    expect(page.get_by_role("row").filter(has_text=KARI)).to_have_count(0)

    # -- the case page: completed, with letters, journal notes, plan, meeting and consent
    person.go(case_path)
    summary = page.get_by_role("region", name="Sammendrag")
    expect(summary).to_contain_text("Fullført")
    expect(summary).to_contain_text("Saken er avsluttet")
    about = page.get_by_role("region", name="Om saken")
    expect(about.get_by_role("row", name=re.compile("^Avsluttet"))).to_be_visible()
    expect(page.get_by_role("region", name="Hva saken venter på nå")).to_contain_text(
        "Saken er avsluttet.")
    expect(page.get_by_role("region", name="Ansvarsgruppe og nettverk")).to_contain_text(
        "Nina Fysio")
    person.case_tab("Dokumenter og brev")
    documents = page.get_by_role("region", name="Dokumenter og brev")
    expect(documents.locator("li.document").filter(has_text="Brev").first).to_be_visible()
    expect(documents.locator("li.document").filter(has_text="Journalnotat").first
           ).to_be_visible()
    assert documents.locator("li.document").count() >= 3
    person.case_tab("Plan og møter")
    plan = page.get_by_role("region", name="Individuell plan")
    expect(plan).to_contain_text("Fysioterapi")
    expect(plan).to_contain_text("Hjemmesykepleie")
    meetings = page.get_by_role("region", name="Møter og oppgaver")
    expect(meetings).to_contain_text("Søke om rullator")
    consents = page.get_by_role("region", name="Samtykker")
    expect(consents).to_contain_text(f"{KARI} (Innbyggeren selv)")
    person.shot("case-completed")
    person.logout()

    # The only error the browser reported is the refused meeting form (422).
    assert len(person.watch.console_errors) == 1, person.watch.console_errors
    assert "status of 422" in person.watch.console_errors[0], person.watch.console_errors
