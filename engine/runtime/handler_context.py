"""What a handler works with besides the case data: who the caseworker is, answers about staff,
and the side effects it asks for, collected and applied only if the handler succeeds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.kernel.models import Membership, User
from engine.kernel.vocabulary import Role
from engine.runtime.users import Actor
from handlers.registry import Caseworker


class SessionDirectory:
    """Answers handlers' questions about staff from the database; a name is read once per
    engine call (a letter names the coordinator, the closing letters name them again)."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._names: dict[str, str] = {}
        # Coordinators of a service area (None: of any), from a list read for a form.
        self._coordinators: dict[str | None, set[str]] = {}

    def remember_coordinators(self, service_area: str | None,
                              people: Sequence[tuple[str, str]]) -> None:
        """The (username, full name) of the coordinators of ``service_area``, read for a form's
        choices: the validator asks of the one chosen, and a letter names them."""
        self._coordinators.setdefault(service_area, set()).update(name for name, _ in people)
        self._names.update(people)

    def is_coordinator(self, username: str, service_area: str | None) -> bool:
        if username in self._coordinators.get(service_area, ()):
            return True
        query = select(Membership.service_area).join(User).where(
            User.username == username, User.active, Membership.role == Role.KOORDINATOR)
        areas = set(self._session.scalars(query))
        return bool(areas) and (None in areas or service_area is None or service_area in areas)

    def remember(self, username: str, full_name: str) -> None:
        """A name read along with something else (the case's coordinator's, with its rows)."""
        self._names[username] = full_name

    def display_name(self, username: str) -> str:
        if username not in self._names:
            name = self._session.scalar(select(User.full_name).where(User.username == username))
            self._names[username] = name or username
        return self._names[username]


def caseworker(actor: Actor) -> Caseworker | None:
    """The staff member a step runs for, with their contact; None for the system (timers) and
    for a citizen's own message, so letters are then signed by the unit, not by the citizen."""
    if not actor.is_staff:
        return None
    return Caseworker(actor.username, actor.full_name, phone=actor.phone, email=actor.email)


@dataclass(frozen=True)
class ArchivedDocument:
    """A document a handler wrote: its text, who it goes to, and the PDF that was sent."""

    kind: str
    title: str
    body: str
    recipients: tuple[str, ...]
    pdf: bytes | None
    nins: Mapping[str, str] = field(default_factory=dict)  # listed recipient -> fødselsnummer


class CaseEffects:
    """Collects one handler call's side effects; applied only if the handler succeeds."""

    def __init__(self) -> None:
        self.documents: list[ArchivedDocument] = []
        self.kpr_changes: list[tuple[str, str, date]] = []
        self.notifications: list[tuple[str, str, str]] = []
        self.coordinator: str | None = None
        self.plans: list[tuple[dict[str, Any], str]] = []
        self.shared: list[tuple[str, str, date, date, str]] = []
        self.unshared: list[tuple[str, date, str | None]] = []

    def archive(self, kind: str, title: str, body: str, recipients: Sequence[str] = (),
                pdf: bytes | None = None, nins: Mapping[str, str] | None = None) -> None:
        self.documents.append(ArchivedDocument(kind, title, body, tuple(recipients), pdf,
                                               dict(nins or {})))

    def kpr(self, service: str, action: str, on: date) -> None:
        self.kpr_changes.append((service, action, on))

    def notify(self, recipient: str, subject: str, body: str) -> None:
        self.notifications.append((recipient, subject, body))

    def set_coordinator(self, username: str) -> None:
        self.coordinator = username

    def record_plan(self, data: dict[str, Any], source: str) -> None:
        self.plans.append((data, source))

    def share(self, participant: str, scope: str, valid_from: date, valid_until: date,
              period: str) -> None:
        self.shared.append((participant, scope, valid_from, valid_until, period))

    def unshare(self, participant: str, on: date, by: str | None) -> None:
        self.unshared.append((participant, on, by))
