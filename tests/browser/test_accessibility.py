"""Every page passes axe-core's WCAG 2.1 A and AA rules, for every demo role, in Norwegian and
English, 1366 px and 390 px wide; a full-page screenshot of each at both widths (Norwegian).

Which pages: for each person, every kind of page reachable by GET links from where they land
after logging in through the real login page (see ``tests/support/accessibility.py``), plus
the pages reached only through a form: the designer's draft (opened by a POST), and the report
form shown again with its errors. A page added later is checked as soon as a link leads to it.

Like every browser test it runs on SQLite only (tests/browser/conftest.py): what axe reads
is the markup, which is the same on PostgreSQL. One browser and one logged-in context per
person: the crawl runs once at 1366 px in Norwegian, and the pages it found are then checked
again at 390 px and in English.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

import processes
from engine.demo import USERNAMES, seed
from engine.features import deploy
from engine.kernel import clock
from engine.runtime.users import get_actor
from tests.support.accessibility import (
    MAX_PAGES,
    Frontier,
    Violation,
    axe_source,
    check,
    kind_of,
    links,
    slug,
)

WIDTHS = {1366: {"width": 1366, "height": 900}, 390: {"width": 390, "height": 844}}
ANONYMOUS = "anonym"

# Violations that are known and cannot be fixed here, as (person, rule, kind of page): reason.
# Asserted exactly: a new violation fails, and so does one listed here that is gone.
KNOWN: dict[tuple[str, str, str], str] = {}


@dataclass
class Crawl:
    """What one person's check found: the pages (by kind), the states, the violations."""

    person: str
    pages: dict[str, str] = field(default_factory=dict)  # kind → the first URL of that kind
    violations: list[Violation] = field(default_factory=list)


def settle(page: Page) -> None:
    """Wait until the diagrams are drawn (the case page's viewer, the designer's modeler)."""
    page.wait_for_function("""() => [...document.querySelectorAll('.diagram, #canvas')]
        .every(d => d.hidden || d.querySelector('svg'))""")


# ---------------------------------------------------------------- pages reached by forms


def open_draft(person: Any) -> None:
    """The designer opens the newest version in the modeler: a POST that makes a draft."""
    person.go("/designer/")
    person.page.get_by_role("link", name=re.compile("Individuell plan")).first.click()
    person.page.get_by_role("button", name=re.compile(r"^Åpne i modellereren")).first.click()
    expect(person.page).to_have_url(re.compile(r"/designer/drafts/\d+$"))


def monitor_later(person: Any) -> None:
    """The monitor as it will stand in 60 days, when the demo cases wait too long: its rows
    lead to the monitor's case pages. (``?now=`` is the monitor's own way to look ahead.)"""
    later = (clock.now() + timedelta(days=60)).date().isoformat()
    person.go(f"/monitor?now={later}")
    expect(person.page.locator("#stuck-table a[href*='/monitor/cases/']").first).to_be_visible()


def report_with_errors(person: Any) -> None:
    """The report of need sent empty: the form again, with its error summary."""
    person.go("/report")
    person.page.locator("#form-top button.primary").click()
    expect(person.page.get_by_role("alert")).to_be_visible()


ENTRIES: dict[str, tuple[Callable[[Any], None], ...]] = {
    "designer": (open_draft,), "leder": (monitor_later,)}
STATES: dict[str, tuple[Callable[[Any], None], ...]] = {"koordinator": (report_with_errors,)}


# ---------------------------------------------------------------- the check


def switch_to_english(page: Page) -> None:
    page.locator("#locale").select_option("en")
    page.locator("form:has(#locale) button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def look(person: Any, found: Crawl, kind: str, variant: tuple[str, int], source: str) -> None:
    settle(person.page)
    locale, width = variant
    found.violations += check(person.page, f"{locale} {width} {kind}", source)
    if locale == "nb":
        person.shot(f"{found.person}-{slug(kind)}-{width}")
    # A page in tabs (the case page): each tab's panel is shown and checked in turn.
    tabs = person.page.get_by_role("tab")
    for index in range(1, tabs.count()):
        tab = tabs.nth(index)
        tab.click()
        expect(tab).to_have_attribute("aria-selected", "true")
        settle(person.page)
        panel = tab.get_attribute("aria-controls")
        found.violations += check(person.page, f"{locale} {width} {kind}#{panel}", source)


def crawl(person: Any, found: Crawl, start: list[str], source: str) -> None:
    """Follow links breadth first from ``start``, checking each new kind of page; when no link
    is left, the person's form-reached pages (``ENTRIES``) start the crawl again."""
    frontier = Frontier.start(start)
    entries = list(ENTRIES.get(found.person, ()))
    while (asked := frontier.next()) is not None or entries:
        if asked is None:  # a page reached through a form: checked as a kind of its own
            entry = entries.pop(0)
            entry(person)
            found.pages[entry.__name__] = person.page.url
            look(person, found, entry.__name__, ("nb", 1366), source)
            frontier.known.add(person.page.url)
            frontier.add(links(person.page, person.server.origin))
            continue
        response = person.page.goto(asked)
        assert response is not None and response.status == 200, (found.person, asked)
        url = person.page.url  # where a redirect ended, e.g. "/" at the person's home
        if kind_of(url) not in found.pages:
            found.pages[kind_of(url)] = url
            assert len(found.pages) <= MAX_PAGES, f"over {MAX_PAGES} kinds of page: {found}"
            look(person, found, kind_of(url), ("nb", 1366), source)
        frontier.add(links(person.page, person.server.origin))


@pytest.mark.parametrize("who", (ANONYMOUS, *USERNAMES))
def test_every_page_has_no_wcag_a_or_aa_violation(
        who: str, visitor: Callable[..., Any], server: Any) -> None:
    seed(server.db)
    if who == "designer":  # a second version, so the comparison and migration pages exist
        xml = (processes.PROCESSES_DIR / "ip_koordinator.bpmn").read_text(encoding="utf-8")
        deploy.deploy(server.db, xml.replace('name="Oppnevn koordinator"',
                                             'name="Oppnevn en koordinator"'),
                      get_actor(server.db, "designer"))
    source = axe_source()
    person = visitor(viewport=WIDTHS[1366], bypass_csp=True)  # for axe's injected script
    if who == ANONYMOUS:
        start = [server.url("/login"), server.url("/tilgjengelighet")]
    else:
        person.login(who)
        start = [person.page.url]
    found = Crawl(person=who)
    crawl(person, found, start, source)
    states = STATES.get(who, ())
    for state in states:
        state(person)
        look(person, found, state.__name__, ("nb", 1366), source)

    for locale, width in (("nb", 390), ("en", 390), ("en", 1366)):
        if locale == "en" and width == 390:
            switch_to_english(person.page)
        person.page.set_viewport_size(WIDTHS[width])
        for kind, url in found.pages.items():
            person.page.goto(url)
            look(person, found, kind, (locale, width), source)
        for state in states:
            state(person)
            look(person, found, state.__name__, (locale, width), source)

    broken = {(who, v.rule, v.page.split(" ", 2)[2]) for v in found.violations}
    known = {key for key in KNOWN if key[0] == who}
    assert broken == known, "\n".join(str(v) for v in found.violations
                                      if (who, v.rule, v.page.split(" ", 2)[2]) not in known)


def test_the_check_finds_violations_where_there_are_some(visitor: Callable[..., Any]) -> None:
    """The check itself: a page with a missing text alternative, an unlabelled field and pale
    text fails with exactly those rules (and a best-practice rule outside A/AA is not run)."""
    page = visitor(bypass_csp=True).page
    page.set_content("""<!doctype html><html lang="nb"><head><title>Prøve</title></head><body>
        <main><h1>Prøve</h1><img src="data:,"><input type="text">
        <p style="color:#bbb;background:#fff">Blek tekst</p><h4>Hopper over nivåer</h4></main>
        </body></html>""")
    found = check(page, "prøve", axe_source())
    assert sorted(v.rule for v in found) == ["color-contrast", "image-alt", "label"]
    assert all(v.page == "prøve" and v.nodes for v in found)
