"""How a refusal names an element of a diagram: by its label, the id after it.

A process designer knows «Ja» on a flow, not ``flow_approved_gateway_to_send_decision``; the id
follows so the element can be found in the XML. Every deploy refusal (the designer's list, the
upload-refused page, the API and ``ipflow deploy``) is labelled here, once.
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from engine.kernel import spiff
from engine.kernel.errors import DeployRejected

FILE = "fil"
# A nameless element is named by what it is.
KINDS = {"process": "prosessen", "startEvent": "starthendelsen", "endEvent": "slutthendelsen",
         "userTask": "brukeroppgaven", "serviceTask": "den automatiske oppgaven",
         "scriptTask": "skriptoppgaven", "exclusiveGateway": "den eksklusive porten",
         "parallelGateway": "den parallelle porten", "boundaryEvent": "den festede hendelsen",
         "intermediateCatchEvent": "mellomhendelsen", "subProcess": "underprosessen",
         "callActivity": "kallaktiviteten", "lane": "banen"}


def _found(root: etree._Element, element_id: str) -> etree._Element | None:
    found = root.xpath("//*[@id=$id]", id=element_id) if element_id else []
    return found[0] if found else None


def _name(node: etree._Element | None) -> str:
    return (node.get("name") or "").strip() if node is not None else ""


def element_label(root: etree._Element | None, element_id: str) -> str:
    """``"Ja" (flow_x)``: the element's name and its id; a nameless flow by the steps it joins,
    another nameless element by its kind; the whole file is «filen»."""
    if element_id == FILE:
        return "filen"
    node = _found(root, element_id) if root is not None else None
    if node is None:
        return f"elementet ({element_id})"
    name = _name(node)
    if name:
        return f'"{name}" ({element_id})'
    kind = etree.QName(node).localname
    if kind == "sequenceFlow" and root is not None:
        ends = [_found(root, node.get(end, "")) for end in ("sourceRef", "targetRef")]
        source, target = (_name(e) or (e.get("id", "?") if e is not None else "?") for e in ends)
        return f'flyten fra "{source}" til "{target}" ({element_id})'
    return f"{KINDS.get(kind, 'elementet')} ({element_id})"


def labelled(root: etree._Element | None, errors: Iterable[dict[str, str]]
             ) -> list[dict[str, str]]:
    """Each ``{element, message}`` with its ``label`` and the ``text`` every outlet shows:
    the message after the label, or as it is when it already names the element."""
    out = []
    for item in errors:
        label = item.get("label") or element_label(root, item["element"])
        message = item["message"]
        text = message if label in message else f"{label[0].upper()}{label[1:]}: {message}"
        out.append({**item, "label": label, "text": text})
    return out


def parse_quietly(bpmn_xml: str | bytes) -> etree._Element | None:
    """The diagram to label errors with, or None when it cannot be read safely."""
    try:
        return spiff.parse_xml(bpmn_xml)
    except (etree.XMLSyntaxError, ValueError):
        return None


def rejected(root: etree._Element | None, errors: Iterable[dict[str, str]]) -> DeployRejected:
    """The refusal of a diagram, its errors labelled."""
    return DeployRejected(labelled(root, errors))
