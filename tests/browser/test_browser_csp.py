"""The Content-Security-Policy holds in a real browser: the main pages (login, inbox, a case
with its diagram, the designer's modeler, the monitor) report no violation, and the diagrams
and the heat map are still drawn. A violation is caught both as the page's
``securitypolicyviolation`` event and as the console message Chromium writes for it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from engine import demo
from engine.kernel.db import Database

RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}`);
});
"""


def _violations(page: Page) -> list[str]:
    return list(page.evaluate("window.cspViolations"))


def _watched(visitor: Callable[..., Any], username: str, **options: Any) -> Any:
    person = visitor(**options)
    person.page.add_init_script(RECORD_VIOLATIONS)
    person.login(username)
    return person


def _no_csp_messages(person: Any) -> None:
    assert [m for m in person.watch.console_errors if "Content Security Policy" in m] == []


def test_main_pages_report_no_csp_violation(visitor: Callable[..., Any], server: Any,
                                            db: Database) -> None:
    demo.seed(server.db)
    staff = _watched(visitor, "koordinator")
    page = staff.page
    assert _violations(page) == []  # the login page and the inbox it lands on
    staff.go("/inbox")
    expect(page.get_by_role("row").first).to_be_visible()
    assert _violations(page) == []
    page.get_by_role("link", name="Saker", exact=True).first.click()
    page.locator("a[href^='/cases/']").first.click()
    staff.case_tab("Prosessen")
    expect(page.locator(".diagram .djs-container > svg")).to_be_visible()
    expect(page.locator(".diagram .djs-element").first).to_be_attached()
    assert _violations(page) == []
    _no_csp_messages(staff)

    leder = _watched(visitor, "leder")
    leder.go("/monitor")
    expect(leder.page.locator("svg").first).to_be_visible()
    assert _violations(leder.page) == []
    _no_csp_messages(leder)


def test_the_modeler_reports_no_csp_violation(visitor: Callable[..., Any], db: Database) -> None:
    designer = _watched(visitor, "designer", viewport={"width": 1280, "height": 1000})
    page = designer.page
    assert _violations(page) == []
    page.get_by_role("link", name="Individuell plan og koordinator").click()
    page.get_by_role("button", name=re.compile(r"^Åpne i modellereren\s*:\s*versjon 1$")).click()
    expect(page.locator("body[data-modeler-ready=true]")).to_have_count(1)
    expect(page.locator(".djs-palette")).to_be_visible()
    expect(page.locator(".djs-element").first).to_be_attached()
    assert _violations(page) == []
    _no_csp_messages(designer)
