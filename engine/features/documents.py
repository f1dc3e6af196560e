"""Documents the webapp prints: the plan as PDF/A, under the municipality's letterhead.

A letter's PDF is made by its handler when it is written and kept as the letter's attachment
(read back with :func:`engine.features.attachments.read`, a logged read); the plan changes, so
it is printed when asked for, from the page the webapp renders of what it has read (logged).
"""

from __future__ import annotations

from engine.kernel.settings import handler_settings
from handlers.pdf import pdf_a
from handlers.registry import HandlerSettings


def letterhead() -> HandlerSettings:
    """The municipality as its documents present it (name, unit, address, contact)."""
    return handler_settings()


def print_pdf(page: str) -> bytes:
    """A whole HTML page (with its own print stylesheet) as PDF/A-2b."""
    return pdf_a(page)
