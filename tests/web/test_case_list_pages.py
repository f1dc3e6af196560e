"""``/cases``: find any case as staff do on the page: search, filters whose choices come from
the diagram and the data, sortable column headers, a pager, and each role's landing page."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from engine.features.diagram import diagram_steps, phases
from engine.kernel.db import Database
from engine.kernel.models import ProcessVersion
from engine.runtime.users import Actor
from tests.support.cases import four_cases
from tests.support.pages import assert_labelled, inside
from tests.support.people import KARI, PER

if TYPE_CHECKING:
    from tests.support.pages import Browser, Page

Web = Callable[[str], "Browser"]


@pytest.fixture()
def cases(db: Database, staff: dict[str, Actor], frozen) -> dict[str, int]:
    """:func:`tests.support.cases.four_cases`, by first name."""
    return four_cases(db, staff, frozen)


def step_name(db: Database, step_id: str) -> str:
    """The diagram's name for a step (what the pages show)."""
    with db.reading() as session:
        version = session.scalars(select(ProcessVersion)).one()
        return {step.id: step.name
                for step in diagram_steps(version.checksum, version.bpmn_xml)}[step_id]


def row_ids(page: Page) -> list[int]:
    return [int(e.get("id")[5:]) for e in page.all("tr") if e.get("id").startswith("case-")]


def test_the_list_shows_every_case_with_where_it_waits_and_links(web: Web, db: Database,
                                                                  cases) -> None:
    page = web("systemkoordinator").get("/cases")
    assert row_ids(page) == sorted(cases.values(), reverse=True)
    assert "4 saker" in inside(page, "case-count")
    assert page.by_id("case-count").get("role") == "status"
    assert_labelled(page)
    assert page.one("caption").text.startswith("Saker")
    emma = inside(page, f"case-{cases['emma']}")
    assert "Emma Berg" in emma and "Aktiv" in emma
    assert step_name(db, "appoint_coordinator") in emma
    assert "020312*****" in emma and "02031250032" not in page.html
    assert "Avsluttet" in inside(page, f"case-{cases['per']}")
    links = {e.get("href") for e in page.all("a")}
    assert {f"/cases/{case_id}" for case_id in cases.values()} <= links
    header = next(e for e in page.all("th") if e.get("aria-sort"))
    assert header.get("aria-sort") == "descending" and "Sak" in header.text


def test_search_and_filters_are_kept_in_the_form(web: Web, cases) -> None:
    browser = web("systemkoordinator")
    page = browser.get(f"/cases?q={PER[:6]}+{PER[6:]}")
    assert row_ids(page) == [cases["per"]]
    assert page.value("q") == f"{PER[:6]} {PER[6:]}"
    page = browser.get("/cases?status=closed")
    assert row_ids(page) == [cases["per"]] and page.selected("status") == "closed"
    page = browser.get("/cases?service_area=oppvekst&step=appoint_coordinator")
    assert row_ids(page) == [cases["emma"]]
    page = browser.get("/cases?coordinator=koordinator")
    assert row_ids(page) == [cases["kari"]]
    assert page.options("coordinator") == [("", "Alle koordinatorer"),
                                          ("koordinator", "Kim Koordinator")]
    page = browser.get("/cases?q=finnes+ikke")
    assert row_ids(page) == [] and "Ingen saker passer med søket." in page


def test_filter_choices_come_from_the_diagram(web: Web, db: Database, cases) -> None:
    page = web("systemkoordinator").get("/cases")
    with db.reading() as session:
        version = session.scalars(select(ProcessVersion)).one()
        expected = list(phases(version.checksum, version.bpmn_xml))
    assert page.options("phase")[1:] == expected
    steps = dict(page.options("step"))
    assert steps["appoint_coordinator"] == step_name(db, "appoint_coordinator")
    assert [value for value, _label in page.options("status")][1:] == [
        "active", "error", "closed", "completed", "cancelled"]


def test_sorting_by_column_header_and_paging(web: Web, cases) -> None:
    browser = web("systemkoordinator")
    page = browser.get("/cases?sort=name")
    names = [e.text.strip() for e in page.all("td", **{"data-label": "Innbygger"})]
    assert names == sorted(names)
    header = next(e for e in page.all("th") if e.get("aria-sort"))
    assert header.get("aria-sort") == "ascending"
    name_link = next(e for e in page.all("a") if "sort=-name" in e.get("href"))
    assert row_ids(browser.get(name_link.get("href"))) == list(reversed(row_ids(page)))
    first = browser.get("/cases?sort=id&per_page=3")
    assert row_ids(first) == sorted(cases.values())[:3]
    next_page = first.one("a", rel="next").get("href")
    assert row_ids(browser.get(next_page)) == sorted(cases.values())[3:]
    assert "Side 1 av 2" in inside(first, "case-count")


def test_bad_parameters_are_reset_and_said(web: Web, cases) -> None:
    page = web("systemkoordinator").get("/cases?sort=alder&per_page=0")
    assert "ble ikke forstått" in page and len(row_ids(page)) == 4


def test_a_coordinator_of_one_area_sees_only_that_area(web: Web, cases) -> None:
    page = web("koordinator_oppvekst").get(f"/cases?q={KARI}")
    assert row_ids(page) == []
    assert row_ids(web("koordinator_oppvekst").get("/cases")) == [cases["emma"]]


def test_citizens_may_not_list_cases_and_see_who_looked_them_up(web: Web, cases) -> None:
    page = web("innbygger").get("/cases", expect=403)
    assert "Bare kommunens ansatte" in page
    web("systemkoordinator").get(f"/cases?q={KARI}")
    log = web("innbygger").get(f"/cases/{cases['kari']}/access-log")
    assert "Søkte opp saken på fødselsnummer" in log


def test_the_list_in_english(web: Web, cases) -> None:
    browser = web("leder")
    browser.post("/language", {"locale": "en", "next": "/cases"})
    page = browser.get("/cases")
    assert "4 cases" in inside(page, "case-count")
    assert "Name, national identity number or case number" in page
    assert "Closed" in inside(page, f"case-{cases['per']}")


def test_each_role_lands_where_its_work_is(web: Web) -> None:
    def landing(user: str) -> str:
        return str(web(user).client.get("/").headers["Location"])

    assert landing("systemkoordinator").endswith("/cases")
    assert landing("leder").endswith("/cases")
    assert landing("koordinator").endswith("/inbox")
    assert landing("fagleder").endswith("/inbox")
    assert landing("designer").endswith("/designer/")
    assert landing("innbygger").endswith("/mine")
    menu = web("koordinator").get("/inbox")
    assert "/cases" in {e.get("href") for e in menu.all("a")}
    assert "/cases" not in {e.get("href") for e in web("innbygger").get("/mine").all("a")}
