"""What a reader of a case follows in its deployed diagram: the named steps, and the start
events a case has passed when the diagram's phases are sub-processes.

The engine records no event for a start event. A case that has begun has passed its process's
start event, but a phase's start event (or an event sub-process's) only once the case has
entered that phase: when a step inside it has been passed or is waiting now. Counting every
start event as passed would show phases ahead of the case, and legal events that never
happened, as done.

Everything here reads a deployed version, which never changes, so results are cached by the
version's checksum.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from engine.kernel import spiff

BPMN_NS = spiff.BPMN_NS
# The extension property that says whom an element (or every element of a lane) is for:
# ``staff`` marks the municipality's own work, which the citizen's pages leave out.
AUDIENCE = f"{{{BPMN_NS}}}extensionElements/{{{spiff.SPIFF_NS}}}properties/" \
           f"{{{spiff.SPIFF_NS}}}property[@name='audience']"
STAFF_AUDIENCE = "staff"
# The BPMN elements a reader of a case follows (gateways and flows are left out).
STEP_KINDS = frozenset({"startEvent", "endEvent", "userTask", "serviceTask", "scriptTask",
                        "task", "boundaryEvent", "intermediateCatchEvent",
                        "intermediateThrowEvent"})
START = f"{{{BPMN_NS}}}startEvent"
SUB_PROCESS = f"{{{BPMN_NS}}}subProcess"


class DeployedDiagram(Protocol):
    """What :func:`deployed_xml` reads of a version: its checksum and (once) its diagram."""

    @property
    def checksum(self) -> str: ...

    @property
    def bpmn_xml(self) -> str: ...


# A version's diagram by checksum (the sha256 of the text itself), for the few versions a
# process meets; the oldest goes first past the bound.
_XML_KEPT = 16
_xml_by_checksum: dict[str, str] = {}


def deployed_xml(version: DeployedDiagram) -> str:
    """A deployed version's BPMN text, read from its row only the first time this process
    meets its checksum: a page can load its case's version without the diagram (a deferred
    column of about 230 KB, ``models.CASE_FOR_RUN``), and the caches below, keyed by the
    checksum and the text, hit on the same text object without a read."""
    found = _xml_by_checksum.get(version.checksum)
    if found is None:
        found = version.bpmn_xml
        while len(_xml_by_checksum) >= _XML_KEPT:
            del _xml_by_checksum[next(iter(_xml_by_checksum))]
        _xml_by_checksum[version.checksum] = found
    return found


@dataclass(frozen=True)
class Step:
    id: str
    name: str
    kind: str
    lane: str | None
    staff_only: bool = False


@dataclass(frozen=True)
class PhaseStart:
    """A start event and the ids inside its sub-process (None: the process's own start)."""

    id: str
    inside: frozenset[str] | None


def _audience(element: Any) -> str | None:
    found = element.find(AUDIENCE)
    if found is None:
        return None
    return (found.get("value") or "").strip() or None


@lru_cache(maxsize=16)
def diagram_steps(checksum: str, bpmn_xml: str) -> tuple[Step, ...]:
    """The named tasks and events of a deployed diagram in document order, with their lane
    and whether the diagram marks them as the staff's only (``audience`` ``staff`` on the
    element, or on its lane when the element says nothing)."""
    del checksum  # the cache key only
    root = spiff.parse_xml(bpmn_xml)
    lanes: dict[str, tuple[str, str | None]] = {}
    for lane in root.iter(f"{{{BPMN_NS}}}lane"):
        for ref in lane.iter(f"{{{BPMN_NS}}}flowNodeRef"):
            lanes[(ref.text or "").strip()] = (lane.get("name") or "", _audience(lane))
    steps = []
    for element in root.iter():
        if not isinstance(element.tag, str) or not element.tag.startswith(f"{{{BPMN_NS}}}"):
            continue
        kind = element.tag.split("}", 1)[1]
        element_id = element.get("id") or ""
        if kind in STEP_KINDS and element_id:
            lane, lane_audience = lanes.get(element_id, (None, None))
            audience = _audience(element) or lane_audience
            steps.append(Step(element_id, element.get("name") or element_id, kind, lane,
                              audience == STAFF_AUDIENCE))
    return tuple(steps)


@lru_cache(maxsize=16)
def start_events(checksum: str, bpmn_xml: str) -> tuple[PhaseStart, ...]:
    """Each start event in document order (an outer phase's before an inner one's)."""
    del checksum  # the cache key only
    root = spiff.parse_xml(bpmn_xml)
    starts = []
    for start in root.iter(START):
        container = start.getparent()
        inside = None
        if container is not None and container.tag == SUB_PROCESS:
            inside = frozenset(element.get("id") or "" for element in container.iter()
                               if isinstance(element.tag, str) and element.get("id"))
        starts.append(PhaseStart(start.get("id") or "", inside))
    return tuple(starts)


def passed_starts(checksum: str, bpmn_xml: str, reached: Set[str]) -> set[str]:
    """The start events a started case has passed, given the ids it has passed or waits at."""
    return {start.id for start in start_events(checksum, bpmn_xml)
            if start.inside is None or not start.inside.isdisjoint(reached - {start.id})}


@lru_cache(maxsize=16)
def enclosing_phases(checksum: str, bpmn_xml: str) -> dict[str, tuple[tuple[str, str], ...]]:
    """Element id → the sub-processes around it (id, name), outermost first."""
    del checksum  # the cache key only
    found: dict[str, list[tuple[str, str]]] = {}
    for phase in spiff.parse_xml(bpmn_xml).iter(SUB_PROCESS):
        for inner in phase.iter():
            if inner is not phase and isinstance(inner.tag, str) and inner.get("id"):
                found.setdefault(inner.get("id", ""), []).append(
                    (phase.get("id", ""), phase.get("name") or phase.get("id", "")))
    return {element: tuple(phases) for element, phases in found.items()}


@lru_cache(maxsize=16)
def phases(checksum: str, bpmn_xml: str) -> tuple[tuple[str, str], ...]:
    """The diagram's sub-processes (id, name) in document order: the phases of a case."""
    del checksum  # the cache key only
    return tuple((phase.get("id", ""), phase.get("name") or phase.get("id", ""))
                 for phase in spiff.parse_xml(bpmn_xml).iter(SUB_PROCESS) if phase.get("id"))


def named_elements(bpmn_xml: str | bytes) -> list[tuple[int, str, str, str]]:
    """``(line, kind, id, name)`` of every named BPMN element, read with the safe parser."""
    return [(element.sourceline or 0, element.tag.split("}", 1)[1], element.get("id") or "",
             (element.get("name") or "").strip())
            for element in spiff.parse_xml(bpmn_xml).iter(f"{{{BPMN_NS}}}*")
            if (element.get("name") or "").strip()]


def documentation_texts(bpmn_xml: str | bytes) -> list[tuple[int, str, str]]:
    """``(line, element id, text)`` of every element's documentation: what a legal event
    will do, shown to people before they confirm it."""
    return [(node.sourceline or 0, node.getparent().get("id") or "", (node.text or "").strip())
            for node in spiff.parse_xml(bpmn_xml).iter(f"{{{BPMN_NS}}}documentation")
            if (node.text or "").strip()]
