"""The code's reads of case data are declared once (processes/reads.json), and a deploy that
drops one is refused with its name: a designer cannot rename ``plan_goals`` and silently take
the plan off the case page."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

import processes
from engine.features import deploy, diagram_rules, reads
from engine.kernel import spiff
from engine.kernel.db import Database
from engine.kernel.errors import DeployRejected
from engine.runtime.users import get_actor

ROOT = Path(__file__).resolve().parent.parent
IP_XML = (processes.PROCESSES_DIR / "ip_koordinator.bpmn").read_text(encoding="utf-8")


def renamed(form_name: str, old: str, new: str) -> dict:
    form = processes.load_form(form_name)
    properties = form["schema"]["properties"]
    form["schema"]["properties"] = {new if k == old else k: v for k, v in properties.items()}
    required = form["schema"].get("required", [])
    form["schema"]["required"] = [new if k == old else k for k in required]
    form["ui"]["order"] = [new if k == old else k for k in form["ui"]["order"]]
    return form


def test_the_shipped_diagram_provides_every_declared_read() -> None:
    _, _, errors = diagram_rules.validate(IP_XML)
    assert errors == []


def test_renaming_a_field_the_case_page_reads_is_refused_naming_it(db: Database) -> None:
    designer = get_actor(db, "designer")
    form = renamed("plan", "plan_goals", "plan_targets")
    _, _, errors = diagram_rules.validate(IP_XML, {"plan": form})
    assert [e["message"] for e in errors] == [
        "feltet 'plan_goals' finnes ikke lenger i noe skjema (ventet i skjemaet 'plan'), men "
        "planen på saksiden, ved møtene og ved evalueringen (webapp/plan_view.py) og "
        "planrevisjonene leser det"]
    with pytest.raises(DeployRejected):
        deploy.deploy(db, IP_XML, designer, forms={"plan": form})


def test_a_milestone_needs_one_of_its_handlers_in_the_diagram() -> None:
    declared = reads.declared_fields("ip_koordinator")
    forms = {name: processes.load_form(name) for name in
             {reader["form"] for reader in declared.values()}}
    called = {"letters.decision", "letters.refusal"}  # consent.record is gone
    assert [e["message"] for e in reads.problems("ip_koordinator", forms, called)] == [
        "milepælen «Til oppstartsmøte» i monitorens ledetider måles ved consent.record, men "
        "diagrammet kaller ingen av dem"]
    # Another process declares nothing and is not held to the procedure's reads.
    assert reads.problems("loekke", {}, set()) == []


def _message_forms() -> set[str]:
    """Forms of message events: what they ask for arrives inside the message's variable
    (``consent_withdrawal.reason``), never as a case field of its own."""
    root = spiff.parse_xml(IP_XML)
    ns = {"bpmn": spiff.BPMN_NS, "spiff": spiff.SPIFF_NS}
    return {prop.get("value") for event in root.iterfind(".//bpmn:messageEventDefinition/..", ns)
            for prop in event.iterfind(".//spiff:property[@name='form']", ns)}


def _form_fields() -> set[str]:
    skipped = _message_forms()
    return {name for path in processes.FORMS_DIR.glob("*.json") if path.stem not in skipped
            for name in json.loads(path.read_text(encoding="utf-8"))["schema"]["properties"]}


def _request_input(receiver: ast.expr) -> bool:
    """``request.args``/``request.form``, the API's JSON ``body`` (``_json_body()``) and the
    like: what a user sent, not case data."""
    if isinstance(receiver, ast.Call):
        receiver = receiver.func
    name = receiver.attr if isinstance(receiver, ast.Attribute) else getattr(receiver, "id", "")
    return name in {"args", "form", "values", "headers", "query", "params", "body",
                    "_json_body"}


def _page_reads() -> set[tuple[str, str]]:
    """(file, field) for every ``<x>.get("<form field>")`` in the page modules."""
    fields, found = _form_fields(), set()
    for path in sorted((ROOT / "webapp").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "get" and node.args
                    and not _request_input(node.func.value)
                    and isinstance(node.args[0], ast.Constant) and node.args[0].value in fields):
                found.add((str(path.relative_to(ROOT)), node.args[0].value))
    return found


def test_every_form_field_a_page_reads_is_declared() -> None:
    declared = reads.declared_fields("ip_koordinator")
    undeclared = sorted((file, name) for file, name in _page_reads() if name not in declared)
    assert undeclared == []
