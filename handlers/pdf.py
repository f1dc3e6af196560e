"""Letters and plans printed to PDF/A-2b, the archival PDF (ISO 19005-2, level B).

A letter is archived as the exact bytes that were sent (Noark/arkivforskriften want a
long-term format), so the PDF is made once, when the letter is written, and the engine stores
it. WeasyPrint lays out the HTML with its own CSS engine; fonts are embedded, as PDF/A requires.

The output intent PDF/A requires is sRGB, as WeasyPrint's own, but from a compact profile
(``templates/srgb.icc``, 588 bytes: LittleCMS's built-in sRGB, parametric curves, written by
Pillow's ``ImageCms.createProfile("sRGB")`` with the header's version set to 4.2 and a fixed
date) instead of WeasyPrint's 3 KB table-based one: 2.6 KB less in every archived letter.

Before the file is written, :func:`handlers.pdf_slim.slimmed` takes out what WeasyPrint
writes and nothing draws or reads (1.1 KB of an 11.1 KB letter).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from weasyprint import CSS, HTML

from handlers.pdf_slim import slimmed

_printing: ContextVar[bool] = ContextVar("ipflow_pdf_printing", default=True)
STAND_IN = b"%PDF-1.7\n% not printed: ipflow bench engine\n%%EOF\n"
SRGB = Path(__file__).parent / "templates" / "srgb.icc"


def pdf_a(document: str) -> bytes:
    """``document`` (a whole HTML page with its own stylesheet) as PDF/A-2b bytes."""
    if not _printing.get():
        return STAND_IN
    profiles: dict[str, object] = {}
    intent = CSS(string=f"@color-profile --srgb {{ src: url({SRGB.as_uri()}); components: r g b }}",
                 color_profiles=profiles)
    return bytes(HTML(string=document).write_pdf(
        pdf_variant="pdf/a-2b", output_intent="--srgb", stylesheets=[intent],
        color_profiles=profiles, finisher=slimmed))


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
