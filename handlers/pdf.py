"""Letters and plans printed to PDF/A-2b, the archival PDF (ISO 19005-2, level B).

A letter is archived as the exact bytes that were sent (Noark/arkivforskriften want a
long-term format), so the PDF is made once, when the letter is written, and the engine stores
it. WeasyPrint lays out the HTML with its own CSS engine; fonts are embedded, as PDF/A requires.
"""

from __future__ import annotations

from weasyprint import HTML


def pdf_a(document: str) -> bytes:
    """``document`` (a whole HTML page with its own stylesheet) as PDF/A-2b bytes."""
    return bytes(HTML(string=document).write_pdf(pdf_variant="pdf/a-2b"))
