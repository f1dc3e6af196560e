"""Why an automatic step failed, in terms a page can put into a sentence.

One reading for every place that shows an incident: the incident panel, the monitor's stuck
list and the case history all classify the stored error text by the failed element's kind
(read from the version's cached spec, never from a case's workflow state), so the same
failure reads the same everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.kernel import spiff
from engine.kernel.models import ProcessVersion

MISSING_NAME = re.compile(r"NameError: name '([A-Za-z_][A-Za-z0-9_]*)' is not defined")


@dataclass(frozen=True)
class IncidentCause:
    """What failed: the element's label in the diagram (its id when it has none), its kind
    (``gateway``, ``script``, ``service``, ``timer``, ``other``), the variable the case lacked
    (for a NameError), the handler of a service task, and the technical text as stored."""

    element_name: str
    element_kind: str
    missing_variable: str | None
    handler: str | None
    technical: str


def cause_at(version: ProcessVersion, bpmn_id: str, error: str | None,
             handler: str | None) -> IncidentCause:
    """Classify an error at ``bpmn_id`` of ``version`` by the element's kind and the text."""
    spec = spiff.element_spec(version, bpmn_id)
    missing = MISSING_NAME.search(error or "")
    return IncidentCause(element_name=element_name(version, bpmn_id),
                         element_kind=spiff.element_kind(spec) if spec is not None else "other",
                         missing_variable=missing.group(1) if missing else None,
                         handler=handler, technical=error or "")


def element_name(version: ProcessVersion, bpmn_id: str) -> str:
    """The element's label in the diagram, its id when it has none."""
    spec = spiff.element_spec(version, bpmn_id)
    return (getattr(spec, "bpmn_name", None) or bpmn_id) if spec is not None else bpmn_id
