"""The variable rule follows the flow: code may read a variable only when a form, script or
handler on a path that can run before it sets it; a later step's form, a step on another
branch, or a process started without a form do not count."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from engine.features import deploy, diagram_names, diagram_rules
from engine.kernel.db import Database
from engine.kernel.errors import DeployRejected
from engine.runtime.users import SYSTEM
from tests.support import incident_diagram as age

ROOT = Path(__file__).resolve().parents[2]
START_WITHOUT_AGE: dict[str, Any] = {**age.START_FORM, "schema": {
    **age.START_FORM["schema"], "properties": {
        k: v for k, v in age.START_FORM["schema"]["properties"].items() if k != "alder"}}}
AGE_FORM: dict[str, Any] = {"title": "Alder", "schema": {"type": "object", "properties": {
    "alder": {"type": "integer", "title": "Alder"}}}}
ASK_AGE = """<bpmn:userTask id="ask_age" name="Spør om alder">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="form" value="alder_sporsmal" />
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f_ask" sourceRef="ask_age" targetRef="adult_gateway" />
    <bpmn:sequenceFlow id="f_start" sourceRef="start" targetRef="ask_age" />"""


def _errors(xml: str, forms: dict[str, Any]) -> list[dict[str, str]]:
    return diagram_rules.validate(xml, forms)[2]


def _with_ask_age(xml: str) -> str:
    """The age process asking for the age in a step of its own before the gateway."""
    return (xml.replace('<bpmn:sequenceFlow id="f_start" sourceRef="start" '
                        'targetRef="adult_gateway" />', ASK_AGE)
            .replace("<bpmn:flowNodeRef>start</bpmn:flowNodeRef>",
                     "<bpmn:flowNodeRef>start</bpmn:flowNodeRef>"
                     "<bpmn:flowNodeRef>ask_age</bpmn:flowNodeRef>"))


def test_a_variable_only_a_later_step_sets_is_refused_naming_the_flow(db: Database) -> None:
    # Both follow-ups ask for the age, but only after the gateway has read it.
    forms = {"alder_start": START_WITHOUT_AGE, "alder_oppfolging": AGE_FORM}
    with pytest.raises(DeployRejected) as refused:
        deploy.deploy(db, age.diagram(), SYSTEM, forms=forms, key=age.KEY)
    [problem] = refused.value.element_errors
    assert problem["element"] == "f_adult"
    assert problem["message"] == ('Betingelsen på "Voksen" (f_adult) leser «alder», som ingen '
                                  "skjema eller tidligere steg setter.")


def test_a_variable_an_earlier_step_sets_is_accepted(db: Database) -> None:
    forms = {"alder_start": START_WITHOUT_AGE, "alder_oppfolging": age.WORK_FORM,
             "alder_sporsmal": AGE_FORM}
    assert _errors(_with_ask_age(age.diagram()), forms) == []
    versions = deploy.deploy(db, _with_ask_age(age.diagram()), SYSTEM, forms=forms, key=age.KEY)
    assert versions[0].version == 1


def _adult_script(xml: str) -> str:
    """The adult's follow-up as a script that computes with the age."""
    return re.sub(r'<bpmn:userTask id="adult_follow_up".*?</bpmn:userTask>',
                  '<bpmn:scriptTask id="adult_follow_up" name="Følg opp voksen">'
                  "<bpmn:incoming>f_adult</bpmn:incoming>"
                  "<bpmn:outgoing>f_adult_done</bpmn:outgoing>"
                  "<bpmn:script>voksen = alder &gt;= 18</bpmn:script></bpmn:scriptTask>",
                  xml, flags=re.DOTALL)


def test_a_variable_set_on_another_branch_is_refused() -> None:
    # The gateway reads what the start form has; only the child's branch asks for the age,
    # and the adult's branch computes with it: that branch never runs after the child's.
    xml = _adult_script(age.diagram("alder_kjent == True"))
    forms = {"alder_start": START_WITHOUT_AGE, "alder_oppfolging": AGE_FORM}
    assert [(e["element"], e["message"]) for e in _errors(xml, forms)] == [(
        "adult_follow_up", 'Skriptet i "Følg opp voksen" (adult_follow_up) leser «alder», '
        "som ingen skjema eller tidligere steg setter.")]
    # When the child's branch goes on to the same script after its form, that path sets it.
    joined = xml.replace('<bpmn:sequenceFlow id="f_child_done" sourceRef="child_follow_up" '
                         'targetRef="done" />', '<bpmn:sequenceFlow id="f_child_done" '
                         'sourceRef="child_follow_up" targetRef="adult_follow_up" />')
    assert _errors(joined, forms) == []


def test_a_process_without_a_start_form_is_checked_too() -> None:
    xml = age.diagram().replace('<spiffworkflow:property name="form" value="alder_start" />', "")
    [problem] = _errors(xml, dict(age.FORMS))
    assert problem["element"] == "f_adult"
    assert "leser «alder»" in problem["message"]
    # Asked in a step before the gateway, it is fine.
    assert _errors(_with_ask_age(xml), {**age.FORMS, "alder_sporsmal": AGE_FORM}) == []


def test_the_shipped_diagram_still_deploys(db: Database) -> None:
    xml = (ROOT / "processes" / "ip_koordinator.bpmn").read_text()
    assert _errors(xml, {}) == []
    assert deploy.deploy(db, xml, SYSTEM)[0].key == "ip_koordinator"


def test_every_refusal_names_its_element_by_label_with_the_id_after() -> None:
    root = etree.fromstring(age.diagram().replace('id="f_adult" name="Voksen"',
                                                  'id="f_adult"').encode())
    assert diagram_names.element_label(root, "adult_follow_up") == (
        '"Følg opp voksen" (adult_follow_up)')
    assert diagram_names.element_label(root, "f_adult") == (
        'flyten fra "Er innbyggeren voksen?" til "Følg opp voksen" (f_adult)')
    assert diagram_names.element_label(root, "fil") == "filen"
    [problem] = diagram_names.labelled(root, [{"element": "adult_gateway",
                                               "message": "noe er galt"}])
    assert problem["text"] == '"Er innbyggeren voksen?" (adult_gateway): noe er galt'
    # A message that already names its element is shown as it is.
    assert diagram_names.labelled(root, [problem])[0]["text"] == problem["text"]
