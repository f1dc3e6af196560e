"""The diagrams' names (steps, events, gateways, flows) and documentation in the reader's
language.

A step name is written once, in bokmål, in the diagram, and its English name beside it in the
diagram too (``name_en``, :mod:`engine.features.diagram_translations`, typed by the designer
for a new step); the pages show it through :func:`step_name`. The translation catalogue is the
fallback: ``make translations`` collects every name and documentation text through
:func:`extract_bpmn` (registered in ``babel.cfg``). A name neither knows is shown as written.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from functools import lru_cache
from typing import IO, Any

from flask import g, has_request_context, url_for
from flask_babel import get_locale

from engine.features.diagram import documentation_texts, named_elements
from engine.features.diagram_translations import (
    UNTRANSLATED_KINDS,
    names,
    renamed,
    translated_names,
)
from webapp.auth import db
from webapp.translation import gettext


def extract_bpmn(fileobj: IO[bytes], keywords: Collection[str], comment_tags: Collection[str],
                 options: dict[str, Any]) -> Iterator[tuple[int, None, str, list[str]]]:
    """Babel extractor: ``(line, None, text, [where])`` for every named BPMN element and
    every element's documentation."""
    bpmn_xml = fileobj.read()
    for line, kind, element_id, name in named_elements(bpmn_xml):
        if kind not in UNTRANSLATED_KINDS:
            yield line, None, name, [f"BPMN {kind} {element_id}"]
    for line, element_id, text in documentation_texts(bpmn_xml):
        yield line, None, text, [f"BPMN documentation {element_id}"]


def step_name(name: str | None) -> str:
    """A diagram name in the reader's language: the diagram's own, else the catalogue's, else
    as written."""
    if not name:
        return ""
    return _diagram_names().get(name) or gettext(name)


def drawn_diagram(bpmn_xml: str) -> str:
    """The diagram as the viewer draws it, with its names in the page's language."""
    locale = get_locale() if has_request_context() else None
    if not bpmn_xml or locale is None or locale.language == "nb":
        return bpmn_xml
    return _drawn(bpmn_xml, locale.language)


def diagram_url(key: str, version: int) -> str:
    """Where the viewer fetches a deployed diagram in the page's language (one address per
    language, so a browser keeps each once)."""
    locale = get_locale() if has_request_context() else None
    return url_for("cases.diagram", key=key, version=version,
                   lang=locale.language if locale else None)


@lru_cache(maxsize=32)
def _drawn(bpmn_xml: str, language: str) -> str:
    """(A deployed diagram never changes, so each is renamed once per language.)"""
    return renamed(bpmn_xml, {name.id: name.translation or gettext(name.name)
                              for name in names(bpmn_xml, language)})


def _diagram_names() -> dict[str, str]:
    """The deployed diagrams' names in the page's language, read once per request (none in
    bokmål, the language the diagrams are written in); a page names a step a hundred times."""
    if not has_request_context():
        return {}
    if "diagram_names" not in g:
        locale = get_locale()
        g.diagram_names = ({} if locale is None or locale.language == "nb"
                           else translated_names(db(), locale.language))
    names: dict[str, str] = g.diagram_names
    return names
