"""The municipality as its pages present it: who runs the service and how to reach them.

The accessibility statement names where to send feedback; that is the unit's contact from the
operator's settings (``engine.kernel.settings``), the same the letters carry, never a text
written into a page.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.kernel.settings import handler_settings


@dataclass(frozen=True)
class Contact:
    """The municipality and the unit that answers for the service."""

    municipality_name: str
    unit: str
    email: str
    phone: str


def contact() -> Contact:
    settings = handler_settings()
    return Contact(municipality_name=settings.municipality_name, unit=settings.unit,
                   email=settings.email, phone=settings.phone)
