"""The citizen reads only what the diagram means for them, on the page and through the API: a
step the diagram keeps to staff (``audience`` ``staff``: the coordinator's training) and the
staff's own events (claims, automatic steps) are left out for them and kept for staff; a
designer who marks a new step so has it hidden without any change of code."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from engine import demo
from engine.features import deploy
from engine.features.audience import STAFF_ONLY_EVENTS
from engine.runtime.users import get_actor
from tests.designer.diagrams import IP_XML
from tests.support.api import Api
from tests.support.cast import Cast
from tests.support.pages import text_of
from tests.support.people import KARI
from webapp.timeline import HIDDEN_EVENTS

TRAINING = "Sørg for opplæring av koordinator"
PAPERWORK = "Kontroller papirene internt"


def _kinds_and_steps(case: dict[str, Any]) -> tuple[set[str], set[str]]:
    return ({e["kind"] for e in case["events"]},
            {t["bpmn_id"] for t in case["tasks"]} | {e["bpmn_id"] for e in case["events"]})


def test_the_coordinators_training_and_staff_events_are_kept_from_the_citizen(
        cast: Cast, api: Api) -> None:
    citizen = cast.users_client("innbygger").get(f"/cases/{cast.case_id}").get_data(as_text=True)
    staff = cast.users_client("koordinator").get(f"/cases/{cast.case_id}").get_data(as_text=True)
    assert TRAINING not in citizen, "neither in the steps nor in the history"
    assert TRAINING in text_of(staff)
    assert f"Fullførte «{TRAINING}»" in text_of(staff)
    assert "Samtykke og ønske om IP" in text_of(citizen), "the citizen's own steps stay"

    theirs = api.get(f"/cases/{cast.case_id}", "innbygger")
    kinds, steps = _kinds_and_steps(theirs)
    assert "ensure_training" not in steps
    assert not kinds & STAFF_ONLY_EVENTS, kinds & STAFF_ONLY_EVENTS
    assert {"case_started", "task_completed"} <= kinds
    assert "give_consent" in steps

    seen_by_staff = api.get(f"/cases/{cast.case_id}", "systemkoordinator")
    kinds, steps = _kinds_and_steps(seen_by_staff)
    assert "ensure_training" in steps
    assert {"task_claimed", "step_completed"} <= kinds


def _with_staff_only_step(xml: str) -> str:
    """The shipped diagram with a step a designer added after the training, marked as staff's."""
    task = f"""<bpmn:userTask id="check_paperwork" name="{PAPERWORK}">
        <bpmn:extensionElements>
          <spiffworkflow:properties>
            <spiffworkflow:property name="form" value="coordinator_training" />
            <spiffworkflow:property name="audience" value="staff" />
          </spiffworkflow:properties>
        </bpmn:extensionElements>
        <bpmn:incoming>flow_ensure_training_to_check_paperwork</bpmn:incoming>
        <bpmn:outgoing>flow_ensure_training_to_appointment_done</bpmn:outgoing>
      </bpmn:userTask>
      <bpmn:sequenceFlow id="flow_ensure_training_to_check_paperwork" """ \
        """sourceRef="ensure_training" targetRef="check_paperwork" />
      """
    changed = xml.replace(
        '<bpmn:outgoing>flow_ensure_training_to_appointment_done</bpmn:outgoing>\n'
        '      </bpmn:userTask>',
        '<bpmn:outgoing>flow_ensure_training_to_check_paperwork</bpmn:outgoing>\n'
        f'      </bpmn:userTask>\n      {task}', 1)
    changed = changed.replace(
        '<bpmn:sequenceFlow id="flow_ensure_training_to_appointment_done" '
        'sourceRef="ensure_training"',
        '<bpmn:sequenceFlow id="flow_ensure_training_to_appointment_done" '
        'sourceRef="check_paperwork"', 1)
    changed = changed.replace('<bpmn:flowNodeRef>ensure_training</bpmn:flowNodeRef>',
                              '<bpmn:flowNodeRef>ensure_training</bpmn:flowNodeRef>\n'
                              '          <bpmn:flowNodeRef>check_paperwork</bpmn:flowNodeRef>', 1)
    assert changed.count("check_paperwork") == 7, "the shipped diagram changed shape"
    return changed


def test_a_step_the_designer_marks_as_staffs_is_hidden_without_code(cast: Cast, api: Api) -> None:
    deploy.deploy(cast.db, _with_staff_only_step(IP_XML), get_actor(cast.db, "designer"))
    case_id = demo.report(cast.db, cast.staff["systemkoordinator"], KARI)
    demo.approve(cast.db, cast.staff, case_id, "helse")
    demo.do(cast.db, cast.staff["fagleder"], case_id, "appoint_coordinator",
            {"coordinator": "koordinator", "citizen_wishes": "Fast kontaktperson."})
    demo.do(cast.db, cast.staff["systemkoordinator"], case_id, "ensure_training",
            {"training_ensured": True})

    staff = text_of(cast.users_client("systemkoordinator").get(f"/cases/{case_id}")
                    .get_data(as_text=True))
    citizen = cast.users_client("innbygger").get(f"/cases/{case_id}").get_data(as_text=True)
    assert PAPERWORK in staff, "staff see the new step, waiting"
    assert PAPERWORK not in citizen and TRAINING not in citizen
    assert "Koordinator oppnevnt" in text_of(citizen), "the events around it stay"
    assert "Venter på Kommunen arbeider med saken" in text_of(citizen), \
        "not the step, but that the municipality works on the case"
    assert "Venter på Ingenting" not in text_of(citizen)

    theirs = api.get(f"/cases/{case_id}", "innbygger")
    assert "check_paperwork" not in _kinds_and_steps(theirs)[1]
    assert "check_paperwork" in {t["bpmn_id"] for t in
                                 api.get(f"/cases/{case_id}", "systemkoordinator")["tasks"]}


def _page_history(html: str) -> Counter[tuple[str, str]]:
    """(kind, when) of every entry in the page's history list."""
    return Counter(re.findall(r'<li class="event-([\w-]+)" data-group="\w+"[^>]*>\s*'
                              r'<time datetime="([^"]+)"', html))


def _page_steps(html: str, state: str) -> set[str]:
    """The names of the steps the page lists in ``state`` (passed, current)."""
    return {name for shown, name in re.findall(r'<li class="step-(\w+)">([^<]*?) – ', html)
            if shown == state}


def test_the_citizens_api_shows_exactly_what_their_page_shows(cast: Cast, api: Api) -> None:
    api.post(f"/monitor/cases/{cast.case_id}/remind", "leder",
             {"reason": "Lederen purrer: saken har stått lenge."})
    html = cast.users_client("innbygger").get(f"/cases/{cast.case_id}").get_data(as_text=True)
    case = api.get(f"/cases/{cast.case_id}", "innbygger")
    documents = api.get(f"/cases/{cast.case_id}/documents", "innbygger")["documents"]

    page = _page_history(html)
    letters = Counter({entry: n for entry, n in page.items() if entry[0] == "document"})
    assert sum(letters.values()) == len(documents) > 0, "the same letters"
    # a task's creation is shown as its step's state, not as an entry of its own (staff too)
    shown = Counter((e["kind"], e["at"]) for e in case["events"]
                    if e["kind"] not in HIDDEN_EVENTS)
    assert page - letters == shown, "the same events, as many of each, at the same times"
    assert "Lederen purrer" not in html and "Lederen purrer" not in str(case)

    tasks = {t["name"]: t["state"] for t in case["tasks"]}
    assert {name for name, state in tasks.items() if state == "ready"} == (
        _page_steps(html, "current") & set(tasks))
    assert {name for name, state in tasks.items() if state == "completed"} <= _page_steps(
        html, "passed")
