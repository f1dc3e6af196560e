"""The IP/koordinator diagram against the procedure contract (docs/procedure.md).

Parses processes/ip_koordinator.bpmn with the Spiff parser, checks lanes, forms, handler names,
diagram interchange and layout, and runs the main paths with a stub script engine whose
service calls only set what the real handlers would set. handlers/ is not imported.
"""

from __future__ import annotations

import json
import re
import warnings
from datetime import date, timedelta
from pathlib import Path

import jsonschema
import pytest
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.specs.defaults import ServiceTask, UserTask
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

ROOT = Path(__file__).resolve().parents[1]
BPMN_FILE = ROOT / "processes" / "ip_koordinator.bpmn"
FORMS_DIR = ROOT / "processes" / "forms"
CONTRACT = ROOT / "docs" / "procedure.md"
PROCESS_ID = "ip_koordinator"
ROLES = {"innbygger", "systemkoordinator", "fagleder", "koordinator"}

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
FLOW_NODE_TAGS = {
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent",
    "boundaryEvent", "task", "userTask", "serviceTask", "scriptTask", "manualTask",
    "sendTask", "receiveTask", "businessRuleTask", "callActivity", "subProcess",
    "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway",
    "complexGateway",
}


# --------------------------------------------------------------------------- contract


def _contract_table(heading: str) -> list[list[str]]:
    """Rows (cells as text) of the first markdown table under a '## heading' section."""
    text = CONTRACT.read_text(encoding="utf-8")
    section = text.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        line = line.strip()
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if set("".join(cells)) <= set("-: "):
            continue  # separator row
        rows.append(cells)
    return rows[1:]  # without the header row


def _ticked(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


@pytest.fixture(scope="module")
def handler_table() -> dict[str, dict]:
    table = {}
    for name, params, what in _contract_table("Service task handlers"):
        entry = {"params": set(_ticked(params)[:1]) if params else set(), "kinds": None}
        if "kinds:" in what:
            entry["kinds"] = set(_ticked(what.split("kinds:", 1)[1]))
        table[_ticked(name)[0]] = entry
    return table


@pytest.fixture(scope="module")
def validator_names() -> set[str]:
    return {_ticked(row[0])[0] for row in _contract_table("Validators")}


def test_contract_tables_parse(handler_table, validator_names):
    assert "journal.note" in handler_table
    assert handler_table["journal.note"]["params"] == {"kind"}
    assert "no_appeal" in handler_table["journal.note"]["kinds"]
    assert "validate.report" in validator_names


# --------------------------------------------------------------------------- parsing


@pytest.fixture(scope="module")
def spec():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no deprecated messageVariable placement etc.
        parser = SpiffBpmnParser(validator=BpmnValidator())  # XSD-validates the file too
        parser.add_bpmn_file(str(BPMN_FILE))
        return parser.get_spec(PROCESS_ID)


@pytest.fixture(scope="module")
def xml():
    return etree.parse(str(BPMN_FILE))


def _process(xml):
    return xml.find(f".//bpmn:process[@id='{PROCESS_ID}']", NS)


def _flow_nodes(xml) -> list:
    return [el for el in _process(xml) if etree.QName(el).localname in FLOW_NODE_TAGS]


def _bpmn_specs(spec, cls):
    return [t for t in spec.task_specs.values()
            if isinstance(t, cls) and getattr(t, "bpmn_id", None)]


def test_single_executable_process_in_collaboration(xml):
    processes = xml.findall(".//bpmn:process", NS)
    assert [p.get("id") for p in processes] == [PROCESS_ID]
    assert processes[0].get("name") == "Individuell plan og koordinator"
    assert processes[0].get("isExecutable") == "true"
    participants = xml.findall(".//bpmn:collaboration/bpmn:participant", NS)
    assert [p.get("processRef") for p in participants] == [PROCESS_ID]
    assert not _process(xml).findall(".//bpmn:subProcess", NS), "keep the diagram flat"


def test_lanes_are_the_four_roles_and_cover_every_node_once(xml):
    lanes = _process(xml).findall("bpmn:laneSet/bpmn:lane", NS)
    assert sorted(lane.get("name") for lane in lanes) == sorted(ROLES)
    refs = [r.text for lane in lanes for r in lane.findall("bpmn:flowNodeRef", NS)]
    node_ids = [n.get("id") for n in _flow_nodes(xml)]
    assert sorted(refs) == sorted(node_ids), "every flow node in exactly one lane"


def test_ids_are_snake_case_and_names_present(xml):
    for el in _flow_nodes(xml):
        assert re.fullmatch(r"[a-z][a-z0-9_]*", el.get("id")), el.get("id")
        tag = etree.QName(el).localname
        if tag not in {"exclusiveGateway"}:
            assert el.get("name"), f"{el.get('id')} needs a Norwegian name"


def _form(name: str) -> dict:
    path = FORMS_DIR / f"{name}.json"
    assert path.is_file(), f"form file {path} is missing"
    return json.loads(path.read_text(encoding="utf-8"))


def _check_titles(schema: dict, where: str):
    for key, prop in schema.get("properties", {}).items():
        assert prop.get("title"), f"{where}.{key} has no title"
        if prop.get("type") == "object":
            _check_titles(prop, f"{where}.{key}")
        items = prop.get("items")
        if isinstance(items, dict) and items.get("type") == "object":
            _check_titles(items, f"{where}.{key}[]")


def _check_form(name: str):
    form = _form(name)
    assert set(form) >= {"title", "schema", "ui"}
    schema = form["schema"]
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["type"] == "object"
    assert set(schema.get("required", [])) <= set(schema["properties"])
    _check_titles(schema, name)
    assert sorted(form["ui"]["order"]) == sorted(schema["properties"]), name
    assert set(form["ui"].get("widgets", {})) <= set(schema["properties"])
    return form


def test_user_tasks_have_lane_form_and_known_validator(spec, validator_names):
    user_tasks = _bpmn_specs(spec, UserTask)
    assert len(user_tasks) == 12
    for task in user_tasks:
        assert task.lane in ROLES, task.bpmn_id
        props = task.extensions.get("properties", {})
        assert "form" in props, f"{task.bpmn_id} has no form property"
        _check_form(props["form"])
        if "validator" in props:
            assert props["validator"] in validator_names, task.bpmn_id
        if "due_in" in props:
            TimerEventDefinition.parse_iso_duration(props["due_in"])


def test_start_event_has_report_form(spec, validator_names):
    start = spec.task_specs["report_received"]
    props = start.extensions["properties"]
    assert props == {"form": "report", "validator": "validate.report"}
    assert props["validator"] in validator_names
    _check_form("report")


def test_forms_use_contract_field_names():
    expected = {
        "report": {"citizen_name", "citizen_nin", "guardians", "reported_by", "reporter_name",
                   "reporter_contact", "copy_to_reporter", "requests", "expecting_child",
                   "need_description"},
        "assessment": {"long_term_need", "two_or_more_services", "citizen_wants", "approved",
                       "approved_ip", "approved_coordinator", "approved_barnekoordinator",
                       "service_area", "assessment_reasoning"},
        "appeal_reassessment": {"appeal_upheld", "appeal_reasoning", "service_area"},
        "appointment": {"coordinator", "citizen_wishes", "appointment_note"},
        "coordinator_training": {"training_ensured", "training_note"},
        "startup_summons": {"startup_meeting_at", "startup_meeting_place"},
        "consent": {"consent_date", "consent_given_by", "child_view", "consent_to_plan",
                    "sharing_consents", "wants_ip", "revision_date", "consent_on_paper"},
        "plan": {"plan_goals", "plan_resources", "plan_needs", "plan_coordinator",
                 "plan_participants", "plan_contributions", "plan_measures", "plan_start",
                 "revision_date", "plan_consents", "plan_cooperation", "plan_language",
                 "plan_interpreter_needed"},
        "meeting": {"meeting_date", "meeting_participants", "minutes", "action_items"},
        "evaluation": {"continue_plan", "evaluation_summary"},
        "citizen_goals": {"citizen_goals", "citizen_service_wishes", "citizen_own_resources",
                          "citizen_participants_wishes"},
    }
    assert sorted(p.stem for p in FORMS_DIR.glob("*.json")) == sorted(expected)
    for name, fields in expected.items():
        form = _check_form(name)
        assert set(form["schema"]["properties"]) == fields, name
    for name in ("assessment", "appeal_reassessment"):
        area = _form(name)["schema"]["properties"]["service_area"]
        assert area["type"] == "string" and area["x-source"] == "service_areas"


def test_report_form_validates_examples():
    validator = jsonschema.Draft202012Validator(_form("report")["schema"])
    good = {"citizen_name": "Kari Nordmann", "citizen_nin": "01010112345",
            "reported_by": "parorende", "requests": ["ip", "koordinator"]}
    assert not list(validator.iter_errors(good))
    for bad in ({**good, "requests": []}, {**good, "requests": ["ip", "ip"]},
                {**good, "citizen_nin": "0101011234"}, {**good, "reported_by": "nabo"}):
        assert list(validator.iter_errors(bad)), bad


def test_service_tasks_use_contract_handlers(spec, handler_table):
    service_tasks = _bpmn_specs(spec, ServiceTask)
    assert service_tasks
    for task in service_tasks:
        entry = handler_table.get(task.operation_name)
        assert entry is not None, f"{task.bpmn_id}: unknown handler {task.operation_name}"
        assert set(task.operation_params) == entry["params"], task.bpmn_id
        if entry["kinds"] is not None:
            kind = eval(task.operation_params["kind"]["value"])  # a quoted python literal
            assert kind in entry["kinds"], task.bpmn_id


def test_exclusive_gateways_have_defaults_and_conditions(xml):
    proc = _process(xml)
    flows = {f.get("id"): f for f in proc.findall("bpmn:sequenceFlow", NS)}
    for gw in proc.findall("bpmn:exclusiveGateway", NS):
        out = [f for f in flows.values() if f.get("sourceRef") == gw.get("id")]
        assert gw.get("default") in {f.get("id") for f in out}, gw.get("id")
        for f in out:
            if f.get("id") != gw.get("default"):
                cond = f.find("bpmn:conditionExpression", NS)
                assert cond is not None and cond.text.strip(), f.get("id")
                compile(cond.text, f.get("id"), "eval")


def test_messages_and_timers(xml):
    names = {m.get("name") for m in xml.findall(".//bpmn:message", NS)}
    assert names == {"appeal_received", "coordinator_change", "end_requested",
                     "consent_withdrawn"}
    variables = {}
    for ev in _process(xml).iter(f"{{{NS['bpmn']}}}messageEventDefinition"):
        msg = xml.find(f".//bpmn:message[@id='{ev.get('messageRef')}']", NS)
        var = ev.find(".//spiffworkflow:messageVariable", NS)
        variables[msg.get("name")] = var.text
    assert variables == {"appeal_received": "appeal", "coordinator_change": "coordinator_change",
                         "end_requested": "end_request", "consent_withdrawn": "consent_withdrawal"}
    timers = {}
    for ev in _process(xml).iter(f"{{{NS['bpmn']}}}timerEventDefinition"):
        (expr,) = list(ev)
        timers[ev.getparent().get("id")] = (etree.QName(expr).localname, expr.text)
    assert timers == {
        "assessment_deadline": ("timeDuration", '"P30D"'),
        "appeal_period_expired": ("timeDuration", '"P4W"'),
        "revision_date_reached": ("timeDate", "revision_date"),
    }
    boundary = {b.get("id"): b.get("cancelActivity", "true")
                for b in _process(xml).findall("bpmn:boundaryEvent", NS)}
    assert boundary == {"assessment_deadline": "false", "coordinator_change_requested": "true",
                        "consent_withdrawn_received": "true", "end_requested_by_citizen": "true",
                        "revision_date_reached": "true"}
    attached = {b.get("id"): b.get("attachedToRef")
                for b in _process(xml).findall("bpmn:boundaryEvent", NS)}
    assert attached["consent_withdrawn_received"] == "follow_up"


# --------------------------------------------------------------------------- diagram interchange


def _bounds(xml) -> dict[str, tuple[float, float, float, float]]:
    out = {}
    for shape in xml.findall(".//bpmndi:BPMNShape", NS):
        b = shape.find("dc:Bounds", NS)
        out[shape.get("bpmnElement")] = tuple(
            float(b.get(k)) for k in ("x", "y", "width", "height"))
    return out


def _inside(inner, outer, tol=0.0) -> bool:
    x, y, w, h = inner
    ox, oy, ow, oh = outer
    return (x >= ox - tol and y >= oy - tol and x + w <= ox + ow + tol
            and y + h <= oy + oh + tol)


def _overlap(a, b) -> bool:
    return (a[0] < b[0] + b[2] and b[0] < a[0] + a[2]
            and a[1] < b[1] + b[3] and b[1] < a[1] + a[3])


def test_every_element_has_di(xml):
    bounds = _bounds(xml)
    edges = {e.get("bpmnElement"): e for e in xml.findall(".//bpmndi:BPMNEdge", NS)}
    plane = xml.find(".//bpmndi:BPMNPlane", NS)
    assert plane.get("bpmnElement") == xml.find(".//bpmn:collaboration", NS).get("id")
    for p in xml.findall(".//bpmn:participant", NS):
        assert p.get("id") in bounds
    for lane in xml.findall(".//bpmn:lane", NS):
        assert lane.get("id") in bounds
    for node in _flow_nodes(xml):
        assert node.get("id") in bounds, f"{node.get('id')} has no shape"
    for flow in _process(xml).findall("bpmn:sequenceFlow", NS):
        edge = edges.get(flow.get("id"))
        assert edge is not None, f"{flow.get('id')} has no edge"
        assert len(edge.findall("di:waypoint", NS)) >= 2


def test_layout_geometry(xml):
    bounds = _bounds(xml)
    nodes = {n.get("id"): n for n in _flow_nodes(xml)}
    hosts = {n.get("id"): n.get("attachedToRef") for n in nodes.values()
             if n.get("attachedToRef")}

    # lanes stack inside the participant without overlapping
    (participant,) = xml.findall(".//bpmn:participant", NS)
    pool = bounds[participant.get("id")]
    lanes = _process(xml).findall("bpmn:laneSet/bpmn:lane", NS)
    for lane in lanes:
        assert _inside(bounds[lane.get("id")], pool), lane.get("name")
        assert bounds[lane.get("id")][3] >= 150, f"lane {lane.get('name')} too low"
    for i, a in enumerate(lanes):
        for b in lanes[i + 1:]:
            assert not _overlap(bounds[a.get("id")], bounds[b.get("id")])

    # every node lies inside its lane
    for lane in lanes:
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            assert _inside(bounds[ref.text], bounds[lane.get("id")]), ref.text

    # no two nodes overlap (a boundary event sits on its host's border by design)
    ids = list(nodes)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            if hosts.get(a) == b or hosts.get(b) == a:
                continue
            assert not _overlap(bounds[a], bounds[b]), f"{a} overlaps {b}"

    # boundary events are centred on their host's border
    for event, host in hosts.items():
        x, y, w, h = bounds[event]
        cx, cy = x + w / 2, y + h / 2
        hx, hy, hw, hh = bounds[host]
        on_vertical = hx <= cx <= hx + hw and cy in (hy, hy + hh)
        on_horizontal = hy <= cy <= hy + hh and cx in (hx, hx + hw)
        assert on_vertical or on_horizontal, f"{event} is not on the border of {host}"

    # edges start at their source and end at their target
    edges = {e.get("bpmnElement"): e for e in xml.findall(".//bpmndi:BPMNEdge", NS)}
    for flow in _process(xml).findall("bpmn:sequenceFlow", NS):
        points = [(float(p.get("x")), float(p.get("y")))
                  for p in edges[flow.get("id")].findall("di:waypoint", NS)]
        for point, ref in ((points[0], flow.get("sourceRef")),
                           (points[-1], flow.get("targetRef"))):
            assert _inside((*point, 0, 0), bounds[ref], tol=1), (flow.get("id"), ref)
        for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
            assert x0 == x1 or y0 == y1, f"{flow.get('id')} is not orthogonal"


# --------------------------------------------------------------------------- simulation


class StubEngine(PythonScriptEngine):
    """Service tasks record the call and set what the real handler would set."""

    def __init__(self):
        super().__init__()
        self.calls: list[tuple[str, str, dict]] = []

    def call_service(self, task, operation_name, operation_params):
        params = {k: v["value"] for k, v in operation_params.items()}
        self.calls.append((task.task_spec.bpmn_id, operation_name, params))
        data = task.data
        if operation_name == "citizen.derive":
            data["citizen_birth_date"] = "2001-01-01"
            data["citizen_under_16"] = False
        elif operation_name == "letters.decision":
            # as handlers.letters.ip_outcome: IP only when requested, and granted or appealed
            requested = "ip" in data.get("requests", [])
            approved_ip = data.get("approved_ip")
            granted = data.get("approved") if approved_ip is None else approved_ip
            data["ip_granted"] = bool(requested and (data.get("appeal_upheld") or granted))
        elif operation_name == "consent.withdraw":
            data["plan_consent_withdrawn"] = data["consent_withdrawal"]["kind"] == "plan"
        elif operation_name == "letters.refusal":
            data["appeal_deadline"] = (date.today() + timedelta(weeks=4)).isoformat()
        elif operation_name == "plan.set_revision_date" and not data.get("revision_date"):
            consent = date.fromisoformat(data["consent_date"])
            data["revision_date"] = consent.replace(year=consent.year + 1).isoformat()
        elif operation_name == "plan.record_meeting":
            meeting = {k: data.pop(k, None)
                       for k in ("meeting_date", "meeting_participants", "minutes",
                                 "action_items")}
            data.setdefault("meetings", []).append(meeting)
        elif operation_name == "consent.record":
            data.setdefault("consents", []).append(
                {"period": params["period"], "date": data.get("consent_date")})
        elif operation_name == "coordinator.register":
            data.setdefault("coordinator_history", []).append(data["coordinator"])
        return "{}"

    def handlers(self) -> list[str]:
        return [name for _, name, _ in self.calls]

    def journal_kinds(self) -> list[str]:
        return [p["kind"] for _, name, p in self.calls if name == "journal.note"]


REPORT = {"citizen_name": "Kari Nordmann", "citizen_nin": "01010112345",
          "reported_by": "innbygger", "requests": ["ip", "koordinator"]}
TODAY = date.today().isoformat()
CONSENT = {"consent_date": TODAY, "consent_given_by": [{"name": "Kari", "relation": "selv"}],
           "consent_to_plan": True, "wants_ip": True}


@pytest.fixture()
def run(spec):
    engine = StubEngine()
    workflow = BpmnWorkflow(spec, script_engine=engine)
    start = workflow.get_next_task(spec_name="report_received")
    start.data.update(REPORT)
    workflow.do_engine_steps()
    return workflow, engine


def ready(workflow) -> list[str]:
    return sorted(t.task_spec.bpmn_id for t in workflow.get_tasks(state=TaskState.READY,
                                                                    manual=True))


def complete(workflow, bpmn_id: str, **values):
    task = workflow.get_next_task(spec_name=bpmn_id, state=TaskState.READY)
    assert task is not None, f"{bpmn_id} is not ready; ready: {ready(workflow)}"
    task.data.update(values)
    task.run()
    workflow.do_engine_steps()
    return task


def fire_timer(workflow, bpmn_id: str):
    """Fire a waiting timer as if its time had come.

    A timer behind an event-based gateway is waited for by the gateway task, which holds the
    timer's internal data; any other timer event waits itself.
    """
    (task,) = [t for t in workflow.get_tasks(state=TaskState.WAITING)
               if t.task_spec.bpmn_id == bpmn_id
               or bpmn_id in {c.task_spec.bpmn_id for c in t.children}]
    task._set_internal_data(event_fired=True)
    workflow.refresh_timers()
    workflow.do_engine_steps()


def send(workflow, message: str, payload: dict):
    workflow.catch(BpmnEvent(MessageEventDefinition(message), payload))
    workflow.do_engine_steps()


def lane_of(workflow, bpmn_id: str) -> str:
    return workflow.get_next_task(spec_name=bpmn_id, state=TaskState.READY).task_spec.lane


def approve_and_start(workflow, wants_ip=True, approved_ip=None):
    assert ready(workflow) == ["assess_report"]
    assert lane_of(workflow, "assess_report") == "systemkoordinator"
    complete(workflow, "assess_report", long_term_need=True, two_or_more_services=True,
             citizen_wants=True, approved=True,
             approved_ip=wants_ip if approved_ip is None else approved_ip, service_area="helse")
    assert ready(workflow) == ["appoint_coordinator"]
    assert lane_of(workflow, "appoint_coordinator") == "fagleder"
    complete(workflow, "appoint_coordinator", coordinator="ola")
    complete(workflow, "ensure_training", training_ensured=True)
    complete(workflow, "summon_startup_meeting", startup_meeting_at=f"{TODAY}T10:00:00+01:00",
             startup_meeting_place="Rådhuset")
    assert ready(workflow) == ["give_consent"]
    assert lane_of(workflow, "give_consent") == "innbygger"
    complete(workflow, "give_consent", **{**CONSENT, "wants_ip": wants_ip})


def describe_goals(workflow):
    """The citizen describes goals and wishes before the coordinator writes the plan."""
    assert ready(workflow) == ["describe_goals"]
    assert lane_of(workflow, "describe_goals") == "innbygger"
    complete(workflow, "describe_goals", citizen_goals="Bo hjemme og gå på jobb")


def test_main_path_plan_meeting_evaluate_renew_close(run):
    workflow, engine = run
    approve_and_start(workflow)
    describe_goals(workflow)
    assert ready(workflow) == ["establish_plan"]
    assert lane_of(workflow, "establish_plan") == "koordinator"
    complete(workflow, "establish_plan", plan_goals="Bo hjemme", plan_start=TODAY,
             plan_participants=[{"name": "Ola", "role": "koordinator"}],
             plan_measures=[{"description": "Hjemmetjeneste", "responsible": "Ola"}])
    assert ready(workflow) == ["follow_up"]
    complete(workflow, "follow_up", meeting_date=TODAY, minutes="Oppstart")
    assert ready(workflow) == ["follow_up"], "the meeting loops back"
    complete(workflow, "follow_up", meeting_date=TODAY, minutes="Møte 2")
    assert len(workflow.last_task.data["meetings"]) == 2

    fire_timer(workflow, "revision_date_reached")
    assert ready(workflow) == ["evaluate_plan"], "the revision timer interrupts follow-up"
    complete(workflow, "evaluate_plan", evaluation_summary="Godt", continue_plan=True)
    assert ready(workflow) == ["renew_consent"]
    assert lane_of(workflow, "renew_consent") == "innbygger"
    complete(workflow, "renew_consent", **CONSENT)
    assert ready(workflow) == ["follow_up"]

    fire_timer(workflow, "revision_date_reached")
    complete(workflow, "evaluate_plan", evaluation_summary="Ferdig", continue_plan=False)
    assert workflow.is_completed()
    assert engine.handlers() == [
        "citizen.derive", "letters.decision", "coordinator.register", "kpr.start",
        "notify.systemkoordinator", "letters.summons", "consent.record",
        "plan.set_revision_date", "kpr.start", "plan.record_meeting", "plan.record_meeting",
        "consent.record", "plan.set_revision_date", "journal.note", "kpr.end",
        "notify.systemkoordinator",
    ]
    assert [p for _, n, p in engine.calls if n == "consent.record"] == [
        {"period": "first"}, {"period": "renewal"}]
    assert [p for _, n, p in engine.calls if n == "kpr.start"] == [
        {"service": "koordinator"}, {"service": "ip"}]
    assert engine.journal_kinds() == ["plan_closed"]
    end = [t for t in workflow.get_tasks(state=TaskState.COMPLETED)
           if t.task_spec.bpmn_id == "plan_closed_end"]
    assert end


def test_declined_plan_coordinator_change_and_end_request(run):
    workflow, engine = run
    approve_and_start(workflow, wants_ip=False)
    assert ready(workflow) == ["follow_up"], "coordinator-only path skips the plan"
    assert engine.journal_kinds() == ["declined_electronic_plan"]
    assert ("notify_declined_plan", "notify.systemkoordinator",
            {"subject": "Innbygger ønsker ikke IP i elektronisk verktøy"}) in engine.calls

    # The change interrupts follow-up and returns to it with the new coordinator in the data,
    # so a second change can follow at once.
    send(workflow, "coordinator_change", {"reason": "Permisjon"})
    assert ready(workflow) == ["appoint_new_coordinator"], "interrupting"
    assert lane_of(workflow, "appoint_new_coordinator") == "fagleder"
    task = complete(workflow, "appoint_new_coordinator", coordinator="kari")
    assert task.data["coordinator_change"] == {"reason": "Permisjon"}
    assert ready(workflow) == ["follow_up"]
    assert next(t for t in workflow.get_tasks(state=TaskState.READY)).data["coordinator"] == "kari"
    assert engine.journal_kinds()[-1] == "coordinator_changed"
    assert not workflow.is_completed()

    send(workflow, "coordinator_change", {"reason": "Sykdom"})
    assert ready(workflow) == ["appoint_new_coordinator"]
    complete(workflow, "appoint_new_coordinator", coordinator="per")
    assert ready(workflow) == ["follow_up"]

    send(workflow, "end_requested", {"reason": "Ønsker ikke mer"})
    assert workflow.is_completed()
    assert engine.journal_kinds() == ["declined_electronic_plan", "coordinator_changed",
                                      "coordinator_changed", "ended_by_citizen", "plan_closed"]
    assert engine.handlers()[-2:] == ["kpr.end", "notify.systemkoordinator"]


def test_assessment_deadline_sends_interim_reply_without_interrupting(run):
    workflow, engine = run
    fire_timer(workflow, "assessment_deadline")
    assert "letters.interim_reply" in engine.handlers()
    assert ready(workflow) == ["assess_report"]


def _refuse(workflow):
    complete(workflow, "assess_report", long_term_need=False, two_or_more_services=True,
             citizen_wants=True, approved=False, assessment_reasoning="Ikke langvarig behov")
    assert ready(workflow) == []


def test_refusal_without_appeal_ends_after_appeal_period(run):
    workflow, engine = run
    _refuse(workflow)
    assert "letters.refusal" in engine.handlers()
    fire_timer(workflow, "appeal_period_expired")
    assert workflow.is_completed()
    assert engine.journal_kinds() == ["no_appeal"]


def test_refusal_appeal_upheld_reaches_appointment(run):
    workflow, engine = run
    _refuse(workflow)
    send(workflow, "appeal_received", {"text": "Jeg klager", "received_at": TODAY})
    assert ready(workflow) == ["reassess_appeal"]
    assert lane_of(workflow, "reassess_appeal") == "systemkoordinator"
    task = workflow.get_next_task(spec_name="reassess_appeal", state=TaskState.READY)
    assert task.data["appeal"] == {"text": "Jeg klager", "received_at": TODAY}
    complete(workflow, "reassess_appeal", appeal_upheld=True, appeal_reasoning="Ny vurdering",
             service_area="helse")
    assert ready(workflow) == ["appoint_coordinator"]
    assert ("send_decision_after_appeal", "letters.decision", {}) in engine.calls
    assert not [t for t in workflow.get_tasks(state=TaskState.WAITING)
                if t.task_spec.bpmn_id == "appeal_period_expired"], "appeal timer cancelled"


def test_refusal_appeal_not_upheld_is_forwarded(run):
    workflow, engine = run
    _refuse(workflow)
    send(workflow, "appeal_received", {"text": "Jeg klager", "received_at": TODAY})
    complete(workflow, "reassess_appeal", appeal_upheld=False, appeal_reasoning="Uendret")
    assert workflow.is_completed()
    assert engine.handlers()[-2:] == ["letters.appeal_forwarded", "journal.note"]
    assert engine.journal_kinds() == ["appeal_forwarded"]


# --------------------------------------------------------------------------- consent withdrawn


def _in_follow_up(workflow):
    approve_and_start(workflow)
    describe_goals(workflow)
    complete(workflow, "establish_plan", plan_goals="Bo hjemme", plan_start=TODAY,
             plan_measures=[{"description": "Hjemmetjeneste", "responsible": "Ola"}])
    assert ready(workflow) == ["follow_up"]


def _waiting(workflow, bpmn_id: str) -> list:
    return [t for t in workflow.get_tasks(state=TaskState.WAITING)
            if t.task_spec.bpmn_id == bpmn_id]


def test_withdrawn_sharing_consent_returns_to_follow_up(run):
    workflow, engine = run
    _in_follow_up(workflow)
    (timer,) = _waiting(workflow, "revision_date_reached")
    revision_date = timer.data["revision_date"]
    assert lane_of(workflow, "follow_up") == "koordinator"

    send(workflow, "consent_withdrawn", {"kind": "sharing", "participant": "Fastlege"})
    assert ready(workflow) == ["follow_up"], "follow-up goes on"
    assert engine.calls[-1] == ("record_consent_withdrawal", "consent.withdraw", {})
    assert engine.journal_kinds() == []
    task = workflow.get_next_task(spec_name="follow_up", state=TaskState.READY)
    assert task.data["consent_withdrawal"] == {"kind": "sharing", "participant": "Fastlege"}
    assert task.data["plan_consent_withdrawn"] is False
    (rearmed,) = _waiting(workflow, "revision_date_reached")
    assert rearmed.id != timer.id, "a new follow-up activation arms a new revision timer"
    assert rearmed.data["revision_date"] == revision_date
    assert not workflow.is_completed()

    # the boundary events are armed again: a second withdrawal and the revision still work
    send(workflow, "consent_withdrawn", {"kind": "sharing", "participant": "NAV"})
    assert ready(workflow) == ["follow_up"]
    assert engine.handlers().count("consent.withdraw") == 2
    fire_timer(workflow, "revision_date_reached")
    assert ready(workflow) == ["evaluate_plan"]


def test_withdrawn_plan_consent_closes_the_case(run):
    workflow, engine = run
    _in_follow_up(workflow)
    complete(workflow, "follow_up", meeting_date=TODAY, minutes="Oppstart")
    send(workflow, "consent_withdrawn", {"kind": "plan", "reason": "Vil ikke mer"})
    assert workflow.is_completed()
    assert engine.journal_kinds() == ["consent_withdrawn", "plan_closed"]
    assert engine.handlers()[-5:] == ["consent.withdraw", "journal.note", "journal.note",
                                      "kpr.end", "notify.systemkoordinator"]
    assert ("end_kpr", "kpr.end", {"service": "all"}) in engine.calls
    assert [t for t in workflow.get_tasks(state=TaskState.COMPLETED)
            if t.task_spec.bpmn_id == "plan_closed_end"]
    assert not _waiting(workflow, "revision_date_reached")


def test_consent_withdrawn_is_only_caught_during_follow_up(run):
    workflow, engine = run
    send(workflow, "consent_withdrawn", {"kind": "plan"})
    assert ready(workflow) == ["assess_report"]
    assert "consent.withdraw" not in engine.handlers()


@pytest.mark.parametrize(("requests", "approved_ip"), [
    (["ip", "koordinator"], False),  # IP refused, coordinator granted
    (["koordinator"], None),  # only a coordinator was asked for
])
def test_no_plan_when_ip_was_not_granted(spec, requests, approved_ip):
    engine = StubEngine()
    workflow = BpmnWorkflow(spec, script_engine=engine)
    workflow.get_next_task(spec_name="report_received").data.update(
        {**REPORT, "requests": requests})
    workflow.do_engine_steps()
    complete(workflow, "assess_report", long_term_need=True, two_or_more_services=True,
             citizen_wants=True, approved=True, approved_ip=approved_ip, service_area="helse")
    complete(workflow, "appoint_coordinator", coordinator="ola")
    complete(workflow, "ensure_training", training_ensured=True)
    complete(workflow, "summon_startup_meeting", startup_meeting_at=f"{TODAY}T10:00:00+01:00")
    complete(workflow, "give_consent", **CONSENT)  # the citizen would like a plan
    assert ready(workflow) == ["follow_up"], "no establish_plan without a granted IP"
    assert workflow.last_task.data["ip_granted"] is False
    assert engine.journal_kinds() == ["declined_electronic_plan"]
    assert "kpr.start" in engine.handlers()
    assert [p for _, n, p in engine.calls if n == "kpr.start"] == [{"service": "koordinator"}]


def test_upheld_appeal_defines_ip_granted_and_reaches_the_plan(run):
    workflow, engine = run
    _refuse(workflow)
    send(workflow, "appeal_received", {"text": "Jeg klager", "received_at": TODAY})
    complete(workflow, "reassess_appeal", appeal_upheld=True, appeal_reasoning="Ny vurdering",
             service_area="helse")
    complete(workflow, "appoint_coordinator", coordinator="ola")
    complete(workflow, "ensure_training", training_ensured=True)
    complete(workflow, "summon_startup_meeting", startup_meeting_at=f"{TODAY}T10:00:00+01:00")
    complete(workflow, "give_consent", **CONSENT)
    describe_goals(workflow)
    assert ready(workflow) == ["establish_plan"]
    task = workflow.get_next_task(spec_name="establish_plan", state=TaskState.READY)
    assert task.data["ip_granted"] is True
