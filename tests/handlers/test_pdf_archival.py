"""The PDF/A-2b checks (tests/support/pdfa.py) find what they look for: a PDF that is not
PDF/A, one with a JavaScript or launch action, an encrypted one, a font not embedded. The
letters and the plan are checked with them in test_letters.py and
tests/web/test_document_downloads.py."""

from __future__ import annotations

from io import BytesIO

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject
from weasyprint import HTML

from handlers.pdf import pdf_a
from tests.support.pdfa import archival_problems

PAGE = "<html><body><h1>Brev til Øyvind Ås</h1><p>Innhold.</p></body></html>"


@pytest.fixture(scope="module")
def archival() -> bytes:
    return pdf_a(PAGE)


def _rewritten(pdf: bytes, change: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(BytesIO(pdf)))
    if change == "encrypted":
        writer.encrypt("hemmelig")
    else:  # an action run when the file is opened
        action = {NameObject("/S"): NameObject(change)}
        if change == "/JavaScript":
            action[NameObject("/JS")] = TextStringObject("app.alert('hei');")
        else:
            action[NameObject("/F")] = TextStringObject("calc.exe")
        writer.root_object[NameObject("/OpenAction")] = DictionaryObject(action)
    output = BytesIO()
    writer.write(output)
    return output.getvalue()


def test_the_archival_pdf_passes(archival: bytes) -> None:
    assert archival_problems(archival) == []


def test_a_plain_pdf_lacks_the_identification_and_the_output_intent() -> None:
    problems = archival_problems(bytes(HTML(string=PAGE).write_pdf()))
    assert any("not PDF/A-2b" in p for p in problems), problems
    assert "no PDF/A output intent with an ICC profile" in problems


def test_javascript_launch_and_encryption_are_found(archival: bytes) -> None:
    assert "action /JavaScript" in archival_problems(_rewritten(archival, "/JavaScript"))
    assert "action /Launch" in archival_problems(_rewritten(archival, "/Launch"))
    assert "encrypted" in archival_problems(_rewritten(archival, "encrypted"))


def test_an_unembedded_font_is_found(archival: bytes) -> None:
    writer = PdfWriter(clone_from=PdfReader(BytesIO(archival)))
    for page in writer.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                    descriptor.pop(NameObject(key), None)
    output = BytesIO()
    writer.write(output)
    problems = archival_problems(output.getvalue())
    assert any(p.startswith("font ") and p.endswith(" not embedded") for p in problems), problems
