"""Whom a step is for is read from the diagram: ``audience`` ``staff`` on the element, or on
its lane for every element in it that says nothing itself."""

from __future__ import annotations

from engine.features.audience import citizen_steps
from engine.features.diagram import diagram_steps
from tests.designer.diagrams import IP_XML, small

STAFF = ('<bpmn:extensionElements><spiffworkflow:properties>'
         '<spiffworkflow:property name="audience" value="staff" />'
         '</spiffworkflow:properties></bpmn:extensionElements>')


def test_the_shipped_diagram_keeps_the_coordinators_training_to_staff() -> None:
    steps = diagram_steps("shipped", IP_XML)
    assert [s.id for s in steps if s.staff_only] == ["ensure_training"]
    shown = {s.id for s in citizen_steps(steps)}
    assert "ensure_training" not in shown
    assert {"give_consent", "decision_sent", "appoint_coordinator"} <= shown
    assert "record_consent" not in shown, "automatic steps are never the citizen's"


def test_a_staff_lane_marks_its_elements_and_an_element_may_say_otherwise() -> None:
    xml = small().replace('name="systemkoordinator">',
                          f'name="systemkoordinator">{STAFF}', 1)
    assert {s.id for s in citizen_steps(diagram_steps("lane", xml))} == set()
    audience_for_all = xml.replace('<bpmn:endEvent id="done">',
                                   '<bpmn:endEvent id="done">' + STAFF.replace("staff", "all"))
    assert [s.id for s in citizen_steps(diagram_steps("end", audience_for_all))] == ["done"]
    assert [s.id for s in citizen_steps(diagram_steps("plain", small()))] == [
        "start", "work", "done"]
