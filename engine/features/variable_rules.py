"""The variable rule of a diagram: its code may read only variables something can set.

A condition, script, timer expression or handler parameter that reads a name nothing in the
process can set (``alder`` when no form has that field) fails on every case that reaches it:
an incident retries cannot fix. Names a case can hold come from the fields of the forms the
process uses (its start form included: a process started without one may start with any data
and is not checked), what its scripts assign, what the handlers it calls
return, and the payload variables of the messages it waits for. What is read is found with
:mod:`ast`; the sandbox's builtins and names the code binds itself do not count.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from lxml import etree

from engine.kernel import spiff, spiff_scripts
from handlers.catalogue import get_handler, handler_names

NS = {"bpmn": spiff.BPMN_NS, "spiffworkflow": spiff.SPIFF_NS}


def read_names(code: str, mode: str) -> set[str]:
    """The names ``code`` reads from the case's data (not those it binds, nor builtins)."""
    try:
        tree = ast.parse(code, mode=mode)
    except SyntaxError:
        return set()  # reported by the code rules
    loaded: set[str] = set()
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            bound.add(node.name)
    return loaded - bound - set(spiff_scripts.SAFE_BUILTINS)


def assigned_names(code: str) -> set[str]:
    """The names a script sets (and so leaves in the case's data)."""
    try:
        tree = ast.parse(code, mode="exec")
    except SyntaxError:
        return set()
    return {node.id for node in ast.walk(tree)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}


@cache
def handler_outputs(name: str) -> frozenset[str]:
    """The keys a handler can return: the string keys of the dictionaries its ``return``
    statements build (a handler returns the facts it adds to the case as such a dict)."""
    try:
        source = textwrap.dedent(inspect.getsource(get_handler(name)))
    except (KeyError, OSError, TypeError):
        return frozenset()
    keys: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Dict):
            keys.update(key.value for key in node.value.keys
                        if isinstance(key, ast.Constant) and isinstance(key.value, str))
    return frozenset(keys)


def settable_names(root: etree._Element, forms: Mapping[str, Any]) -> set[str]:
    """Every variable something in the diagram can set: form fields, script assignments,
    handler results and message payload variables."""
    names = {field for form in forms.values()
             for field in ((form or {}).get("schema") or {}).get("properties", {})}
    for script in [*root.iterfind(".//bpmn:scriptTask/bpmn:script", NS),
                   *root.iterfind(".//spiffworkflow:preScript", NS),
                   *root.iterfind(".//spiffworkflow:postScript", NS)]:
        names |= assigned_names(script.text or "")
    known = handler_names()
    for operator in root.iterfind(".//spiffworkflow:serviceTaskOperator", NS):
        if operator.get("id") in known:
            names |= handler_outputs(operator.get("id", ""))
    names |= {(variable.text or "").strip()
              for variable in root.iterfind(".//spiffworkflow:messageVariable", NS)}
    return names


def element_label(root: etree._Element, element_id: str) -> str:
    """An element as a designer knows it: «its name» (its id), a nameless flow by the steps
    it joins, anything else by its id alone."""
    found = root.xpath("//*[@id=$id]", id=element_id)
    if not found:
        return element_id
    node = found[0]
    name = (node.get("name") or "").strip()
    if name:
        return f"«{name}» ({element_id})"
    if etree.QName(node).localname == "sequenceFlow":
        ends = [root.xpath("//*[@id=$id]", id=node.get(end, "")) for end in
                ("sourceRef", "targetRef")]
        names = [(e[0].get("name") or e[0].get("id", "")) if e else "?" for e in ends]
        return f"flyten fra «{names[0]}» til «{names[1]}» ({element_id})"
    return element_id


def starts_from_forms(root: etree._Element) -> bool:
    """Every start event of an executable process names a form: the start data is then that
    form's fields. Without one a case may start with any data, and nothing can be ruled out."""
    starts = [start for process in root.iterfind("bpmn:process[@isExecutable='true']", NS)
              for start in process.iterfind("bpmn:startEvent", NS)]
    return bool(starts) and all(start.find(
        "bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property[@name='form']",
        NS) is not None for start in starts)


def unknown_reads(root: etree._Element, code: Iterable[tuple[str, str, str]],
                  forms: Mapping[str, Any]) -> list[dict[str, str]]:
    """One problem per element and variable it reads that nothing in the diagram can set
    (for a process whose start data comes from a form; see :func:`starts_from_forms`).

    ``code`` is (element id, code, 'eval' | 'exec') for every piece of code in the diagram.
    """
    if not starts_from_forms(root):
        return []
    settable = settable_names(root, forms)
    problems: list[dict[str, str]] = []
    for element, text, mode in code:
        for name in sorted(read_names(text, mode) - settable):
            problems.append({"element": element, "message": (
                f"{element_label(root, element)} leser opplysningen {name!r}, men ingen "
                "skjema, tidligere steg, handler eller melding i prosessen kan sette den")})
    return problems
