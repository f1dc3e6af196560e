"""Diagrams for the designer's tests: the shipped IP procedure and a tiny one to vary."""

from __future__ import annotations

import io
from typing import Any

import processes

KEY = "ip_koordinator"
IP_XML = (processes.PROCESSES_DIR / "ip_koordinator.bpmn").read_text(encoding="utf-8")

SMALL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs_{pid}"
    targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{pid}" name="{name}" isExecutable="true">
    <bpmn:laneSet id="lanes_{pid}">
      <bpmn:lane id="lane_sk_{pid}" name="{lane}">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>work</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>done</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="work" name="Gjør jobben">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="form" value="{form}" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    {extra}
    <bpmn:endEvent id="done"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="done" />
  </bpmn:process>
</bpmn:definitions>
"""


def small(pid: str = "smaaprosess", name: str = "Liten prosess", lane: str = "systemkoordinator",
          form: str = "coordinator_training", extra: str = "") -> str:
    """A tiny valid diagram (start → one user task → end) to vary one thing at a time."""
    return SMALL.format(pid=pid, name=name, lane=lane, form=form, extra=extra)


def upload(browser: Any, content: str | bytes, key: str | None = None) -> Any:
    """Upload a diagram file on the designer's start page as the logged-in designer."""
    browser.get("/designer/")
    data: dict[str, Any] = {"csrf_token": browser.token(),
                            "bpmn": (io.BytesIO(content.encode() if isinstance(content, str)
                                                else content), "diagram.bpmn")}
    if key:
        data["key"] = key
    return browser.client.post("/designer/upload", data=data,
                               content_type="multipart/form-data")


LOOPING_SCRIPT = """
    <bpmn:scriptTask id="loop" name="Tell">
      <bpmn:script>{script}</bpmn:script>
    </bpmn:scriptTask>"""


def script_diagram(script: str) -> str:
    """start → user task → script → end, the script in the lane too."""
    xml = small(extra=LOOPING_SCRIPT.format(script=script))
    return (xml.replace('<bpmn:flowNodeRef>done</bpmn:flowNodeRef>',
                        '<bpmn:flowNodeRef>done</bpmn:flowNodeRef>'
                        '<bpmn:flowNodeRef>loop</bpmn:flowNodeRef>')
            .replace('<bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="done" />',
                     '<bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="loop" />'
                     '<bpmn:sequenceFlow id="f3" sourceRef="loop" targetRef="done" />')
            .replace('<bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>',
                     '<bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>')
            .replace('<bpmn:script>', '<bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3'
                                      '</bpmn:outgoing><bpmn:script>'))


BOUNDARY_TIMER = """
    <bpmn:boundaryEvent id="reminder" name="Påminnelse" attachedToRef="work"
        cancelActivity="false">
      <bpmn:outgoing>f_reminded</bpmn:outgoing>
      <bpmn:timerEventDefinition id="reminder_timer">
        <bpmn:{kind}>{expression}</bpmn:{kind}>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:endEvent id="reminded" name="Påminnet"><bpmn:incoming>f_reminded</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="f_reminded" sourceRef="reminder" targetRef="reminded" />"""


def timer_diagram(kind: str, expression: str, pid: str = "tidtaker") -> str:
    """start → user task → end, with a non-interrupting timer (``kind`` timeCycle,
    timeDuration or timeDate) on the user task that ends in its own end event."""
    xml = small(pid=pid, extra=BOUNDARY_TIMER.format(kind=kind, expression=expression))
    return xml.replace('<bpmn:flowNodeRef>done</bpmn:flowNodeRef>',
                       '<bpmn:flowNodeRef>done</bpmn:flowNodeRef>'
                       '<bpmn:flowNodeRef>reminder</bpmn:flowNodeRef>'
                       '<bpmn:flowNodeRef>reminded</bpmn:flowNodeRef>')
