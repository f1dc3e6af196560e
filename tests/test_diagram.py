"""The IP/koordinator diagram against the procedure contract (docs/procedure.md).

Parses processes/ip_koordinator.bpmn with the Spiff parser and checks what a person reading it
relies on: the top level shows the phases, each phase opens to its own plane with its own lanes,
legal events are events in the diagram, every name it uses is in the contract, every human task
has a deadline, and every plane is laid out without overlaps. How the paths run is proven
through the real engine and API in tests/api (test_scenarios, test_rights).
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import jsonschema
import pytest
from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

ROOT = Path(__file__).resolve().parents[1]
BPMN_FILE = ROOT / "processes" / "ip_koordinator.bpmn"
FORMS_DIR = ROOT / "processes" / "forms"
CONTRACT = ROOT / "docs" / "procedure.md"
PROCESS_ID = "ip_koordinator"
ROLES = {"innbygger", "systemkoordinator", "fagleder", "koordinator"}
PHASES = ["phase_assessment", "phase_appeal", "phase_appointment", "phase_startup",
          "phase_follow_up", "phase_evaluation", "phase_closing"]
LEGAL_EVENTS = ["coordinator_change", "consent_withdrawal", "end_request"]

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
    for row in _contract_table("Service task handlers"):
        name, params, what = row[0], row[1], row[2]
        entry = {"params": set(_ticked(params)) if params else set(), "kinds": None}
        if "kinds:" in what:
            entry["kinds"] = set(_ticked(what.split("kinds:", 1)[1]))
        table[_ticked(name)[0]] = entry
    return table


@pytest.fixture(scope="module")
def validator_names() -> set[str]:
    return {_ticked(row[0])[0] for row in _contract_table("Validators")}


# --------------------------------------------------------------------------- parsing


@pytest.fixture(scope="module")
def xml():
    return etree.parse(str(BPMN_FILE))


@pytest.fixture(scope="module")
def parser():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no deprecated messageVariable placement etc.
        parser = SpiffBpmnParser(validator=BpmnValidator())  # XSD-validates the file too
        parser.add_bpmn_file(str(BPMN_FILE))
        parser.get_spec(PROCESS_ID)
        return parser


@pytest.fixture(scope="module")
def specs(parser):
    """Every task spec of the process and of each sub-process, by bpmn id."""
    top = parser.get_spec(PROCESS_ID)
    found = {t.bpmn_id: t for t in top.task_specs.values() if getattr(t, "bpmn_id", None)}
    for sub in parser.get_subprocess_specs(PROCESS_ID).values():
        found |= {t.bpmn_id: t for t in sub.task_specs.values() if getattr(t, "bpmn_id", None)}
    return found


def _process(xml):
    return xml.find(f".//bpmn:process[@id='{PROCESS_ID}']", NS)


def _containers(xml) -> list:
    """The process and every sub-process: each is one plane a person reads on its own."""
    return [_process(xml), *_process(xml).iter(f"{{{NS['bpmn']}}}subProcess")]


def _nodes(container) -> list:
    return [el for el in container if etree.QName(el).localname in FLOW_NODE_TAGS]


def _all_nodes(xml) -> list:
    return [n for c in _containers(xml) for n in _nodes(c)]


def _of_type(xml, tag: str) -> list:
    return [n for n in _all_nodes(xml) if etree.QName(n).localname == tag]


def _props(node) -> dict[str, str]:
    return {p.get("name"): p.get("value")
            for p in node.findall("bpmn:extensionElements/spiffworkflow:properties/"
                                  "spiffworkflow:property", NS)}


# --------------------------------------------------------------------------- structure


def test_one_executable_process_in_a_collaboration(xml):
    processes = xml.findall(".//bpmn:process", NS)
    assert [p.get("id") for p in processes] == [PROCESS_ID]
    assert processes[0].get("isExecutable") == "true"
    participants = xml.findall(".//bpmn:collaboration/bpmn:participant", NS)
    assert [p.get("processRef") for p in participants] == [PROCESS_ID]


def test_top_level_shows_the_phases_and_legal_events_in_order(xml):
    """The card's phases read left to right; detail is one click down in each sub-process."""
    top = _nodes(_process(xml))
    subprocesses = [n.get("id") for n in top if etree.QName(n).localname == "subProcess"]
    assert subprocesses == [*PHASES, *LEGAL_EVENTS]
    tasks = [n.get("id") for n in top if etree.QName(n).localname in {"userTask", "task"}]
    assert tasks == [], "the top level holds phases, not steps"
    bounds = _bounds(xml, "plane_ip_koordinator")
    main_phases = [p for p in PHASES if p != "phase_appeal"]
    xs = [bounds[p][0] for p in main_phases]
    assert xs == sorted(xs), "phases left to right"
    for subprocess in _process(xml).iter(f"{{{NS['bpmn']}}}subProcess"):
        assert subprocess.get("name"), subprocess.get("id")
        assert subprocess.get("triggeredByEvent") != "true" or subprocess.get("id")


def test_legal_events_are_events_on_the_phases(xml):
    """Each legal event is a boundary event on every phase where it can happen."""
    attached: dict[str, set[str]] = {}
    for event in _of_type(xml, "boundaryEvent"):
        message = event.find("bpmn:messageEventDefinition", NS)
        if message is None:
            continue
        name = xml.find(f".//bpmn:message[@id='{message.get('messageRef')}']", NS).get("name")
        attached.setdefault(name, set()).add(event.get("attachedToRef"))
    assert attached["coordinator_change"] == {"phase_startup", "phase_follow_up",
                                              "phase_evaluation"}
    assert attached["consent_withdrawn"] == {"phase_startup", "phase_follow_up",
                                             "phase_evaluation"}
    assert attached["end_requested"] == {"phase_appointment", "phase_startup",
                                         "phase_follow_up", "phase_evaluation"}
    assert attached["evaluation_requested"] == {"phase_follow_up"}
    catchers = {xml.find(f".//bpmn:message[@id='{d.get('messageRef')}']", NS).get("name")
                for n in _of_type(xml, "intermediateCatchEvent")
                for d in n.findall("bpmn:messageEventDefinition", NS)}
    assert catchers == {"appeal_received", "appeal_decided"}


def test_guarded_events_say_why_they_refuse(xml):
    """An event that cannot apply yet is refused with a sentence, not a bare 409."""
    for event in _of_type(xml, "boundaryEvent"):
        props = _props(event)
        if "accepted_when" in props:
            compile(props["accepted_when"], event.get("id"), "eval")
            assert props.get("refused_because", "").endswith("."), event.get("id")


def test_each_plane_has_lanes_of_known_roles_covering_its_nodes_once(xml):
    """A boundary event belongs to its host's lane, whether or not the lane lists it."""
    for container in _containers(xml):
        nodes = [n.get("id") for n in _nodes(container) if not n.get("attachedToRef")]
        lanes = container.findall("bpmn:laneSet/bpmn:lane", NS)
        if container is _process(xml):
            assert not lanes, "the top level shows phases, not who does what"
            continue
        assert {lane.get("name") for lane in lanes} <= ROLES, container.get("id")
        refs = [r.text for lane in lanes for r in lane.findall("bpmn:flowNodeRef", NS)
                if not xml.find(f".//*[@id='{r.text}']").get("attachedToRef")]
        assert sorted(refs) == sorted(nodes), f"{container.get('id')}: every node in one lane"


def test_ids_are_snake_case_and_names_present(xml):
    for el in _all_nodes(xml):
        assert re.fullmatch(r"[a-z][a-z0-9_]*", el.get("id")), el.get("id")
        tag = etree.QName(el).localname
        if tag not in {"exclusiveGateway", "parallelGateway", "startEvent"}:
            assert el.get("name"), f"{el.get('id')} needs a Norwegian name"


# --------------------------------------------------------------------------- forms and names


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


def _check_form(name: str) -> dict:
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


def test_user_tasks_have_lane_form_validator_and_deadline(xml, specs, validator_names):
    """Every human task has a form, a known validator and a deadline the monitor can see."""
    user_tasks = _of_type(xml, "userTask")
    assert len(user_tasks) == 13
    for node in user_tasks:
        spec = specs[node.get("id")]
        assert spec.lane in ROLES, node.get("id")
        props = _props(node)
        _check_form(props["form"])
        if "validator" in props:
            assert props["validator"] in validator_names, node.get("id")
        assert "due_in" in props or "due_from" in props, f"{node.get('id')} has no deadline"
        if "due_in" in props:
            TimerEventDefinition.parse_iso_duration(props["due_in"])


def test_start_event_has_report_form(xml, validator_names):
    start = _process(xml).find("bpmn:startEvent", NS)
    assert _props(start) == {"form": "report", "validator": "validate.report",
                             "name_en": "Report of need"}
    _check_form("report")


def test_every_form_file_is_used_and_valid(xml):
    used = {_props(n).get("form") for n in _all_nodes(xml)} - {None}
    assert used == {p.stem for p in FORMS_DIR.glob("*.json")}
    for name in used:
        _check_form(name)


def test_service_tasks_use_contract_handlers(specs, handler_table):
    service_tasks = [s for s in specs.values() if hasattr(s, "operation_name")]
    assert service_tasks
    for task in service_tasks:
        entry = handler_table.get(task.operation_name)
        assert entry is not None, f"{task.bpmn_id}: {task.operation_name} not in the contract"
        assert set(task.operation_params) <= entry["params"], task.bpmn_id
        if entry["kinds"] is not None:
            expression = task.operation_params["kind"]["value"]
            kinds = set(re.findall(r"'([a-z_]+)'", expression))
            assert kinds and kinds <= entry["kinds"], task.bpmn_id


def test_exclusive_gateways_have_defaults_and_conditions(xml):
    for container in _containers(xml):
        flows = container.findall("bpmn:sequenceFlow", NS)
        for gateway in container.findall("bpmn:exclusiveGateway", NS):
            out = [f for f in flows if f.get("sourceRef") == gateway.get("id")]
            if len(out) < 2:
                continue  # a merge
            assert gateway.get("default") in {f.get("id") for f in out}, gateway.get("id")
            for flow in out:
                if flow.get("id") != gateway.get("default"):
                    condition = flow.find("bpmn:conditionExpression", NS)
                    assert condition is not None and condition.text.strip(), flow.get("id")
                    compile(condition.text, flow.get("id"), "eval")


def test_timers(xml):
    timers = {}
    for definition in _process(xml).iter(f"{{{NS['bpmn']}}}timerEventDefinition"):
        (expression,) = list(definition)
        timers[definition.getparent().get("id")] = (etree.QName(expression).localname,
                                                   expression.text)
    assert timers["assessment_deadline"] == ("timeCycle", '"R12/P30D"')
    assert timers["appeal_period_expired"][0] == "timeDate"
    assert timers["revision_date_reached"] == ("timeDate", "revision_date")


# --------------------------------------------------------------------------- diagram interchange


def _planes(xml) -> dict[str, etree._Element]:
    return {p.get("id"): p for p in xml.findall(".//bpmndi:BPMNPlane", NS)}


def _bounds(xml, plane_id: str) -> dict[str, tuple[float, float, float, float]]:
    out = {}
    for shape in _planes(xml)[plane_id].findall("bpmndi:BPMNShape", NS):
        b = shape.find("dc:Bounds", NS)
        out[shape.get("bpmnElement")] = tuple(
            float(b.get(k)) for k in ("x", "y", "width", "height"))
    return out


def _plane_id(xml, container) -> str:
    if container is _process(xml):
        return "plane_ip_koordinator"
    return f"plane_{container.get('id')}"


def _inside(inner, outer, tol=0.0) -> bool:
    x, y, w, h = inner
    ox, oy, ow, oh = outer
    return (x >= ox - tol and y >= oy - tol and x + w <= ox + ow + tol
            and y + h <= oy + oh + tol)


def _overlap(a, b) -> bool:
    return (a[0] < b[0] + b[2] and b[0] < a[0] + a[2]
            and a[1] < b[1] + b[3] and b[1] < a[1] + a[3])


def test_every_sub_process_opens_to_its_own_plane(xml):
    planes = _planes(xml)
    assert planes["plane_ip_koordinator"].get("bpmnElement") == xml.find(
        ".//bpmn:collaboration", NS).get("id")
    for container in _containers(xml)[1:]:
        plane = planes[_plane_id(xml, container)]
        assert plane.get("bpmnElement") == container.get("id")
        shape = _planes(xml)["plane_ip_koordinator"].find(
            f"bpmndi:BPMNShape[@bpmnElement='{container.get('id')}']", NS)
        assert shape.get("isExpanded") == "false", "collapsed: detail one click down"


@pytest.mark.parametrize("index", range(len(PHASES) + len(LEGAL_EVENTS) + 1))
def test_plane_layout(xml, index):
    """Every node and flow has DI; nodes sit in their lane without overlapping; boundary
    events sit on their host's border; edges are orthogonal and join source to target."""
    container = _containers(xml)[index]
    bounds = _bounds(xml, _plane_id(xml, container))
    nodes = {n.get("id"): n for n in _nodes(container)}
    for node_id in nodes:
        assert node_id in bounds, f"{node_id} has no shape"
    hosts = {n.get("id"): n.get("attachedToRef") for n in nodes.values()
             if n.get("attachedToRef")}
    lanes = container.findall("bpmn:laneSet/bpmn:lane", NS)
    for i, lane in enumerate(lanes):
        for other in lanes[i + 1:]:
            assert not _overlap(bounds[lane.get("id")], bounds[other.get("id")])
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            assert _inside(bounds[ref.text], bounds[lane.get("id")]), ref.text
    ids = list(nodes)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            if hosts.get(a) == b or hosts.get(b) == a:
                continue
            assert not _overlap(bounds[a], bounds[b]), f"{a} overlaps {b}"
    for event, host in hosts.items():
        x, y, w, h = bounds[event]
        cx, cy = x + w / 2, y + h / 2
        hx, hy, hw, hh = bounds[host]
        on_vertical = hx <= cx <= hx + hw and cy in (hy, hy + hh)
        on_horizontal = hy <= cy <= hy + hh and cx in (hx, hx + hw)
        assert on_vertical or on_horizontal, f"{event} is not on the border of {host}"
    edges = {e.get("bpmnElement"): e
             for e in _planes(xml)[_plane_id(xml, container)].findall("bpmndi:BPMNEdge", NS)}
    for flow in container.findall("bpmn:sequenceFlow", NS):
        assert flow.get("id") in edges, f"{flow.get('id')} has no edge"
        points = [(float(p.get("x")), float(p.get("y")))
                  for p in edges[flow.get("id")].findall("di:waypoint", NS)]
        assert len(points) >= 2
        for point, ref in ((points[0], flow.get("sourceRef")),
                           (points[-1], flow.get("targetRef"))):
            assert _inside((*point, 0, 0), bounds[ref], tol=1), (flow.get("id"), ref)
        for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
            assert x0 == x1 or y0 == y1, f"{flow.get('id')} is not orthogonal"
