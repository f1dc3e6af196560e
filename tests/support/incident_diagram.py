"""A small process whose gateway reads ``alder``, an optional field of its start form: a case
reported without an age stops there with a missing variable, as a diagram error would."""

from __future__ import annotations

from typing import Any

from engine.features import case_start, deploy
from engine.kernel.db import Database
from engine.runtime.users import SYSTEM, Actor

KEY = "aldersprosess"
ADULT_CONDITION = "alder &gt;= 18"


START_FORM: dict[str, Any] = {
    "title": "Melding",
    "schema": {"type": "object", "required": ["citizen_name", "citizen_nin"], "properties": {
        "citizen_name": {"type": "string", "title": "Navn"},
        "citizen_nin": {"type": "string", "title": "Fødselsnummer"},
        "alder": {"type": "integer", "title": "Alder"},
        "alder_kjent": {"type": "boolean", "title": "Alder er kjent"}}},
}
WORK_FORM: dict[str, Any] = {
    "title": "Oppfølging",
    "schema": {"type": "object", "properties": {"notat": {"type": "string", "title": "Notat"}}},
}
FORMS = {"alder_start": START_FORM, "alder_oppfolging": WORK_FORM}

XML = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
    xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="defs_alder" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="aldersprosess" name="Aldersprosess" isExecutable="true">
    <bpmn:laneSet id="lanes_alder">
      <bpmn:lane id="lane_sk" name="systemkoordinator">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>adult_gateway</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>adult_follow_up</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>child_follow_up</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>done</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" name="Melding mottatt">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="form" value="alder_start" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:outgoing>f_start</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:exclusiveGateway id="adult_gateway" name="Er innbyggeren voksen?" default="f_child">
      <bpmn:incoming>f_start</bpmn:incoming>
      <bpmn:outgoing>f_adult</bpmn:outgoing>
      <bpmn:outgoing>f_child</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:userTask id="adult_follow_up" name="Følg opp voksen">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="form" value="alder_oppfolging" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f_adult</bpmn:incoming><bpmn:outgoing>f_adult_done</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:userTask id="child_follow_up" name="Følg opp barn">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="form" value="alder_oppfolging" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f_child</bpmn:incoming><bpmn:outgoing>f_child_done</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="done" name="Ferdig">
      <bpmn:incoming>f_adult_done</bpmn:incoming><bpmn:incoming>f_child_done</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="f_start" sourceRef="start" targetRef="adult_gateway" />
    <bpmn:sequenceFlow id="f_adult" name="Voksen" sourceRef="adult_gateway"
        targetRef="adult_follow_up">
      <bpmn:conditionExpression>{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_child" sourceRef="adult_gateway" targetRef="child_follow_up" />
    <bpmn:sequenceFlow id="f_adult_done" sourceRef="adult_follow_up" targetRef="done" />
    <bpmn:sequenceFlow id="f_child_done" sourceRef="child_follow_up" targetRef="done" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram_alder">
    <bpmndi:BPMNPlane id="plane_alder" bpmnElement="aldersprosess">
      <bpmndi:BPMNShape id="lane_sk_di" bpmnElement="lane_sk" isHorizontal="true">
        <dc:Bounds x="120" y="60" width="640" height="260" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="start_di" bpmnElement="start">
        <dc:Bounds x="172" y="152" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="adult_gateway_di" bpmnElement="adult_gateway" isMarkerVisible="true">
        <dc:Bounds x="265" y="145" width="50" height="50" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="adult_follow_up_di" bpmnElement="adult_follow_up">
        <dc:Bounds x="400" y="80" width="120" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="child_follow_up_di" bpmnElement="child_follow_up">
        <dc:Bounds x="400" y="200" width="120" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="done_di" bpmnElement="done">
        <dc:Bounds x="632" y="152" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="f_start_di" bpmnElement="f_start">
        <di:waypoint x="208" y="170" /><di:waypoint x="265" y="170" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f_adult_di" bpmnElement="f_adult">
        <di:waypoint x="290" y="145" /><di:waypoint x="290" y="120" />
        <di:waypoint x="400" y="120" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f_child_di" bpmnElement="f_child">
        <di:waypoint x="290" y="195" /><di:waypoint x="290" y="240" />
        <di:waypoint x="400" y="240" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f_adult_done_di" bpmnElement="f_adult_done">
        <di:waypoint x="520" y="120" /><di:waypoint x="650" y="120" />
        <di:waypoint x="650" y="152" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f_child_done_di" bpmnElement="f_child_done">
        <di:waypoint x="520" y="240" /><di:waypoint x="650" y="240" />
        <di:waypoint x="650" y="188" />
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def diagram(condition: str = ADULT_CONDITION) -> str:
    """The age process with ``condition`` on its «Voksen» flow (XML-escaped)."""
    return XML.format(condition=condition)


def deploy_age_process(db: Database, condition: str = ADULT_CONDITION) -> int:
    """Deploy (a new version of) the age process; returns its version number."""
    return deploy.deploy(db, diagram(condition), SYSTEM, forms=FORMS, key=KEY)[0].version


def start_without_age(db: Database, actor: Actor, name: str = "Kari Nordmann") -> int:
    """A case reported without ``alder``: its gateway fails and it waits as an incident."""
    return case_start.start_case(db, KEY, {"citizen_name": name,
                                           "citizen_nin": "23074820085"}, actor)
