"""A received message is named in the history by the diagram's event that took it, in the
page's language like every step name: a message event a designer adds shows its own name with
no change of code."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask

from engine.features import deploy
from engine.kernel.db import Database
from engine.runtime.users import get_actor
from tests.designer.diagrams import IP_XML
from tests.support.api import Api
from tests.support.legal_events import citizen_in_follow_up, refused
from tests.support.pages import Browser, inside

Web = Callable[[str], Browser]
NAV_EVENT = "Opplysning fra NAV mottatt"


@pytest.fixture()
def web_app(make_app: Callable[..., Flask], compiled_translations: Path) -> Flask:
    """The pages with the catalogue as it is in the .po (English step names included)."""
    return make_app(BABEL_TRANSLATION_DIRECTORIES=str(compiled_translations))


def _with_nav_message(xml: str) -> str:
    """The shipped diagram with a message a designer added to the follow-up phase."""
    event = f"""<bpmn:boundaryEvent id="nav_info" name="{NAV_EVENT}" attachedToRef="phase_follow_up"
        cancelActivity="false">
      <bpmn:outgoing>flow_nav_info</bpmn:outgoing>
      <bpmn:messageEventDefinition id="nav_info_definition" messageRef="msg_nav_info" />
    </bpmn:boundaryEvent>
    <bpmn:endEvent id="nav_info_noted" name="Opplysningen er notert">
      <bpmn:incoming>flow_nav_info</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="flow_nav_info" sourceRef="nav_info" targetRef="nav_info_noted" />
  </bpmn:process>
  <bpmn:message id="msg_nav_info" name="nav_info" />"""
    changed = xml.replace("  </bpmn:process>", event, 1)
    assert changed != xml
    return changed


def test_a_message_event_the_designer_adds_is_named_by_the_diagram(
        web: Web, api: Api, db: Database, frozen: datetime) -> None:
    deploy.deploy(db, _with_nav_message(IP_XML), get_actor(db, "designer"))
    case_id = citizen_in_follow_up(db)
    api.post(f"/cases/{case_id}/messages/nav_info", "koordinator", {"data": {}})
    [received] = [e for e in api.get(f"/cases/{case_id}", "koordinator")["events"]
                  if e["kind"] == "message_received"]
    assert received["bpmn_id"] == "nav_info", "the event that took it"

    browser = web("koordinator")
    history = inside(browser.get(f"/cases/{case_id}"), "hendelser")
    assert f"Registrert: {NAV_EVENT}." in history
    browser.post("/language", {"locale": "en", "next": f"/cases/{case_id}"})
    history = inside(browser.get(f"/cases/{case_id}"), "hendelser")
    assert f"Registered: {NAV_EVENT}." in history, "a new name shows as written"


def test_a_shipped_message_event_reads_in_the_pages_language(
        web: Web, api: Api, db: Database, frozen: datetime) -> None:
    case_id = refused(db)
    api.post(f"/cases/{case_id}/messages/appeal_received", "systemkoordinator",
             {"data": {"text": "Jeg klager."}})
    browser = web("systemkoordinator")
    assert "Registrert: Klage mottatt." in inside(browser.get(f"/cases/{case_id}"), "hendelser")
    browser.post("/language", {"locale": "en", "next": f"/cases/{case_id}"})
    assert "Registered: Appeal received." in inside(browser.get(f"/cases/{case_id}"),
                                                    "hendelser")
