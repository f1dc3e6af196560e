"""What an archive's PDF/A-2b validator checks first, read from the file itself with pypdf.

veraPDF, the reference validator, is a Java program in no package registry this project uses;
these are the checks of ISO 19005-2 level B that a file's structure shows plainly: the XMP
identification (part 2, conformance B), an output intent with an ICC profile, every font
embedded, no encryption, no JavaScript or launch actions, and a document ID. One walk over
every object reachable from the trailer finds fonts and actions wherever they are.
"""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO
from typing import Any
from xml.etree import ElementTree

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"
FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")
FORBIDDEN_ACTIONS = ("/JavaScript", "/Launch")


def _objects(root: Any) -> Iterator[DictionaryObject]:
    """Every dictionary (streams included) reachable from ``root``, each once."""
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            yield item
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)


def _pdfa_id(reader: PdfReader) -> dict[str, str]:
    """``part`` and ``conformance`` as the XMP packet declares them (attribute or element)."""
    metadata = reader.trailer["/Root"].get("/Metadata")
    if metadata is None:
        return {}
    found: dict[str, str] = {}
    for element in ElementTree.fromstring(metadata.get_object().get_data()).iter():
        for name, value in element.attrib.items():
            if name.startswith(PDFAID):
                found[name.removeprefix(PDFAID)] = value
        if element.tag.startswith(PDFAID) and element.text:
            found[element.tag.removeprefix(PDFAID)] = element.text.strip()
    return found


def _icc_profile(intent: DictionaryObject) -> bool:
    """A PDF/A output intent whose profile is an ICC profile (``acsp`` at byte 36)."""
    profile = intent.get("/DestOutputProfile")
    if intent.get("/S") != "/GTS_PDFA1" or profile is None:
        return False
    stream = profile.get_object()
    return isinstance(stream, StreamObject) and stream.get_data()[36:40] == b"acsp"


def _embedded(font: DictionaryObject) -> bool:
    if font.get("/Subtype") == "/Type3":  # its glyphs are drawn by the file itself
        return True
    if font.get("/Subtype") == "/Type0":
        return all(_embedded(d.get_object()) for d in font["/DescendantFonts"])
    descriptor = font.get("/FontDescriptor")
    return descriptor is not None and any(k in descriptor.get_object() for k in FONT_FILES)


def archival_problems(pdf: bytes) -> list[str]:
    """What keeps ``pdf`` from being PDF/A-2b by these checks; empty when nothing does."""
    reader = PdfReader(BytesIO(pdf))
    if reader.is_encrypted or "/Encrypt" in reader.trailer:
        return ["encrypted"]  # and nothing more can be read without the password
    problems = []
    identification = _pdfa_id(reader)
    if (identification.get("part"), identification.get("conformance")) != ("2", "B"):
        problems.append(f"XMP identifies it as {identification or 'nothing'}, not PDF/A-2b")
    intents = reader.trailer["/Root"].get("/OutputIntents") or []
    if not any(_icc_profile(intent.get_object()) for intent in intents):
        problems.append("no PDF/A output intent with an ICC profile")
    document_id = reader.trailer.get("/ID")
    if not document_id or len(document_id) != 2 or not all(
            getattr(part, "original_bytes", part) for part in document_id):
        problems.append("no document ID")
    objects = list(_objects(reader.trailer["/Root"]))
    fonts = [o for o in objects if o.get("/Type") == "/Font"]
    if not fonts:
        problems.append("no fonts at all (the text would not be text)")
    problems += [f"font {font.get('/BaseFont')} not embedded" for font in fonts
                 if not _embedded(font)]
    for item in objects:
        if item.get("/S") in FORBIDDEN_ACTIONS or "/JS" in item:
            problems.append(f"action {item.get('/S')}")
    names = reader.trailer["/Root"].get("/Names")
    if names is not None and "/JavaScript" in names.get_object():
        problems.append("document-level JavaScript")
    return problems
