"""Which elements of a diagram can run before which: the flow graph the variable rule walks.

A variable read by a condition is only there if something set it on a path that can run first;
a field of a later step's form, or of a step on a branch that never precedes the condition,
is not. The graph is read from the XML as the engine runs it: sequence flows (a flow is a node
between its source and target, since conditions sit on flows), a sub-process entered at its
start events and left after its end events, an event sub-process that may start whenever its
parent runs, a boundary event that may fire whenever its host (or anything inside a host
sub-process) has run, and a call activity as one step.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from lxml import etree

from engine.kernel import spiff

NS = {"bpmn": spiff.BPMN_NS, "spiffworkflow": spiff.SPIFF_NS}
FLOW_NODE_TAGS = {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent",
                  "boundaryEvent", "task", "userTask", "serviceTask", "scriptTask", "manualTask",
                  "sendTask", "receiveTask", "businessRuleTask", "callActivity", "subProcess",
                  "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway",
                  "complexGateway"}


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def flow_nodes(container: etree._Element) -> list[etree._Element]:
    """The flow nodes directly inside a process or sub-process."""
    return [n for n in container if _local(n) in FLOW_NODE_TAGS
            and etree.QName(n).namespace == spiff.BPMN_NS]


def _inner(container: etree._Element) -> list[str]:
    """Ids of every flow node inside ``container``, at any depth."""
    found: list[str] = []
    for node in flow_nodes(container):
        found.append(node.get("id", ""))
        if _local(node) == "subProcess":
            found.extend(_inner(node))
    return found


class FlowGraph:
    """Predecessor edges between the elements (flow nodes and sequence flows) of a diagram."""

    def __init__(self, root: etree._Element) -> None:
        self.before: dict[str, set[str]] = defaultdict(set)
        for process in root.iterfind("bpmn:process", NS):
            self._add_container(process)

    def _edge(self, source: str, target: str) -> None:
        self.before[target].add(source)

    def _add_container(self, container: etree._Element) -> None:
        nodes = {n.get("id", ""): n for n in flow_nodes(container)}
        for flow in container.iterfind("bpmn:sequenceFlow", NS):
            source, target, flow_id = (flow.get("sourceRef", ""), flow.get("targetRef", ""),
                                       flow.get("id", ""))
            if source in nodes and _local(nodes[source]) == "subProcess":
                # A sub-process is left after one of its end events (or empty, at once).
                for end in nodes[source].iterfind("bpmn:endEvent", NS):
                    self._edge(end.get("id", ""), flow_id)
            self._edge(source, flow_id)
            self._edge(flow_id, target)
        for node_id, node in nodes.items():
            kind = _local(node)
            if kind == "boundaryEvent":
                host = node.get("attachedToRef", "")
                self._edge(host, node_id)
                if host in nodes and _local(nodes[host]) == "subProcess":
                    for inner in _inner(nodes[host]):
                        self._edge(inner, node_id)
            elif kind == "subProcess":
                if node.get("triggeredByEvent") == "true":
                    for other in nodes:
                        if other != node_id:
                            self._edge(other, node_id)
                for start in node.iterfind("bpmn:startEvent", NS):
                    self._edge(node_id, start.get("id", ""))
                self._add_container(node)

    def ancestors(self, element: str) -> set[str]:
        """Every element that can have run before ``element`` (not itself, unless in a loop)."""
        seen: set[str] = set()
        stack = list(self.before.get(element, ()))
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(self.before.get(current, ()))
        return seen

    def descendants(self, elements: Iterable[str]) -> set[str]:
        """Every element that can run after one of ``elements``."""
        after: dict[str, set[str]] = defaultdict(set)
        for target, sources in self.before.items():
            for source in sources:
                after[source].add(target)
        seen: set[str] = set()
        stack = [t for e in elements for t in after.get(e, ())]
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(after.get(current, ()))
        return seen


def owner_id(node: etree._Element) -> str:
    """The id of the nearest BPMN element (a task, event or flow) holding ``node``."""
    current: etree._Element | None = node
    while current is not None:
        if current.get("id") and etree.QName(current).namespace == spiff.BPMN_NS and etree.QName(
                current).localname not in ("timerEventDefinition", "conditionExpression",
                                           "messageEventDefinition"):
            return str(current.get("id"))
        current = current.getparent()
    return "fil"
