"""The process designer in a real browser (Debian Chromium): open version 1 in the bpmn-js
modeler, open the assessment phase (a collapsed sub-process drawn on its own plane), rename
its task by typing on the diagram, shorten its deadline in ipflow's side panel
(a spiffworkflow extension property, saved with the diagram), add a lane and drag the task
out of its role's lane into it, see the server's validation error on the task and in the
list, drag it back, deploy, and see version 2.

Uses the ``visitor`` and ``server`` fixtures of ``tests/browser/conftest.py``: no request may
leave the server's origin and no page may have a JavaScript error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from engine.features import deploy
from engine.kernel.db import Database

KEY = "ip_koordinator"
PHASE = "phase_assessment"
TASK = '[data-element-id="assess_report"]'
# Where the modeler's viewport starts on the phase's plane, in diagram coordinates: left of
# the phase's systemkoordinator lane (x=0..1120, y=0..430, clear of the palette) and above it.
VIEW_X, VIEW_Y = -100, -60
LANE_BAND = (15, 215)  # the lane's name band, at its left edge
TASK_X = 270  # the centre of the assessment, in its lane and in the lane added below it
# Points to hold the task by, as fractions of its width and height, tried in turn.
GRIPS = ((0.2, 0.25), (0.6, 0.25), (0.8, 0.5), (0.5, 0.75))
OWNER_AT = """([x, y]) => {
    const element = document.elementFromPoint(x, y);
    const owner = element && element.closest('[data-element-id]');
    return owner && owner.getAttribute('data-element-id');
}"""
SET_VIEW = """([x, y]) => {
    const canvas = window.ipflowModeler.get('canvas');
    canvas.zoom(1);
    const outer = canvas.viewbox().outer;
    canvas.viewbox({x, y, width: outer.width, height: outer.height});
}"""


def look_at(page: Page, x: float, y: float) -> None:
    """Scroll the diagram (as the designer does with the mouse) so (x, y) is top left."""
    page.evaluate(SET_VIEW, [x, y])


def to_screen(page: Page, x: float, y: float) -> tuple[float, float]:
    box = page.locator("#canvas").bounding_box()
    assert box is not None
    return box["x"] + (x - VIEW_X), box["y"] + (y - VIEW_Y)


def drag(page: Page, start: tuple[float, float], end: tuple[float, float]) -> None:
    """Press, move in small steps (bpmn-js needs real movement) and release, as a hand does."""
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(start[0] + 10, start[1] + 5, steps=5)
    page.mouse.move(*end, steps=20)
    page.mouse.up()


def grip(page: Page) -> tuple[float, float]:
    """A point on the assessment that the task itself answers to: flows drawn across a moved
    task, and its timer on the lower border, would otherwise take the grip."""
    box = page.locator(f"{TASK} .djs-visual").bounding_box()
    assert box is not None
    for across, down in GRIPS:
        point = (box["x"] + box["width"] * across, box["y"] + box["height"] * down)
        if page.evaluate(OWNER_AT, list(point)) == "assess_report":
            return point
    raise AssertionError("every point of the assessment is covered by another element")


def move_task(page: Page, centre: tuple[float, float]) -> None:
    """Drag the assessment so its centre lands at ``centre`` (screen)."""
    box = page.locator(f"{TASK} .djs-visual").bounding_box()
    assert box is not None
    grip_at = grip(page)
    offset = (grip_at[0] - box["x"] - box["width"] / 2,
              grip_at[1] - box["y"] - box["height"] / 2)
    drag(page, grip_at, (centre[0] + offset[0], centre[1] + offset[1]))


def test_a_designer_renames_a_task_fixes_a_lane_error_and_deploys_version_2(
        visitor: Callable[..., Any], db: Database) -> None:
    designer = visitor(viewport={"width": 1280, "height": 1100})
    designer.login("designer")
    page = designer.page
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Prosesser").click()
    page.get_by_role("link", name="Individuell plan og koordinator").click()
    expect(page.locator("#version-1")).to_contain_text("Versjon 1")
    page.get_by_role("button", name=re.compile(r"^Åpne i modellereren\s*:\s*versjon 1$")).click()
    expect(page.locator("body[data-modeler-ready=true]")).to_have_count(1)
    # The top plane shows the phases; the assessment's own plane opens from its button.
    expect(page.locator(TASK)).to_have_count(0)
    page.locator(f'.djs-overlays[data-container-id="{PHASE}"] button.bjs-drilldown').click()
    expect(page.locator(TASK)).to_have_count(1)
    expect(page.locator(".bjs-breadcrumbs")).to_contain_text("Vurdering og avgjørelse")
    look_at(page, VIEW_X, VIEW_Y)

    # Rename the assessment by typing on the diagram.
    page.locator(f"{TASK} .djs-hit").first.dblclick()
    editor = page.locator(".djs-direct-editing-parent")
    expect(editor).to_be_visible()
    page.keyboard.press("Control+A")
    page.keyboard.type("Vurder meldingen og avgjør")
    page.keyboard.press("Enter")
    expect(editor).to_be_hidden()
    expect(page.locator(f"{TASK} text")).to_contain_text("Vurder meldingen")
    # ipflow's side panel shows what the engine reads from the task; shorten its deadline.
    page.mouse.click(*grip(page))
    expect(page.locator("#ipflow-title")).to_have_text("Vurder meldingen og avgjør (UserTask)")
    side = page.locator("#ipflow-panel")
    expect(side.get_by_label("Skjema", exact=True)).to_have_value("assessment")
    expect(side.get_by_label("Validator")).to_have_value("validate.assessment")
    deadline = side.get_by_label("Frist", exact=True)
    expect(deadline).to_have_value("30 dager")  # P30D in the diagram, as people say it
    expect(side).to_contain_text("Lagres som ISO 8601: P30D")
    deadline.fill("20 dager")
    deadline.press("Tab")
    expect(side).to_contain_text("Lagres som ISO 8601: P20D")
    deadline.fill("tre uker")
    deadline.press("Tab")
    expect(page.locator("#designer-status")).to_contain_text("«14 dager»")
    deadline.fill("20 dager")
    deadline.press("Tab")

    # Add a lane below the systemkoordinator's (from the lane's context pad, at its right end)
    # and drag the assessment into it: a lane with no role. The server says so, on the task.
    page.mouse.click(*to_screen(page, *LANE_BAND))  # the lane's name band selects the lane
    look_at(page, 600, VIEW_Y)
    page.locator('.djs-context-pad [data-action="lane-insert-below"]').click()
    look_at(page, VIEW_X, VIEW_Y)
    new_lane = page.evaluate("""() => window.ipflowModeler.get('elementRegistry')
        .filter(e => e.type === 'bpmn:Lane' && !e.businessObject.name)
        .map(e => [e.y, e.height])[0]""")
    move_task(page, to_screen(page, TASK_X, new_lane[0] + new_lane[1] / 2))
    page.get_by_role("button", name="Lagre utkast").click()
    errors = page.locator("#error-list")
    expect(errors).to_contain_text("\"Vurder meldingen og avgjør\" (assess_report): brukeroppgaven "
                                   "må ligge i en bane med en kjent rolle")
    expect(page.locator('.djs-overlays[data-container-id="assess_report"] '
                        '.ipflow-error-badge')).to_have_count(1)
    expect(page.locator(f"{TASK}.ipflow-invalid")).to_have_count(1)
    expect(page.locator("#designer-status")).to_contain_text("har 1 feil")
    designer.shot("designer-lane-error")

    # Drag it back into the systemkoordinator lane: no errors left.
    move_task(page, to_screen(page, TASK_X, 85))
    page.get_by_role("button", name="Lagre utkast").click()
    expect(page.locator("#designer-status")).to_have_text("Utkastet er lagret. Ingen feil.")
    expect(page.locator(".ipflow-error-badge")).to_have_count(0)
    expect(errors.locator("li")).to_have_count(0)

    # Deploy: version 2 is there, with the new name, and version 1 stays as it was.
    page.get_by_label("Hva er endret (vises i versjonslisten)").fill("Nytt navn på vurderingen")
    page.get_by_role("button", name="Ta i bruk som ny versjon").click()
    expect(page.locator("#designer-status")).to_contain_text(
        "Versjon 2 av ip_koordinator er tatt i bruk.")
    page.get_by_role("link", name="Se versjonene").click()
    newest = page.locator("#version-2")
    expect(newest).to_contain_text("Versjon 2")
    expect(newest).to_contain_text("av designer")
    expect(newest).to_contain_text("Nytt navn på vurderingen")
    newest.get_by_role("link", name=re.compile(r"^Se endringene")).click()
    expect(page.locator("#changed")).to_contain_text("Endret (")
    expect(page.get_by_role("cell", name="Vurder meldingen og avgjør")).to_be_visible()
    assert deploy.version_count(db) == 2
    assert "Vurder meldingen og avgjør" in deploy.get_bpmn(db, KEY, 2)
    assert '<spiffworkflow:property name="due_in" value="P20D"' in deploy.get_bpmn(db, KEY, 2)
    assert 'name="Vurder og avgjør"' in deploy.get_bpmn(db, KEY, 1)
    assert not designer.watch.console_errors, designer.watch.console_errors


def test_the_palette_does_not_cover_the_diagram_when_it_opens(
        visitor: Callable[..., Any], db: Database) -> None:
    for width in (1366, 1024):
        designer = visitor(viewport={"width": width, "height": 900})
        designer.login("designer")
        page = designer.page
        page.get_by_role("link", name="Individuell plan og koordinator").click()
        page.get_by_role("button", name=re.compile(r"^Åpne i modellereren\s*:\s*versjon 1$")
                         ).click()
        expect(page.locator("body[data-modeler-ready=true]")).to_have_count(1)
        palette = page.locator(".djs-palette").bounding_box()
        shapes = page.evaluate("""() => window.ipflowModeler.get('elementRegistry')
            .filter(e => e.type !== 'bpmn:Process' && e.type !== 'label' && !e.waypoints
                    && e.parent)
            .map(e => { const r = window.ipflowModeler.get('elementRegistry').getGraphics(e)
                        .getBoundingClientRect(); return [e.id, r.left, r.width]; })
            .filter(([_id, _left, width]) => width > 0)""")
        assert palette is not None and shapes, "the top plane's phases are drawn"
        edge = palette["x"] + palette["width"]
        covered = [s[0] for s in shapes if s[1] < edge]
        assert not covered, f"under the palette at {width} px: {covered}"
        if width == 1366:
            # The properties panel and bpmnlint's advice are in Norwegian.
            properties = page.locator("#properties")
            expect(properties.get_by_text("Generelt", exact=True)).to_be_visible()
            expect(properties.get_by_text("Dokumentasjon", exact=True)).to_be_visible()
            expect(properties).not_to_contain_text("General")
            lint = page.locator("#lint-list")
            expect(lint).to_contain_text("Elementet ligger over et annet element")
            expect(lint).not_to_contain_text("Element overlaps")
            designer.shot("designer-modeler-1366")
