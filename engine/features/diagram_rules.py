"""The diagram rules: what a BPMN diagram must satisfy before it may be deployed.

Lanes name known roles, user tasks and start events name usable forms, handlers and validators
exist, exclusive gateways and flows are complete, timers are valid ISO 8601, every element can
be reached, and Spiff itself can parse the process; each error names its element in words a
process designer understands. The code in the diagram obeys :mod:`engine.features.code_rules`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.features import reads, variable_rules
from engine.features.code_rules import restricted_code_problem, trial_problem
from engine.features.diagram_names import labelled
from engine.features.flow_order import FLOW_NODE_TAGS, owner_id
from engine.features.form_rules import FormSource, find_form, form_problem
from engine.kernel import spiff, spiff_timers
from engine.runtime.users import PROCEDURE_ROLES
from handlers.catalogue import handler_names, validator_names

BPMN_NS = spiff.BPMN_NS


def error(element: str, message: str) -> dict[str, str]:
    """One problem found, at the element it names (``fil`` for the file as a whole)."""
    return {"element": element, "message": message}


def validate(bpmn_xml: str | bytes, forms: FormSource | None = None
             ) -> tuple[list[spiff.ParsedProcess], dict[str, Any], list[dict[str, str]]]:
    """Check a diagram; returns the processes, the forms they use and the errors found, each
    labelled (:func:`engine.features.diagram_names.labelled`).

    The same rules run for the API, ``ipflow deploy --check``, the designer's every save and
    every deploy, so a designer sees each problem at its element before anything is stored.
    ``forms`` are a draft's own forms, used before the files in ``processes/forms``.
    """
    try:
        root = spiff.parse_xml(bpmn_xml)
    except (etree.XMLSyntaxError, ValueError) as exc:
        return [], {}, labelled(None, [error("fil", f"ikke gyldig BPMN-XML: {exc}")])
    parsed, used_forms, errors = _validate(root, forms)
    return parsed, used_forms, labelled(root, errors)


def _validate(root: etree._Element, forms: FormSource | None
              ) -> tuple[list[spiff.ParsedProcess], dict[str, Any], list[dict[str, str]]]:
    if etree.QName(root).namespace != BPMN_NS or etree.QName(root).localname != "definitions":
        return [], {}, [error("fil", "rotelementet må være bpmn:definitions")]
    errors = _check_document(root)
    try:
        parser, keys = spiff.parse_process(root)
    except spiff.ValidationException as exc:
        # Spiff stops at its first problem, in English: keep ours where they name the element.
        spiff_error = _spiff_error(exc, "fil")
        if any(e["element"] == spiff_error["element"] for e in errors):
            return [], {}, errors
        return [], {}, _merge(errors, [spiff_error])
    if not keys:
        return [], {}, _merge(errors, [error("fil", "diagrammet har ingen kjørbar prosess")])
    parsed: list[spiff.ParsedProcess] = []
    used_forms: dict[str, Any] = {}
    for key in keys:
        try:
            spec = parser.get_spec(key)
            phases = parser.get_subprocess_specs(key)
        except spiff.ValidationException as exc:
            spiff_error = _spiff_error(exc, key)
            if not any(e["element"] == spiff_error["element"] for e in errors):
                errors = _merge(errors, [spiff_error])
            continue
        # A phase drawn as a sub-process is a spec of its own: its tasks obey the same rules.
        for each in [spec, *phases.values()]:
            errors = _merge(errors, _check_spec(each, used_forms, forms or {}, _lanes_of(root)))
        called = {op.get("id", "") for op in root.iterfind(".//spiffworkflow:serviceTaskOperator",
                                                             NS)}
        errors = _merge(errors, reads.problems(key, used_forms, called))
        if not errors:
            parsed.append(spiff.ParsedProcess(key, spec.description or key,
                                              spiff.compile_spec(parser, key)))
    # Code already refused for what it is need not also be refused for what it reads.
    flagged = {e["element"] for e in errors}
    unknown = [e for e in variable_rules.unknown_reads(root, _code_in(root), used_forms)
               if e["element"] not in flagged]
    if unknown:
        return [], used_forms, _merge(errors, unknown)
    return parsed, used_forms, errors


def _spiff_error(exc: spiff.ValidationException, fallback: str) -> dict[str, str]:
    return error(getattr(exc, "id", None) or fallback, str(exc).splitlines()[0].strip())


def _merge(errors: list[dict[str, str]], more: list[dict[str, str]]) -> list[dict[str, str]]:
    """Append ``more`` without repeating a message already given for the same element."""
    seen = {(e["element"], e["message"]) for e in errors}
    return errors + [e for e in more if (e["element"], e["message"]) not in seen]


def _lanes_of(root: etree._Element) -> dict[str, str]:
    """Element id → the name of the lane holding it ('' for a lane without a name)."""
    return {(ref.text or "").strip(): lane.get("name", "").strip()
            for lane in root.iter(f"{{{BPMN_NS}}}lane")
            for ref in lane.iterfind("bpmn:flowNodeRef", NS)}


def _check_spec(spec: Any, forms: dict[str, Any], overrides: FormSource,
                lanes: Mapping[str, str]) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []
    handlers, validators = handler_names(), validator_names()
    for task_spec in _reachable_and_all(spec, errors):
        element = task_spec.bpmn_id
        props = spiff.task_properties(task_spec)
        is_user = spiff.is_user_task_spec(task_spec)
        if is_user and task_spec.lane not in PROCEDURE_ROLES:
            if task_spec.lane:
                where = f"ikke {task_spec.lane!r}"
            elif element in lanes:
                where = "men banen den ligger i har ikke navn"
            else:
                where = "men den ligger ikke i noen bane"
            errors.append(error(element, f"brukeroppgaven må ligge i en bane med en kjent rolle "
                                          f"({', '.join(PROCEDURE_ROLES)}), {where}"))
        if is_user or "form" in props:  # a start form, or what a message event asks for
            errors.extend(_check_form(element, props, forms, overrides, validators,
                                      required=is_user))
        operator = (getattr(task_spec, "extensions", None) or {}).get("serviceTaskOperator")
        if operator and operator.get("name") not in handlers:
            errors.append(error(element, f"ukjent handler {operator.get('name')!r}"))
    return errors


def _reachable_and_all(spec: Any, errors: list[dict[str, str]]) -> list[Any]:
    """All BPMN elements of the spec; unreachable ones are reported."""
    seen, stack = set(), [spec.start]
    while stack:
        current = stack.pop()
        if current.name in seen:
            continue
        seen.add(current.name)
        stack.extend(current.outputs)
    elements = [t for t in spec.task_specs.values() if getattr(t, "bpmn_id", None)]
    for task_spec in elements:
        if task_spec.name not in seen:
            errors.append(error(task_spec.bpmn_id, "elementet kan ikke nås fra start"))
    return elements


def _check_form(element: str, props: dict[str, str], forms: dict[str, Any],
                overrides: FormSource, validators: set[str], required: bool
                ) -> list[dict[str, str]]:
    errors = []
    name = props.get("form")
    if not name:
        if required:
            errors.append(error(element, "brukeroppgaven mangler skjema (egenskapen form)"))
    elif name not in forms:
        try:
            form = find_form(name, overrides)
        except KeyError:
            errors.append(error(element, f"skjemaet {name!r} finnes ikke"))
        else:
            problem = form_problem(form)
            if problem:
                errors.append(error(element, f"skjemaet {name!r}: {problem}"))
            else:
                forms[name] = form
    if props.get("validator") and props["validator"] not in validators:
        errors.append(error(element, f"ukjent validator {props['validator']!r}"))
    if props.get("due_in"):
        try:
            TimerEventDefinition.parse_iso_duration(props["due_in"])
        except Exception:  # noqa: BLE001  (Spiff raises a bare Exception)
            errors.append(error(
                element, f"ugyldig frist {props['due_in']!r} (ISO 8601, f.eks. P14D)"))
    return errors


# ---------------------------------------------------------------- checks on the XML itself

PROCESS_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,119}$")
NS = {"bpmn": BPMN_NS, "spiffworkflow": spiff.SPIFF_NS}
TIMER_KINDS = tuple(spiff_timers.EXAMPLES)  # timeDuration, timeDate, timeCycle


def _check_document(root: etree._Element) -> list[dict[str, str]]:
    """Rules Spiff does not apply, checked on the XML so each error names its element:
    process ids, exclusive gateways, timer expressions, and every piece of code in the
    diagram (conditions, scripts, timer expressions, handler parameters)."""
    errors: list[dict[str, str]] = []
    for process in root.iterfind("bpmn:process", NS):
        pid = process.get("id", "")
        if process.get("isExecutable") == "true" and not PROCESS_ID.match(pid):
            errors.append(error(pid or "fil", "prosess-id-en må begynne med en bokstav og "
                                               "bare ha bokstaver, tall, _ . - (høyst 120 tegn)"))
        errors.extend(_check_gateways(process))
        errors.extend(_check_flows(process))
        for task in process.iter(f"{{{BPMN_NS}}}serviceTask"):
            if task.find("bpmn:extensionElements/spiffworkflow:serviceTaskOperator", NS) is None:
                errors.append(error(task.get("id", "fil"), "den automatiske oppgaven mangler "
                                     "handler (spiffworkflow:serviceTaskOperator)"))
    for element, code, mode, _kind in _code_in(root):
        problem = restricted_code_problem(code, mode) or trial_problem(code, mode)
        if problem:
            errors.append(error(element, problem))
    errors.extend(_check_timers(root))
    return errors


def _check_flows(container: etree._Element) -> list[dict[str, str]]:
    """Flows and attached events point at elements that exist, and every element can be
    reached from a start event (Spiff silently leaves out what it cannot reach)."""
    errors = []
    nodes = {n.get("id", ""): n for n in container if isinstance(n.tag, str)
             and etree.QName(n).namespace == BPMN_NS and etree.QName(n).localname in FLOW_NODE_TAGS}
    edges: dict[str, list[str]] = {node_id: [] for node_id in nodes}
    for flow in container.iterfind("bpmn:sequenceFlow", NS):
        source, target = flow.get("sourceRef", ""), flow.get("targetRef", "")
        missing = [ref for ref in (source, target) if ref not in nodes]
        if missing:
            errors.append(error(flow.get("id", "fil"), f"flyten peker på {missing[0]!r}, som "
                                                        "ikke finnes i prosessen"))
            continue
        edges[source].append(target)
    for node_id, node in nodes.items():
        host = node.get("attachedToRef")
        if etree.QName(node).localname == "boundaryEvent":
            if host not in nodes:
                errors.append(error(node_id, f"hendelsen er festet til {host!r}, som ikke "
                                              "finnes i prosessen"))
            else:
                edges[host].append(node_id)
        if etree.QName(node).localname == "subProcess":
            errors.extend(_check_flows(node))
    seen: set[str] = set()
    stack = [i for i, n in nodes.items() if etree.QName(n).localname == "startEvent"]
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            stack.extend(edges.get(current, []))
    for node_id in nodes:
        if node_id not in seen:
            errors.append(error(node_id, "elementet kan ikke nås fra start"))
    return errors


def _check_gateways(container: etree._Element) -> list[dict[str, str]]:
    """An exclusive gateway that splits needs a default flow, or a condition on every flow
    (in the process and in each sub-process inside it)."""
    errors = []
    for inner in container.iterfind("bpmn:subProcess", NS):
        errors.extend(_check_gateways(inner))
    flows = {f.get("id"): f for f in container.iterfind("bpmn:sequenceFlow", NS)}
    for gateway in container.iterfind("bpmn:exclusiveGateway", NS):
        gid = gateway.get("id", "")
        outgoing = [f for f in flows.values() if f.get("sourceRef") == gid]
        default = gateway.get("default")
        if default and default not in {f.get("id") for f in outgoing}:
            errors.append(error(gid, f"standardflyten {default!r} går ikke ut fra porten"))
        missing = [f.get("id", "") for f in outgoing if f.get("id") != default
                   and not (f.findtext("bpmn:conditionExpression", "", NS) or "").strip()]
        if not missing:
            continue
        if default or len(outgoing) == 1:
            # Spiff needs a condition on each non-default flow, even the only one.
            for fid in missing:
                errors.append(error(fid, "flyten ut av en eksklusiv port må ha en betingelse "
                                          "eller være portens standardflyt"))
        else:
            errors.append(error(gid, "den eksklusive porten mangler standardflyt, og "
                                      f"{len(missing)} av {len(outgoing)} flyter mangler "
                                      "betingelse: velg en standardflyt eller skriv "
                                      "betingelser på alle"))
            errors.extend(error(fid, "flyten mangler betingelse") for fid in missing)
    return errors


def _code_in(root: etree._Element) -> list[tuple[str, str, str, str]]:
    """(element, code, 'eval'|'exec', kind) for everything in the diagram that Python will run
    (kind: condition, script, parameter or timer)."""
    found: list[tuple[str, str, str, str]] = []
    for condition in root.iterfind(".//bpmn:conditionExpression", NS):
        if (condition.text or "").strip():
            found.append((owner_id(condition), condition.text.strip(), "eval", "condition"))
    for script in root.iterfind(".//bpmn:scriptTask/bpmn:script", NS):
        found.append((owner_id(script), script.text or "", "exec", "script"))
    for tag in ("preScript", "postScript"):
        for script in root.iterfind(f".//spiffworkflow:{tag}", NS):
            if (script.text or "").strip():
                found.append((owner_id(script), script.text or "", "exec", "script"))
    for parameter in root.iterfind(".//spiffworkflow:parameter", NS):
        if parameter.get("value"):
            found.append((owner_id(parameter), parameter.get("value", ""), "eval",
                          "parameter"))
    for kind in TIMER_KINDS:
        for timer in root.iterfind(f".//bpmn:timerEventDefinition/bpmn:{kind}", NS):
            if (timer.text or "").strip():
                found.append((owner_id(timer), timer.text.strip(), "eval", "timer"))
    return found


def _check_timers(root: etree._Element) -> list[dict[str, str]]:
    """Every timer has one expression; a quoted value must be valid ISO 8601."""
    errors = []
    for definition in root.iterfind(".//bpmn:timerEventDefinition", NS):
        element = owner_id(definition)
        parts = [(kind, (definition.findtext(f"bpmn:{kind}", "", NS) or "").strip())
                 for kind in TIMER_KINDS if definition.find(f"bpmn:{kind}", NS) is not None]
        parts = [(kind, text) for kind, text in parts if text]
        if not parts:
            errors.append(error(element, "tidshendelsen mangler uttrykk (varighet som "
                                          "\"P30D\", tidspunkt eller en variabel)"))
            continue
        for kind, text in parts:
            problem = timer_problem(kind, text)
            if problem:
                errors.append(error(element, problem))
    return errors


def timer_problem(kind: str, expression: str) -> str | None:
    """Why a timer expression cannot work, or None.

    A quoted literal (``"P30D"``, ``"2027-01-01T09:00:00+01:00"``) is parsed as Spiff will
    parse it when the timer starts; any other expression (``revision_date``) is evaluated
    from the case data at that moment, so here it only has to compile.
    """
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError:
        return None  # reported with the other code in the diagram
    if not (isinstance(tree.body, ast.Constant) and isinstance(tree.body.value, str)):
        return None
    try:
        spiff_timers.parse_timer(kind, tree.body.value)
    except spiff_timers.TimerRefused as refused:
        return str(refused)
    return None
