"""Test double for handler tests: a dict-based Directory of staff.

Handler tests collect side effects with the engine's own ``CaseEffects``
(engine/runtime/handler_context.py), so they check exactly what the engine applies.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class DictDirectory:
    """Users as ``{username: (display name, {service areas where koordinator})}``."""

    users: dict[str, tuple[str, set[str]]]

    def is_coordinator(self, username: str, service_area: str | None) -> bool:
        if username not in self.users:
            return False
        areas = self.users[username][1]
        return bool(areas) if service_area is None else service_area in areas

    def display_name(self, username: str) -> str:
        return self.users[username][0] if username in self.users else username
