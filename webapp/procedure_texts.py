"""The diagrams' names (steps, events, gateways, flows) and documentation as messages of the
translation catalogue.

A step name is written once, in bokmål, in the diagram; ``make translations`` collects every
name through :func:`extract_bpmn` (registered in ``babel.cfg``) so the English catalogue can
carry it, and the pages show it through :func:`step_name`. A name a designer adds later, not yet
in the catalogue, is shown as written.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import IO, Any

from flask_babel import gettext

from engine.features.diagram import documentation_texts, named_elements

# Lane names are role keys (innbygger, koordinator …), shown through the role labels instead.
SKIPPED = {"lane", "laneSet", "definitions", "collaboration", "participant", "message"}


def extract_bpmn(fileobj: IO[bytes], keywords: Collection[str], comment_tags: Collection[str],
                 options: dict[str, Any]) -> Iterator[tuple[int, None, str, list[str]]]:
    """Babel extractor: ``(line, None, text, [where])`` for every named BPMN element and
    every element's documentation."""
    bpmn_xml = fileobj.read()
    for line, kind, element_id, name in named_elements(bpmn_xml):
        if kind not in SKIPPED:
            yield line, None, name, [f"BPMN {kind} {element_id}"]
    for line, element_id, text in documentation_texts(bpmn_xml):
        yield line, None, text, [f"BPMN documentation {element_id}"]


def step_name(name: str | None) -> str:
    """A diagram name in the reader's language (as written when the catalogue lacks it)."""
    return gettext(name) if name else ""
