"""Test doubles for handler tests: a recording Effects and a dict-based Directory.

The recorder is kept apart from the engine's ``CaseEffects`` (engine/runtime/handler_context.py): it
keeps each archived document as an object with named fields and every ``set_coordinator`` call
(the tests check it was called exactly once), and it keeps the handler tests free of the engine
layer above the handlers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass
class Archived:
    kind: str
    title: str
    body: str
    recipients: list[str]
    pdf: bytes | None


@dataclass
class RecordingEffects:
    """Effects that only remember what a handler asked for."""

    archived: list[Archived] = field(default_factory=list)
    kpr_calls: list[tuple[str, str, date]] = field(default_factory=list)
    notifications: list[tuple[str, str, str]] = field(default_factory=list)
    coordinators: list[str] = field(default_factory=list)
    plans: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    shared: list[tuple[str, str, date, date, str]] = field(default_factory=list)
    unshared: list[tuple[str, date, str | None]] = field(default_factory=list)

    def archive(self, kind: str, title: str, body: str, recipients: Sequence[str] = (),
                pdf: bytes | None = None) -> None:
        self.archived.append(Archived(kind, title, body, list(recipients), pdf))

    def kpr(self, service: str, action: str, on: date) -> None:
        self.kpr_calls.append((service, action, on))

    def notify(self, recipient: str, subject: str, body: str) -> None:
        self.notifications.append((recipient, subject, body))

    def set_coordinator(self, username: str) -> None:
        self.coordinators.append(username)

    def record_plan(self, data: dict[str, Any], source: str) -> None:
        self.plans.append((data, source))

    def share(self, participant: str, scope: str, valid_from: date, valid_until: date,
              period: str) -> None:
        self.shared.append((participant, scope, valid_from, valid_until, period))

    def unshare(self, participant: str, on: date, by: str | None) -> None:
        self.unshared.append((participant, on, by))

    def of_kind(self, kind: str) -> list[Archived]:
        return [document for document in self.archived if document.kind == kind]


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
