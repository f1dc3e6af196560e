"""Handlers and validators registered by name.

Diagrams refer to automatic steps by name (``spiffworkflow:serviceTaskOperator id=...``) and to
form checks by name (user task property ``validator``). This module is the one place where those
names meet Python functions, so the engine can look them up and the deploy check can tell a
designer that a name does not exist.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

from handlers.dates import local_date


class Directory(Protocol):
    """What a handler may ask about the municipality's staff (answered by the engine)."""

    def is_coordinator(self, username: str, service_area: str | None) -> bool: ...

    def display_name(self, username: str) -> str: ...


class Effects(Protocol):
    """Side effects a handler asks for; the engine writes them in the case's transaction."""

    def archive(self, kind: str, title: str, body: str, recipients: Sequence[str] = (),
                pdf: bytes | None = None, nins: Mapping[str, str] | None = None) -> None:
        """Keep a document in the case's archive; a letter lists its recipients ("Kari
        Nordmann", "Ola Hansen (foresatt), kopi"), each of whom is sent a copy, and brings the
        PDF that is sent. ``nins`` gives the fødselsnummer of listed recipients other than the
        citizen (guardians) where known, so their copy can go by digital post."""

    def kpr(self, service: str, action: str, on: date) -> None: ...

    def notify(self, recipient: str, subject: str, body: str) -> None: ...

    def set_coordinator(self, username: str) -> None: ...

    def record_plan(self, data: dict[str, Any], source: str) -> None: ...

    def share(self, participant: str, scope: str, valid_from: date, valid_until: date,
              period: str) -> None:
        """The citizen consents to share ``scope`` with ``participant`` in that period."""

    def unshare(self, participant: str, on: date, by: str | None) -> None:
        """The consent to share with ``participant`` (any case of letters) is withdrawn."""


@dataclass(frozen=True)
class HandlerSettings:
    """The municipality as its letters present it, and how long a letter takes to arrive.

    The engine fills this from the environment (``engine/kernel/settings.py``); the defaults are the
    demo municipality's, so tests and a fresh demo print a complete letterhead.
    """

    municipality_name: str = "Demo kommune"
    unit: str = "Koordinerende enhet"
    address: str = "Postboks 1, 1234 Demostad"
    phone: str = "12 34 56 78"
    email: str = "koordinerende.enhet@demo.kommune.no"
    letter_delivery_days: int = 0  # days from the letter date until the citizen has it


@dataclass(frozen=True)
class Caseworker:
    """The staff member on whose behalf a step runs: letters name them, journal notes credit
    them. Phone and e-mail fall back to the unit's when the directory has none."""

    username: str
    name: str
    phone: str | None = None
    email: str | None = None


@dataclass
class HandlerContext:
    """Everything a handler may use besides the task data: no database, no web request.

    ``actor`` is None when no staff member acts (a timer, the citizen's own message): letters
    are then signed by the unit and journal notes by the system.
    """

    case_id: int
    now: datetime
    directory: Directory
    effects: Effects
    params: dict[str, Any] = field(default_factory=dict)
    settings: HandlerSettings = field(default_factory=HandlerSettings)
    actor: Caseworker | None = None

    @property
    def today(self) -> date:
        """The date in Norway now: a letter's date, a deadline's start or "not in the future"
        is a Norwegian date, so between midnight in Oslo and midnight UTC it is already
        tomorrow."""
        return local_date(self.now)


Handler = Callable[[HandlerContext, dict[str, Any]], dict[str, Any] | None]
Validator = Callable[[HandlerContext, dict[str, Any]], dict[str, str]]

_handlers: dict[str, Handler] = {}
_validators: dict[str, Validator] = {}


HandlerT = TypeVar("HandlerT", bound=Handler)


def handler(name: str) -> Callable[[HandlerT], HandlerT]:
    """Register a service-task handler under the name diagrams use; the function keeps its own
    signature, so code that calls it directly sees what it really returns."""

    def register(function: HandlerT) -> HandlerT:
        if name in _handlers:
            raise ValueError(f"handler {name!r} is registered twice")
        _handlers[name] = function
        return function

    return register


def validator(name: str) -> Callable[[Validator], Validator]:
    """Register a form validator under the name user tasks use."""

    def register(function: Validator) -> Validator:
        if name in _validators:
            raise ValueError(f"validator {name!r} is registered twice")
        _validators[name] = function
        return function

    return register


def registered_handlers() -> dict[str, Handler]:
    """The handlers registered so far (all of them once :mod:`handlers.catalogue` is imported)."""
    return dict(_handlers)


def registered_validators() -> dict[str, Validator]:
    """The validators registered so far (all of them once :mod:`handlers.catalogue` is
    imported)."""
    return dict(_validators)
