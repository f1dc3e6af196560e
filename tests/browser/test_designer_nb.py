"""The modeler speaks Norwegian: its palette, a task's context pad, the "change type" menu and
the task's properties panel (every group opened) show no English text of bpmn-js, its
properties panel or bpmnlint, and the dictionary (webapp/assets/translate-nb.js) was asked for
nothing it lacks."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from engine.kernel.db import Database

TASK = '[data-element-id="assess_report"]'
# The English the modeler would show without the dictionary: palette, context pad, the menu
# of types, the properties panel's groups, entries and header, and bpmnlint's button.
ENGLISH = {
    "Activate hand tool", "Activate lasso tool", "Activate create/remove space tool",
    "Activate global connect tool", "Create start event", "Create end event",
    "Create intermediate/boundary event", "Create gateway", "Create task",
    "Create expanded sub-process", "Create data object reference", "Create data store reference",
    "Create pool/participant", "Create group", "Append task", "Append end event",
    "Append gateway", "Append intermediate/boundary event", "Add text annotation",
    "Connect to other element", "Change element", "Delete", "Task", "User task",
    "Service task", "Script task", "Send task", "Receive task", "Manual task",
    "Business rule task", "Call activity", "Sub-process (collapsed)", "Sub-process (expanded)",
    "Ad-hoc sub-process (collapsed)", "Loop", "Parallel multi-instance",
    "Sequential multi-instance", "Timer boundary event", "General", "Name", "Documentation",
    "Element documentation", "Multi-instance", "Loop cardinality", "Completion condition",
    "Timer", "Duration", "Cycle", "User Task", "Create new ...", "<none>", "No Issues",
    "Toggle section", "Section contains edits", "Toggle linting overlays",
}
VISIBLE_TEXTS = """(selector) => {
    const texts = [];
    for (const root of document.querySelectorAll(selector)) {
        for (const node of root.querySelectorAll('*')) {
            for (const attribute of ['title', 'aria-label', 'placeholder']) {
                if (node.getAttribute(attribute)) texts.push(node.getAttribute(attribute).trim());
            }
            for (const child of node.childNodes) {
                if (child.nodeType === 3 && child.textContent.trim()) {
                    texts.push(child.textContent.trim());
                }
            }
        }
    }
    return texts;
}"""


def english_in(page: Page, selector: str) -> set[str]:
    shown = set(page.evaluate(VISIBLE_TEXTS, selector))
    assert shown, f"nothing shown in {selector}"
    return shown & ENGLISH


def test_the_modeler_shows_no_english(visitor: Callable[..., Any], db: Database) -> None:
    designer = visitor(viewport={"width": 1366, "height": 1000})
    designer.login("designer")
    page = designer.page
    page.get_by_role("link", name="Individuell plan og koordinator").click()
    page.get_by_role("button", name=re.compile(r"^Åpne i modellereren\s*:\s*versjon 1$")).click()
    expect(page.locator("body[data-modeler-ready=true]")).to_have_count(1)
    assert english_in(page, ".djs-palette") == set()
    expect(page.locator('.djs-palette [data-action="create.task"]')).to_have_attribute(
        "aria-label", "Ny oppgave")

    # A task: its context pad, its menu of types and its properties, every group open.
    page.locator('.djs-overlays[data-container-id="phase_assessment"] button.bjs-drilldown'
                 ).click()
    page.locator(f"{TASK} .djs-hit").first.click()
    pad = page.locator(".djs-context-pad.open")
    expect(pad).to_have_count(1)
    expect(pad.locator('[data-action="append.append-task"]')).to_have_accessible_name(
        "Legg til oppgave")
    assert english_in(page, ".djs-context-pad.open") == set()
    pad.locator('[data-action="replace"]').click()
    menu = page.locator(".djs-popup")
    expect(menu).to_contain_text("Automatisk oppgave")
    assert english_in(page, ".djs-popup") == set()
    designer.shot("designer-change-type-nb")
    page.keyboard.press("Escape")
    properties = page.locator("#properties")
    closed = properties.locator(".bio-properties-panel-group-header:not(.open)")
    while closed.count():
        closed.first.click()
    expect(properties.locator(".bio-properties-panel-header-type")).to_have_text(
        "Brukeroppgave")
    expect(properties.get_by_text("Dokumentasjon av elementet", exact=True)).to_be_visible()
    assert english_in(page, "#properties") == set()
    assert english_in(page, ".bjsl-button") == set()
    designer.shot("designer-properties-nb")
    assert page.evaluate("() => Array.from(window.ipflowUntranslated)") == []
    assert not designer.watch.console_errors, designer.watch.console_errors
