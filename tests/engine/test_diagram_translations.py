"""A diagram carries its names in English (``name_en``): read, written beside the element's
other properties (after its documentation), removed when emptied; the shipped diagram has an
English name for every named element."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from engine.features import diagram_rules, diagram_translations
from tests.support import incident_diagram as age

SHIPPED = Path(__file__).resolve().parents[2] / "processes" / "ip_koordinator.bpmn"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"


def _english(xml: str) -> dict[str, str]:
    return {n.id: n.translation for n in diagram_translations.names(xml)}


def test_names_and_their_english_are_read_and_written() -> None:
    xml = age.diagram()
    before = diagram_translations.names(xml)
    assert [(n.id, n.kind, n.name) for n in before][:3] == [
        ("aldersprosess", "process", "Aldersprosess"), ("start", "startEvent", "Melding mottatt"),
        ("adult_gateway", "exclusiveGateway", "Er innbyggeren voksen?")]
    assert all(n.translation == "" for n in before)
    named = diagram_translations.with_names(xml, "en", {
        "adult_follow_up": " Follow up adult ", "f_adult": "Adult", "start": "Report received",
        "no_such_element": "ignored"})
    assert _english(named)["adult_follow_up"] == "Follow up adult"
    assert _english(named)["f_adult"] == "Adult"
    assert {n.id for n in diagram_translations.untranslated(named)} == {
        "aldersprosess", "adult_gateway", "child_follow_up", "done"}
    # Beside the task's form, which stays; on a flow, before its condition.
    root = etree.fromstring(named.encode())
    task = root.find(".//*[@id='adult_follow_up']")
    assert [p.get("name") for p in task.iter(f"{SPIFF}property")] == ["form", "name_en"]
    flow = root.find(".//*[@id='f_adult']")
    assert [etree.QName(child).localname for child in flow] == [
        "extensionElements", "conditionExpression"]
    # Changed, then emptied: the property goes, and so does a container left empty.
    renamed = diagram_translations.with_names(named, "en", {"adult_follow_up": "Adult care"})
    assert _english(renamed)["adult_follow_up"] == "Adult care"
    emptied = diagram_translations.with_names(renamed, "en", {"f_adult": "", "start": ""})
    flow = etree.fromstring(emptied.encode()).find(".//*[@id='f_adult']")
    assert [etree.QName(child).localname for child in flow] == ["conditionExpression"]
    assert _english(emptied)["start"] == ""
    assert diagram_rules.validate(emptied, age.FORMS)[2] == []


def test_every_named_element_of_the_shipped_diagram_has_an_english_name() -> None:
    xml = SHIPPED.read_text(encoding="utf-8")
    assert len(diagram_translations.names(xml)) > 100
    assert [(n.id, n.name) for n in diagram_translations.untranslated(xml)] == []
    assert _english(xml)["assess_report"] == "Assess and decide"
