"""Deploy diagrams into immutable, numbered process versions.

Every deploy is validated first; a diagram that fails is refused with the element id and a
message a process designer understands, and nothing is stored.
"""

from __future__ import annotations

import ast
import hashlib
from dataclasses import dataclass
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import processes
from engine import clock, spiff
from engine.db import Database
from engine.errors import DeployRejected, Forbidden, NotFound
from engine.models import ProcessVersion
from engine.users import PROCEDURE_ROLES, Actor
from handlers.registry import handler_names, validator_names

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


@dataclass(frozen=True)
class VersionInfo:
    key: str
    version: int
    name: str
    deployed_by: str
    deployed_at: str
    start_form: dict[str, Any] | None


def _error(element: str, message: str) -> dict[str, str]:
    return {"element": element, "message": message}


def validate(bpmn_xml: str | bytes) -> tuple[list[spiff.ParsedProcess], dict[str, Any],
                                             list[dict[str, str]]]:
    """Check a diagram; returns the processes, the forms they use and the errors found."""
    try:
        root = spiff.parse_xml(bpmn_xml)
    except (etree.XMLSyntaxError, ValueError) as exc:
        return [], {}, [_error("fil", f"ikke gyldig BPMN-XML: {exc}")]
    if etree.QName(root).namespace != BPMN_NS or etree.QName(root).localname != "definitions":
        return [], {}, [_error("fil", "rotelementet må være bpmn:definitions")]
    try:
        parser, keys = spiff.parse_process(root)
    except spiff.ValidationException as exc:
        element = getattr(exc, "id", None) or "fil"
        return [], {}, [_error(element, str(exc).splitlines()[0])]
    if not keys:
        return [], {}, [_error("fil", "diagrammet har ingen kjørbar prosess")]
    parsed, forms, errors = [], {}, []
    for key in keys:
        try:
            spec = parser.get_spec(key)
        except spiff.ValidationException as exc:
            errors.append(_error(getattr(exc, "id", None) or key, str(exc).splitlines()[0]))
            continue
        errors.extend(_check_spec(spec, forms))
        if not errors:
            parsed.append(spiff.ParsedProcess(key, spec.description or key,
                                              spiff.compile_spec(parser, key)))
    return parsed, forms, errors


def _check_spec(spec: Any, forms: dict[str, Any]) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []
    handlers, validators = handler_names(), validator_names()
    for task_spec in _reachable_and_all(spec, errors):
        element = task_spec.bpmn_id
        props = spiff.task_properties(task_spec)
        is_user = spiff.is_user_task_spec(task_spec)
        if is_user and task_spec.lane not in PROCEDURE_ROLES:
            errors.append(_error(element, f"brukeroppgaven må ligge i en bane med en kjent rolle "
                                          f"({', '.join(PROCEDURE_ROLES)}), ikke "
                                          f"{task_spec.lane!r}"))
        if is_user or (isinstance(task_spec, StartEvent) and "form" in props):
            errors.extend(_check_form(element, props, forms, validators, required=is_user))
        operator = (getattr(task_spec, "extensions", None) or {}).get("serviceTaskOperator")
        if operator and operator.get("name") not in handlers:
            errors.append(_error(element, f"ukjent handler {operator.get('name')!r}"))
        errors.extend(_check_expressions(task_spec))
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
            errors.append(_error(task_spec.bpmn_id, "elementet kan ikke nås fra start"))
    return elements


def _check_form(element: str, props: dict[str, str], forms: dict[str, Any],
                validators: set[str], required: bool) -> list[dict[str, str]]:
    errors = []
    name = props.get("form")
    if not name:
        if required:
            errors.append(_error(element, "brukeroppgaven mangler skjema (egenskapen form)"))
    elif name not in forms:
        try:
            forms[name] = processes.load_form(name)
        except KeyError:
            errors.append(_error(element, f"skjemaet {name!r} finnes ikke"))
    if props.get("validator") and props["validator"] not in validators:
        errors.append(_error(element, f"ukjent validator {props['validator']!r}"))
    if props.get("due_in"):
        try:
            TimerEventDefinition.parse_iso_duration(props["due_in"])
        except Exception:  # noqa: BLE001  (Spiff raises a bare Exception)
            errors.append(_error(
                element, f"ugyldig frist {props['due_in']!r} (ISO 8601, f.eks. P14D)"))
    return errors


def _check_expressions(task_spec: Any) -> list[dict[str, str]]:
    """Conditions and scripts must compile and stay inside the restricted environment."""
    expressions = [condition.args[0] for condition, _target in
                   getattr(task_spec, "cond_task_specs", []) if condition is not None]
    if getattr(task_spec, "script", None):
        expressions.append(task_spec.script)
    definition = getattr(task_spec, "event_definition", None)
    if isinstance(definition, TimerEventDefinition):
        expressions.append(definition.expression)
    errors = []
    for expression in expressions:
        problem = restricted_code_problem(expression)
        if problem:
            errors.append(_error(task_spec.bpmn_id, problem))
    return errors


def restricted_code_problem(code: str) -> str | None:
    """Why ``code`` may not run in a diagram, or None when it may."""
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        return f"uttrykket kan ikke tolkes: {exc.msg} ({code!r})"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            return "import er ikke tillatt i diagrammer"
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            return f"tilgang til {node.attr!r} er ikke tillatt"
        if isinstance(node, ast.Name) and node.id.startswith("__"):
            return f"navnet {node.id!r} er ikke tillatt"
    return None


def deploy(db: Database, bpmn_xml: str | bytes, actor: Actor) -> list[VersionInfo]:
    """Validate and store a diagram; an unchanged diagram keeps its current version."""
    if not actor.has_role("designer") and actor.username != "system":
        raise Forbidden("bare prosessdesignere kan ta i bruk diagrammer")
    parsed, forms, errors = validate(bpmn_xml)
    if errors:
        raise DeployRejected(errors)
    text = bpmn_xml.decode() if isinstance(bpmn_xml, bytes) else bpmn_xml
    checksum = hashlib.sha256(text.encode()).hexdigest()
    deployed = []
    with db.transaction() as session:
        for process in parsed:
            latest = _latest(session, process.key)
            if latest is None or latest.checksum != checksum:
                latest = ProcessVersion(
                    key=process.key, version=(latest.version + 1 if latest else 1),
                    name=process.name, bpmn_xml=text, checksum=checksum,
                    spec_json=process.spec_json, forms=forms, deployed_by=actor.username,
                    deployed_at=clock.now())
                session.add(latest)
                session.flush()
            deployed.append(_info(latest))
    return deployed


def _latest(session: Session, key: str) -> ProcessVersion | None:
    return session.scalar(select(ProcessVersion).where(ProcessVersion.key == key)
                          .order_by(ProcessVersion.version.desc()).limit(1))


def latest_version(session: Session, key: str) -> ProcessVersion:
    version = _latest(session, key)
    if version is None:
        raise NotFound(f"ukjent prosess: {key}")
    return version


def start_form_name(version: ProcessVersion) -> str | None:
    """The form on the start event of the version's process."""
    return spiff.start_properties(version.checksum, version.spec_json).get("form")


def _info(version: ProcessVersion) -> VersionInfo:
    form_name = start_form_name(version)
    return VersionInfo(version.key, version.version, version.name, version.deployed_by,
                       version.deployed_at.isoformat(),
                       version.forms.get(form_name) if form_name else None)


def list_processes(db: Database) -> list[VersionInfo]:
    with db.reading() as session:
        keys = session.scalars(select(ProcessVersion.key).distinct().order_by(ProcessVersion.key))
        return [_info(latest_version(session, key)) for key in keys]


def get_process(db: Database, key: str) -> VersionInfo:
    with db.reading() as session:
        return _info(latest_version(session, key))


def get_bpmn(db: Database, key: str, version: int | None = None) -> str:
    with db.reading() as session:
        if version is None:
            return latest_version(session, key).bpmn_xml
        row = session.scalar(select(ProcessVersion).where(
            ProcessVersion.key == key, ProcessVersion.version == version))
        if row is None:
            raise NotFound(f"ukjent versjon {version} av {key}")
        return row.bpmn_xml


def version_count(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count(ProcessVersion.id))) or 0
