"""The inbox as people use it: who sees what, search, filters, paging, claim/release/assign."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from flask import Flask

from engine import demo
from engine.features import task_actions
from engine.kernel import clock
from engine.kernel.db import Database
from engine.runtime.users import Actor
from tests.support.clock import T0
from tests.support.pages import assert_labelled
from tests.support.people import EMMA, KARI, OLA, PER

if TYPE_CHECKING:
    from tests.support.pages import Browser, Page

Web = Callable[[str], "Browser"]


def row_ids(page: Page) -> list[int]:
    return [int(e.get("id")[5:]) for e in page.all("tr") if e.get("id").startswith("task-")]


def citizens(page: Page) -> list[str]:
    return [e.text.strip() for e in page.all("td", **{"data-label": "Innbygger"})]


def at_appointment(db: Database, staff: dict[str, Actor], nin: str, area: str) -> int:
    case_id = demo.report(db, staff["koordinator"], nin)
    demo.approve(db, staff, case_id, area)
    return case_id


def at_plan(db: Database, staff: dict[str, Actor], nin: str, area: str) -> int:
    """A case waiting for the coordinator ``koordinator`` to establish the plan."""
    case_id = at_appointment(db, staff, nin, area)
    demo.appoint(db, staff, case_id)
    demo.consent(db, staff["koordinator"], case_id, wants_ip=True)
    demo.describe_goals(db, case_id)
    return case_id


# ---------------------------------------------------------------- who lands where


def test_home_sends_staff_to_the_inbox_and_citizens_to_their_cases(
        web: Web, anonymous: Browser) -> None:
    assert web("koordinator").client.get("/").headers["Location"].endswith("/inbox")
    assert web("systemkoordinator").client.get("/").headers["Location"].endswith("/cases")
    assert web("innbygger").client.get("/").headers["Location"].endswith("/mine")
    response = anonymous.client.get("/inbox")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_inbox_renders_for_every_staff_role(web: Web) -> None:
    for username in ("systemkoordinator", "fagleder", "koordinator", "koordinator_oppvekst",
                     "leder"):
        page = web(username).get("/inbox")
        assert page.one("h1").text == "Oppgaver"
        assert "Mine oppgaver (0)" in page and "Gruppens oppgaver (0)" in page
        assert "Du har ingen oppgaver." in page
        assert page.one("meta", name="viewport")
        assert_labelled(page)


# ---------------------------------------------------------------- who sees what


def test_the_systemkoordinator_sees_new_reports_in_the_group_tab(
        web: Web, db: Database, staff: dict[str, Actor], frozen: datetime) -> None:
    ola = demo.report(db, staff["koordinator"], OLA)
    kari = demo.report(db, staff["systemkoordinator"], KARI, reported_by="parorende")
    browser = web("systemkoordinator")

    mine = browser.get("/inbox")
    assert "Mine oppgaver (0)" in mine and "Gruppens oppgaver (2)" in mine
    assert mine.one("a", href="/inbox?view=mine").get("aria-current") == "page"

    group = browser.get("/inbox?view=group")
    assert group.one("a", href="/inbox?view=group").get("aria-current") == "page"
    assert "2 oppgaver" in group
    assert sorted(citizens(group)) == ["Kari Nordmann", "Ola Hansen"]
    assert "230748*****" in group and "150585*****" in group
    assert OLA not in group.html and KARI not in group.html  # never the full number
    assert group.text.count("Vurder og avgjør") >= 2
    # Due 30 days after the report, in Norwegian date format.
    assert group.text.count("01.04.2026") == 2
    assert "Forfalt" not in group
    assert set(row_ids(group)) == {demo.open_task(db, ola, "assess_report"),
                                   demo.open_task(db, kari, "assess_report")}
    assert_labelled(group)

    assert "Gruppens oppgaver (0)" in web("fagleder").get("/inbox?view=group")
    assert "Gruppens oppgaver (0)" in web("koordinator").get("/inbox?view=group")


def test_fagleders_see_appointments_of_their_service_areas_only(
        web: Web, db: Database, staff: dict[str, Actor]) -> None:
    at_appointment(db, staff, OLA, "helse")
    at_appointment(db, staff, EMMA, "oppvekst")
    everywhere = web("fagleder").get("/inbox?view=group")
    assert sorted(citizens(everywhere)) == ["Emma Berg", "Ola Hansen"]
    assert "Oppnevn koordinator" in everywhere
    assert "Helse og omsorg" in everywhere and "Oppvekst og skole" in everywhere
    oppvekst = web("fagleder_oppvekst").get("/inbox?view=group")
    assert citizens(oppvekst) == ["Emma Berg"]
    assert "Gruppens oppgaver (1)" in oppvekst
    assert "Gruppens oppgaver (0)" in web("systemkoordinator").get("/inbox?view=group")


def test_coordinator_tasks_are_mine_for_the_coordinator_and_group_tasks_in_the_area(
        web: Web, db: Database, staff: dict[str, Actor]) -> None:
    at_plan(db, staff, EMMA, "oppvekst")
    at_plan(db, staff, OLA, "helse")

    coordinator = web("koordinator").get("/inbox")
    assert sorted(citizens(coordinator)) == ["Emma Berg", "Ola Hansen"]
    assert "Mine oppgaver (2)" in coordinator
    assert "Etabler ansvarsgruppe og individuell plan" in coordinator
    assert "Tildelt Kim Koordinator" in coordinator

    colleague = web("koordinator_oppvekst")
    assert "Mine oppgaver (0)" in colleague.get("/inbox")
    group = colleague.get("/inbox?view=group")
    assert citizens(group) == ["Emma Berg"]
    assert "Ola Hansen" not in group


def test_the_citizen_finds_their_own_consent_task(
        web: Web, db: Database, staff: dict[str, Actor]) -> None:
    case_id = at_appointment(db, staff, KARI, "helse")
    demo.appoint(db, staff, case_id)
    page = web("innbygger").get("/inbox")
    assert citizens(page) == ["Kari Nordmann"]
    assert "Samtykke og ønske om IP" in page
    at_appointment(db, staff, OLA, "helse")
    assert "Ola Hansen" not in web("innbygger").get("/inbox?view=group")


# ---------------------------------------------------------------- order, search, filters, pages


def test_sorted_by_due_date_with_an_overdue_badge(
        web: Web, db: Database, staff: dict[str, Actor]) -> None:
    created = {}
    for nin, days_ago in ((OLA, 5), (EMMA, 40), (PER, 20)):
        with clock.frozen_at(T0 - timedelta(days=days_ago)):
            created[nin] = demo.report(db, staff["koordinator"], nin)
    with clock.frozen_at(T0):
        page = web("systemkoordinator").get("/inbox?view=group")
    assert citizens(page) == ["Emma Berg", "Per Olsen", "Ola Hansen"]
    badges = page.all("span", **{"class": "badge overdue"})
    assert [b.text for b in badges] == ["Forfalt"]
    emma_task = demo.open_task(db, created[EMMA], "assess_report")
    assert row_ids(page)[0] == emma_task
    # The badge sits in Emma's row, the first one.
    assert page.html.index(f'id="task-{emma_task}"') < page.html.index("Forfalt") < \
        page.html.index(f'id="task-{row_ids(page)[1]}"')
    assert "20.02.2026" in page  # reported 40 days before 2 March, due 30 days later


def test_search_by_name_or_fodselsnummer_and_filter_by_step_and_area(
        web: Web, db: Database, staff: dict[str, Actor]) -> None:
    demo.report(db, staff["koordinator"], OLA)
    emma = at_appointment(db, staff, EMMA, "oppvekst")
    demo.do(db, staff["fagleder"], emma, "appoint_coordinator", {"coordinator": "koordinator"})
    per = at_appointment(db, staff, PER, "psykisk")
    demo.do(db, staff["fagleder"], per, "appoint_coordinator", {"coordinator": "koordinator"})
    browser = web("systemkoordinator")
    assert sorted(citizens(browser.get("/inbox?view=group"))) == [
        "Emma Berg", "Ola Hansen", "Per Olsen"]

    by_name = browser.get("/inbox?view=group&q=emma")
    assert citizens(by_name) == ["Emma Berg"]
    assert by_name.value("q") == "emma"
    assert citizens(browser.get("/inbox?view=group&q=1103993")) == ["Per Olsen"]

    step = browser.get("/inbox?view=group&step=ensure_training")
    assert sorted(citizens(step)) == ["Emma Berg", "Per Olsen"]
    assert step.selected("step") == "ensure_training"
    assert ("ensure_training", "Sørg for opplæring av koordinator") in step.options("step")

    area = browser.get("/inbox?view=group&step=ensure_training&service_area=oppvekst")
    assert citizens(area) == ["Emma Berg"]
    assert area.selected("service_area") == "oppvekst"
    assert ("oppvekst", "Oppvekst og skole") in area.options("service_area")

    nothing = browser.get("/inbox?view=group&q=Nordmann")
    assert citizens(nothing) == []
    assert "Ingen oppgaver passer med filtrene." in nothing
    assert "Gruppens oppgaver (3)" in nothing  # the tab counts stay unfiltered


def test_pages_of_tasks(web: Web, db: Database, staff: dict[str, Actor]) -> None:
    for nin in (OLA, EMMA, PER, KARI, OLA):
        demo.report(db, staff["koordinator"], nin)
    browser = web("systemkoordinator")
    assert len(row_ids(browser.get("/inbox?view=group"))) == 5  # 50 to a page by default
    first = browser.get("/inbox?view=group&per_page=2")
    assert len(row_ids(first)) == 2
    assert "5 oppgaver · Side 1 av 3" in first
    assert first.one("a", rel="next").get("href") == "/inbox?view=group&page=2&per_page=2"
    assert not first.all("a", rel="prev")
    second = browser.get("/inbox?view=group&page=2&per_page=2")
    assert "Side 2 av 3" in second
    assert second.one("a", rel="prev").get("href") == "/inbox?view=group&per_page=2"
    last = browser.get("/inbox?view=group&page=3&per_page=2")
    assert len(row_ids(last)) == 1 and not last.all("a", rel="next")
    seen = row_ids(first) + row_ids(second) + row_ids(last)
    assert len(set(seen)) == 5
    assert row_ids(browser.get("/inbox?view=group&page=99&per_page=2")) == row_ids(last)
    assert row_ids(browser.get("/inbox?view=group&page=abc&per_page=2")) == row_ids(first)
    # Filters travel with the page links.
    filtered = browser.get("/inbox?view=group&step=assess_report&per_page=2")
    assert filtered.one("a", rel="next").get("href") == (
        "/inbox?view=group&step=assess_report&page=2&per_page=2")


# ---------------------------------------------------------------- claim, release, assign


def test_claim_and_release(web: Web, db: Database, staff: dict[str, Actor]) -> None:
    case_id = demo.report(db, staff["koordinator"], OLA)
    task_id = demo.open_task(db, case_id, "assess_report")
    browser = web("systemkoordinator")
    group = browser.get("/inbox?view=group")
    form = group.one("form", action=f"/inbox/tasks/{task_id}/claim")
    assert form.get("method") == "post"
    assert group.one("a", href=f"/tasks/{task_id}").text.startswith("Åpne")

    claimed = browser.post(f"/inbox/tasks/{task_id}/claim", {"next": "/inbox?view=group"})
    assert claimed.headers["Location"] == "/inbox?view=group"
    after = browser.follow(claimed)
    assert "Du har tatt oppgaven." in after
    assert "Mine oppgaver (1)" in after and "Gruppens oppgaver (0)" in after
    mine = browser.get("/inbox")
    assert citizens(mine) == ["Ola Hansen"]
    row = mine.by_id(f"task-{task_id}")
    assert "Siri Systemkoordinator" in row.text
    assert mine.all("form", action=f"/inbox/tasks/{task_id}/release")
    assert not mine.all("form", action=f"/inbox/tasks/{task_id}/claim")

    released = browser.follow(browser.post(f"/inbox/tasks/{task_id}/release",
                                           {"next": "/inbox"}))
    assert "Oppgaven er lagt tilbake til gruppen." in released
    assert "Mine oppgaver (0)" in released and "Gruppens oppgaver (1)" in released


def test_assign_to_a_named_colleague(web: Web, db: Database, staff: dict[str, Actor]) -> None:
    emma = at_appointment(db, staff, EMMA, "oppvekst")
    task_id = demo.open_task(db, emma, "appoint_coordinator")
    browser = web("fagleder")
    group = browser.get("/inbox?view=group")
    select = f"assign-{task_id}"
    assert group.one("label", **{"for": select})
    assert group.options("assignee") == [("", "Velg kollega"),
                                         ("fagleder_oppvekst", "Frida Oppvekst")]

    done = browser.follow(browser.post(f"/inbox/tasks/{task_id}/assign",
                                       {"assignee": "fagleder_oppvekst",
                                        "next": "/inbox?view=group"}))
    assert "Oppgaven er tildelt Frida Oppvekst." in done
    assert "Gruppens oppgaver (0)" in done
    colleague = web("fagleder_oppvekst").get("/inbox")
    assert citizens(colleague) == ["Emma Berg"]
    assert colleague.all("form", action=f"/inbox/tasks/{task_id}/release")


def test_engine_refusals_are_flash_messages_not_stack_traces(
        web: Web, db: Database, staff: dict[str, Actor]) -> None:
    emma = at_appointment(db, staff, EMMA, "oppvekst")
    task_id = demo.open_task(db, emma, "appoint_coordinator")
    browser = web("fagleder")
    browser.get("/inbox?view=group")  # the page with the claim button ...
    task_actions.claim_task(db, task_id, staff["fagleder_oppvekst"])  # ... a colleague is faster
    page = browser.follow(browser.post(f"/inbox/tasks/{task_id}/claim",
                                       {"next": "/inbox?view=group"}))
    flash = page.one("p", **{"class": "flash error"})
    assert flash.text == "Oppgaven er tatt av Frida Oppvekst."
    assert "Traceback" not in page.html

    task_actions.unclaim_task(db, task_id, staff["fagleder_oppvekst"])
    refused = browser.follow(browser.post(f"/inbox/tasks/{task_id}/assign",
                                          {"assignee": "koordinator", "next": "/inbox"}))
    assert "Denne personen kan ikke utføre oppgaven." in refused
    nobody = browser.follow(browser.post(f"/inbox/tasks/{task_id}/assign", {"next": "/inbox"}))
    assert "Velg hvem oppgaven skal tildeles." in nobody
    gone = browser.follow(browser.post("/inbox/tasks/9999/claim", {"next": "/inbox"}))
    assert "Oppgaven finnes ikke." in gone
    elsewhere = browser.post(f"/inbox/tasks/{task_id}/release",
                             {"next": "https://evil.example/inbox"})
    assert elsewhere.headers["Location"] == "/inbox"


def test_a_post_without_csrf_token_is_refused(
        web: Web, db: Database, staff: dict[str, Actor]) -> None:
    case_id = demo.report(db, staff["koordinator"], OLA)
    task_id = demo.open_task(db, case_id, "assess_report")
    browser = web("systemkoordinator")
    refused = browser.post(f"/inbox/tasks/{task_id}/claim", {"next": "/inbox"}, expect=400,
                           csrf=False)
    assert "Traceback" not in refused.get_data(as_text=True)
    forged = browser.post(f"/inbox/tasks/{task_id}/claim", {"csrf_token": "forged"},
                          expect=400)
    assert forged.status_code == 400
    assert "Gruppens oppgaver (1)" in browser.get("/inbox")  # nothing was claimed
    browser.post(f"/tasks/{task_id}", {"approved": "true"}, expect=400, csrf=False)
    browser.post("/report", {"citizen_name": "X"}, expect=400, csrf=False)


def test_six_failed_logins_in_a_row_get_429(make_app: Callable[..., Flask]) -> None:
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    login = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', login)
    assert token
    statuses = [client.post("/login", data={"username": "koordinator", "password": "feil",
                                            "csrf_token": token.group(1)}).status_code
                for _attempt in range(6)]
    assert statuses == [401, 401, 401, 401, 401, 429]
    last = client.post("/login", data={"username": "koordinator", "password": "demo",
                                       "csrf_token": token.group(1)})
    assert last.status_code == 429
    assert "For mange forsøk" in last.get_data(as_text=True)


def test_search_by_a_name_with_norwegian_letters_in_any_case(
        web: Web, db: Database, staff: dict[str, Actor]) -> None:
    demo.report(db, staff["koordinator"], OLA, name="Øyvind Ås")
    demo.report(db, staff["koordinator"], EMMA)
    browser = web("systemkoordinator")
    assert citizens(browser.get("/inbox?view=group&q=øyvind")) == ["Øyvind Ås"]
    assert citizens(browser.get("/inbox?view=group&q=ÅS")) == ["Øyvind Ås"]
    assert citizens(browser.get("/inbox?view=group&q=%25")) == []  # "%" is a character
