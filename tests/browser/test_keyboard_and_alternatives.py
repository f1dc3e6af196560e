"""What axe-core cannot check: the order the keyboard reaches things in, where focus goes after
an action, and that the diagram and the charts have text alternatives that say the same.

Every test works as a keyboard or screen reader user would: Tab and Enter, the accessible
names and descriptions the browser computes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect
from sqlalchemy import select

from engine.demo import CITIZENS, DEMO_CITIZEN_NIN, open_task, seed
from engine.kernel.db import Database
from engine.kernel.models import Case

PER = list(CITIZENS)[3]  # the demo's case in follow-up (see engine.demo.seed)

# Where the focused element is: the skip link, the header (with its navigation), main, footer.
_WHERE = """() => {
  const e = document.activeElement;
  const where = e.matches('a.skip') ? 'skip' : e.closest('header nav') ? 'nav'
    : e.closest('header') ? 'header' : e.closest('main') ? 'main'
    : e.closest('footer') ? 'footer' : 'other';
  return [where, (e.innerText || e.value || e.getAttribute('aria-label') || '').trim()];
}"""


def demo_case(db: Database, nin: str) -> int:
    """The demo case of that citizen (the demo data is made first)."""
    with db.reading() as session:
        if session.scalar(select(Case.id).limit(1)) is None:
            seed(db)
        case_id = session.scalar(select(Case.id).where(Case.citizen_nin == nin))
    assert case_id is not None
    return case_id


def tab_until_main(page: Page, limit: int = 25) -> list[tuple[str, str]]:
    """Press Tab from the top of the page until focus is in main; where each press landed."""
    walk: list[tuple[str, str]] = []
    while len(walk) < limit:
        page.keyboard.press("Tab")
        where, name = page.evaluate(_WHERE)
        walk.append((where, name))
        if where == "main":
            return walk
    raise AssertionError(f"Tab never reached the main content: {walk}")


def assert_skip_link_then_navigation_then_main(page: Page) -> None:
    walk = tab_until_main(page)
    assert walk[0][0] == "skip", walk
    assert all(where in ("header", "nav") for where, _name in walk[1:-1]), walk
    menu = page.get_by_role("navigation", name="Hovedmeny").get_by_role("link")
    assert [name for where, name in walk if where == "nav"] == [
        text.strip() for text in menu.all_inner_texts()], walk
    assert walk[-1][0] == "main"

    # The skip link itself leads past the header: Enter on it, and the next Tab is in main.
    page.reload()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Hopp til innholdet")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate(_WHERE)[0] == "main"


def test_tab_reaches_the_skip_link_then_the_menu_then_the_content(
        visitor: Callable[..., Any], server: Any) -> None:
    kari = demo_case(server.db, DEMO_CITIZEN_NIN)  # the demo citizen's own, at consent
    per = demo_case(server.db, PER)  # in follow-up, the coordinator's task
    follow_up = open_task(server.db, per, "follow_up")
    pages = {"koordinator": ("/inbox", "/report", f"/cases/{per}", f"/tasks/{follow_up}"),
             "innbygger": ("/mine", f"/cases/{kari}"), "leder": ("/monitor",),
             "designer": ("/designer/",)}
    for who, paths in pages.items():
        person = visitor()
        person.login(who)
        for path in paths:
            person.go(path)
            assert_skip_link_then_navigation_then_main(person.page)


def test_a_form_sent_with_errors_puts_focus_on_the_error_summary(
        visitor: Callable[..., Any], server: Any) -> None:
    person = visitor()
    page = person.page
    person.login("koordinator")
    person.go("/report")
    person.button("Send meldingen").click()
    summary = page.get_by_role("alert").filter(has_text="Skjemaet har feil")
    expect(summary).to_be_focused()
    # The summary's first link leads to the field it names.
    page.keyboard.press("Tab")
    first = summary.get_by_role("link").first
    expect(first).to_be_focused()
    target = (first.get_attribute("href") or "").lstrip("#")
    page.keyboard.press("Enter")
    expect(page.locator(f"[id='{target}']")).to_be_focused()
    person.shot("report-errors-focus")


def test_the_case_diagram_has_the_steps_as_its_text_equivalent(
        visitor: Callable[..., Any], server: Any) -> None:
    case_id = demo_case(server.db, PER)
    person = visitor()
    page = person.page
    person.login("koordinator")
    person.go(f"/cases/{case_id}")
    page.get_by_role("tab", name="Prosessen").click()
    diagram = page.locator("#diagram svg[role=img]").first
    expect(diagram).to_have_accessible_name(
        "Prosessdiagram for saken. Den samme informasjonen står i listen Steg i saken.")
    # Its description is the help text and the list of steps, which says where the case stands.
    steps = page.get_by_role("list", name="Steg i saken")
    expect(steps.get_by_role("listitem").first).to_be_visible()
    expect(diagram).to_have_accessible_description(re.compile(r"Steg i saken|pågår"))
    current = steps.locator("li.step-current")
    expect(current.first.locator("strong")).not_to_be_empty()
    described = page.evaluate("""() => document.querySelector('#diagram svg[role=img]')
        .getAttribute('aria-describedby').split(' ')
        .map(id => document.getElementById(id).textContent.replace(/\\s+/g, ' ').trim())""")
    assert current.count() >= 1
    for step in current.all_inner_texts():
        assert step.strip() in described[-1], (step, described)


def test_the_monitor_charts_have_a_title_a_description_and_their_numbers_as_a_table(
        visitor: Callable[..., Any], server: Any) -> None:
    seed(server.db)
    person = visitor()
    page = person.page
    person.login("leder")
    person.go("/monitor")
    charts = page.locator("svg.chart")
    assert charts.count() >= 2
    for index in range(charts.count()):
        chart = charts.nth(index)
        title = chart.locator("title").first.text_content() or ""
        expect(chart).to_have_attribute("role", "img")
        expect(chart).to_have_accessible_name(re.compile(re.escape(title.strip())))
        expect(chart).to_have_accessible_description("Tallene står i tabellen under.")
        # The table with the chart's numbers, in the same section.
        section = chart.locator("xpath=ancestor::section[1]")
        folded = section.locator("details summary")
        if folded.count():  # the monthly numbers are folded under "Tallene i tabell"
            folded.first.click()
        table = section.get_by_role("table").first
        expect(table).to_be_visible()
        assert table.get_by_role("row").count() >= 2
    # The heat map's diagram says where the same numbers are.
    heat = page.locator("#heatmap svg[role=img]").first
    expect(heat).to_have_accessible_name(re.compile("Saker per steg"))
    expect(page.get_by_role("table", name="Saker per steg")).to_be_visible()
