"""Letters and plans printed to PDF/A-2b, the archival PDF (ISO 19005-2, level B).

A letter is archived as the exact bytes that were sent (Noark/arkivforskriften want a
long-term format), so the PDF is made once, when the letter is written, and the engine stores
it. WeasyPrint lays out the HTML with its own CSS engine; fonts are embedded, as PDF/A requires.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from weasyprint import HTML

_printing: ContextVar[bool] = ContextVar("ipflow_pdf_printing", default=True)
STAND_IN = b"%PDF-1.7\n% not printed: ipflow bench engine\n%%EOF\n"


def pdf_a(document: str) -> bytes:
    """``document`` (a whole HTML page with its own stylesheet) as PDF/A-2b bytes."""
    if not _printing.get():
        return STAND_IN
    return bytes(HTML(string=document).write_pdf(pdf_variant="pdf/a-2b"))


@contextmanager
def without_printing() -> Iterator[None]:
    """Letters are written and archived as always, with :data:`STAND_IN` for their PDF.

    For ``ipflow bench engine`` only: it measures the engine against plain SpiffWorkflow, and
    both sides would otherwise spend most of a case in WeasyPrint (over a second a letter on
    a two-core machine), the same work on both sides that says nothing about the engine."""
    token = _printing.set(False)
    try:
        yield
    finally:
        _printing.reset(token)
