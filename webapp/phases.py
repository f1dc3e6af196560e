"""Which start events a case has passed, when the diagram's phases are sub-processes.

The engine records no event for a start event. A case that has begun has passed its process's
start event, but a phase's start event (or an event sub-process's) only once the case has
entered that phase: when a step inside it has been passed or is waiting now. Counting every
start event as passed would show phases ahead of the case, and legal events that never
happened, as done.
"""

from __future__ import annotations

from collections.abc import Set
from functools import lru_cache

from engine.features.overview import BPMN_NS
from engine.kernel import spiff

START = f"{{{BPMN_NS}}}startEvent"
SUB_PROCESS = f"{{{BPMN_NS}}}subProcess"


@lru_cache(maxsize=16)
def start_events(checksum: str, bpmn_xml: str) -> tuple[tuple[str, frozenset[str] | None], ...]:
    """Each start event, in document order (an outer phase's before an inner one's), with the
    ids inside its sub-process (None: a process's own start).

    Cached per deployed version (its checksum); deployed versions never change.
    """
    del checksum  # the cache key only
    root = spiff.parse_xml(bpmn_xml)
    starts = []
    for start in root.iter(START):
        container = start.getparent()
        inside = None
        if container is not None and container.tag == SUB_PROCESS:
            inside = frozenset(element.get("id") for element in container.iter()
                               if isinstance(element.tag, str) and element.get("id"))
        starts.append((start.get("id") or "", inside))
    return tuple(starts)


def passed_starts(checksum: str, bpmn_xml: str, reached: Set[str]) -> set[str]:
    """The start events a started case has passed, given the ids it has passed or waits at."""
    return {start for start, inside in start_events(checksum, bpmn_xml)
            if inside is None or not inside.isdisjoint(reached - {start})}
