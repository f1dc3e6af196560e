"""The names in a diagram in another language, written in the diagram itself.

A step, event, gateway, flow or phase is named once, in bokmål, in its ``name``; its English
name sits beside it as the extension property ``name_en`` (``spiffworkflow:property``, which
the modeler keeps when it saves, as it keeps ``form`` and ``audience``). The designer types
them in a table (:func:`names`, :func:`with_names`); the pages look a shown name up in
:func:`translated_names`, what every deployed version says, and fall back to the translation
catalogue for a name without one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from lxml import etree
from sqlalchemy import select

from engine.kernel import spiff
from engine.kernel.db import Database
from engine.kernel.models import ProcessVersion

BPMN_NS = spiff.BPMN_NS
SPIFF_NS = spiff.SPIFF_NS
# Lane names are role keys (innbygger, koordinator …), shown through the role labels; the
# other kinds name no step a page shows.
UNTRANSLATED_KINDS = frozenset({"lane", "laneSet", "definitions", "collaboration",
                                "participant", "message"})


@dataclass(frozen=True)
class DiagramName:
    """One named element: its id and kind, its Norwegian name and its ``locale`` name ('' when
    missing)."""

    id: str
    kind: str
    name: str
    translation: str


def _property(locale: str) -> str:
    return f"name_{locale}"


def _named(root: etree._Element) -> list[etree._Element]:
    return [node for node in root.iter(f"{{{BPMN_NS}}}*") if (node.get("name") or "").strip()
            and etree.QName(node).localname not in UNTRANSLATED_KINDS and node.get("id")]


def _translation(node: etree._Element, locale: str) -> str:
    for prop in node.iterfind(f"{{{BPMN_NS}}}extensionElements/{{{SPIFF_NS}}}properties/"
                              f"{{{SPIFF_NS}}}property"):
        if prop.get("name") == _property(locale):
            return (prop.get("value") or "").strip()
    return ""


def names(bpmn_xml: str | bytes, locale: str = "en") -> list[DiagramName]:
    """Every named element the pages can show, in document order, with its ``locale`` name."""
    return [DiagramName(node.get("id", ""), etree.QName(node).localname,
                        (node.get("name") or "").strip(), _translation(node, locale))
            for node in _named(spiff.parse_xml(bpmn_xml))]


def untranslated(bpmn_xml: str | bytes, locale: str = "en") -> list[DiagramName]:
    return [name for name in names(bpmn_xml, locale) if not name.translation]


def _properties(node: etree._Element) -> etree._Element:
    """The element's ``spiffworkflow:properties``, made where BPMN wants its extension
    elements: after its documentation, before everything else."""
    extensions = node.find(f"{{{BPMN_NS}}}extensionElements")
    if extensions is None:
        extensions = etree.Element(f"{{{BPMN_NS}}}extensionElements")
        documented = len(node.findall(f"{{{BPMN_NS}}}documentation"))
        node.insert(documented, extensions)
    properties = extensions.find(f"{{{SPIFF_NS}}}properties")
    if properties is None:
        properties = etree.SubElement(extensions, f"{{{SPIFF_NS}}}properties",
                                      nsmap={"spiffworkflow": SPIFF_NS})
    return properties


def _set(node: etree._Element, locale: str, text: str) -> None:
    properties = _properties(node)
    found = [p for p in properties if p.get("name") == _property(locale)]
    for prop in found[1:] if text else found:
        properties.remove(prop)
    if text and found:
        found[0].set("value", text)
    elif text:
        etree.SubElement(properties, f"{{{SPIFF_NS}}}property",
                         {"name": _property(locale), "value": text})
    if not len(properties):
        extensions = properties.getparent()
        extensions.remove(properties)
        if not len(extensions):
            node.remove(extensions)


def with_names(bpmn_xml: str | bytes, locale: str, answers: Mapping[str, str]) -> str:
    """The diagram with ``answers`` (element id → name) as its ``locale`` names; an empty
    answer removes that name. Ids of no named element are ignored."""
    root = spiff.parse_xml(bpmn_xml)
    for node in _named(root):
        if node.get("id") in answers:
            _set(node, locale, answers[node.get("id", "")].strip())
    text: str = etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode("utf-8")
    return text


def renamed(bpmn_xml: str | bytes, new_names: Mapping[str, str]) -> str:
    """The diagram with its named elements' ``name`` replaced from ``new_names`` (id → name),
    for drawing it in another language; elements not named there keep theirs."""
    root = spiff.parse_xml(bpmn_xml)
    for node in _named(root):
        if new_names.get(node.get("id", "")):
            node.set("name", new_names[node.get("id", "")])
    text: str = etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode("utf-8")
    return text


# (checksum, locale) → names: a deployed version never changes, so it is read once.
_BY_VERSION: dict[tuple[str, str], dict[str, str]] = {}


def translated_names(db: Database, locale: str) -> dict[str, str]:
    """Norwegian name → its ``locale`` name, from every deployed version (the newest wins
    where two versions name the same step differently)."""
    found: dict[str, str] = {}
    with db.reading() as session:
        rows = session.execute(select(ProcessVersion.id, ProcessVersion.checksum)
                               .order_by(ProcessVersion.id)).all()
        for version_id, checksum in rows:
            if (checksum, locale) not in _BY_VERSION:
                xml = session.scalar(select(ProcessVersion.bpmn_xml)
                                     .where(ProcessVersion.id == version_id)) or ""
                _BY_VERSION[checksum, locale] = {
                    name.name: name.translation for name in names(xml, locale)
                    if name.translation}
            found.update(_BY_VERSION[checksum, locale])
    return found
