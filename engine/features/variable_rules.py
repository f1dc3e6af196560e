"""The variable rule of a diagram: its code may read only variables set before it runs.

A condition, script, timer expression or handler parameter that reads a name nothing sets
on a path before it (``alder`` when no form has that field, or only a later step's form has)
fails on every case that reaches it: an incident retries cannot fix. Names a case can hold
come from the fields of the forms of the steps before (the start form included; a process
without one starts with no data), what their scripts assign, what the handlers they call
return, and the payload variables of the messages they wait for; the order is the flow graph
of :mod:`engine.features.flow_order`. What is read is found with :mod:`ast`; the sandbox's
builtins and names the code binds itself do not count.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from lxml import etree

from engine.features import flow_order
from engine.features.diagram_names import element_label
from engine.features.flow_order import owner_id
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


def set_by_element(root: etree._Element, forms: Mapping[str, Any]) -> dict[str, set[str]]:
    """Element id → the variables it sets: the fields of its form (a start, a user task or a
    message event that asks for one), what its scripts assign, what its handler returns,
    the payload variable of its message, and for a call activity whatever the process it
    calls sets."""
    sets: dict[str, set[str]] = defaultdict(set)
    for prop in root.iterfind(".//spiffworkflow:property[@name='form']", NS):
        form = forms.get(prop.get("value", "")) or {}
        sets[owner_id(prop)] |= set((form.get("schema") or {}).get("properties") or {})
    for script in [*root.iterfind(".//bpmn:scriptTask/bpmn:script", NS),
                   *root.iterfind(".//spiffworkflow:preScript", NS),
                   *root.iterfind(".//spiffworkflow:postScript", NS)]:
        sets[owner_id(script)] |= assigned_names(script.text or "")
    known = handler_names()
    for operator in root.iterfind(".//spiffworkflow:serviceTaskOperator", NS):
        if operator.get("id") in known:
            sets[owner_id(operator)] |= handler_outputs(operator.get("id", ""))
    for variable in root.iterfind(".//spiffworkflow:messageVariable", NS):
        sets[owner_id(variable)].add((variable.text or "").strip())
    for call in root.iterfind(".//bpmn:callActivity", NS):
        called = root.find(f"bpmn:process[@id='{call.get('calledElement', '')}']", NS)
        if called is not None:
            inside = {node.get("id") for node in called.iter() if node.get("id")}
            sets[call.get("id", "")] |= {name for element, names in sets.items()
                                         if element in inside for name in names}
    return sets


def merged_back(root: etree._Element) -> dict[str, set[str]]:
    """End event id → the facts its ``merge_back`` property hands to the whole case."""
    return {owner_id(prop): {n.strip() for n in prop.get("value", "").split(",") if n.strip()}
            for prop in root.iterfind(".//spiffworkflow:property[@name='merge_back']", NS)}


class Availability:
    """What a case can hold when an element runs: what the elements before it set, and the
    facts a ``merge_back`` end event hands to every element not strictly before it."""

    def __init__(self, root: etree._Element, forms: Mapping[str, Any]) -> None:
        self.graph = flow_order.FlowGraph(root)
        self.sets = set_by_element(root, forms)
        self.merges = [(end, names, self.graph.ancestors(end), self.graph.descendants([end]))
                       for end, names in merged_back(root).items()]

    def at(self, element: str) -> set[str]:
        """The variables set on some path that can run before ``element`` (or by itself,
        as a task's form feeds its own scripts)."""
        names = set(self.sets.get(element, ()))
        for earlier in self.graph.ancestors(element):
            names |= self.sets.get(earlier, set())
        for _end, facts, before, after in self.merges:
            if element not in before or element in after:
                names |= facts
        return names


CODE_KINDS = {"condition": "Betingelsen på", "script": "Skriptet i",
              "parameter": "Parameteren til", "timer": "Tidsuttrykket i"}


def unknown_reads(root: etree._Element, code: Iterable[tuple[str, str, str, str]],
                  forms: Mapping[str, Any]) -> list[dict[str, str]]:
    """One problem per element and variable it reads that nothing on a path before it sets.

    ``code`` is (element id, code, 'eval' | 'exec', kind) for every piece of code in the
    diagram, kind one of :data:`CODE_KINDS`. A process without a start form starts with no
    data: what it reads must be set by its own steps too.
    """
    available = Availability(root, forms)
    problems: list[dict[str, str]] = []
    for element, text, mode, kind in code:
        label = element_label(root, element)
        for name in sorted(read_names(text, mode) - available.at(element)):
            problems.append({"element": element, "label": label, "message": (
                f"{CODE_KINDS[kind]} {label} leser «{name}», som ingen skjema eller "
                "tidligere steg setter.")})
    return problems
