"""Shared test doubles for handler tests: a recording Effects, a dict-based Directory, a context
factory and a generator of valid fødselsnummer.

The number generator is written independently of ``handlers.nin`` on purpose, so the tests do not
check the production code against itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from handlers.registry import HandlerContext

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


# --- fødselsnummer -----------------------------------------------------------------------------


def _mod11(digits: str, weights: list[int]) -> int:
    """11 - (weighted sum mod 11); 11 means 0; 10 means "no valid check digit"."""
    value = (
        11 - sum(int(digit) * weight for digit, weight in zip(digits, weights, strict=True)) % 11
    )
    return 0 if value == 11 else value


FIRST_WEIGHTS = [3, 7, 6, 1, 8, 9, 4, 5, 2]
SECOND_WEIGHTS = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]


def with_check_digits(base: str) -> str | None:
    """``base`` (nine digits) with both check digits, or None when one of them would be 10."""
    first = _mod11(base, FIRST_WEIGHTS)
    if first == 10:
        return None
    second = _mod11(base + str(first), SECOND_WEIGHTS)
    if second == 10:
        return None
    return f"{base}{first}{second}"


def nin_with_individual(
    birth: date, individual: int, *, d_number: bool = False, synthetic: bool = False
) -> str | None:
    """The number for ``birth`` and ``individual``, or None when a check digit would be 10."""
    day = birth.day + (40 if d_number else 0)
    month = birth.month + (80 if synthetic else 0)
    return with_check_digits(f"{day:02d}{month:02d}{birth.year % 100:02d}{individual:03d}")


def individual_range(year: int) -> range:
    """Individual numbers Skatteetaten issues for a birth year."""
    if 1854 <= year <= 1899:
        return range(500, 750)
    if 1900 <= year <= 1999:
        return range(0, 500)
    if 2000 <= year <= 2039:
        return range(500, 1000)
    raise ValueError(f"no individual numbers for {year}")


def make_nin(birth: date, *, d_number: bool = False, synthetic: bool = False) -> str:
    """A valid fødselsnummer (or D-nummer / synthetic Tenor number) for ``birth``."""
    for individual in individual_range(birth.year):
        nin = nin_with_individual(birth, individual, d_number=d_number, synthetic=synthetic)
        if nin:
            return nin
    raise AssertionError(f"no valid number for {birth}")


def first_remainder_10_base() -> str:
    """Nine digits (a real date, individual < 500) whose first check digit would be 10."""
    for individual in range(500):
        base = f"010190{individual:03d}"
        if _mod11(base, FIRST_WEIGHTS) == 10:
            return base
    raise AssertionError("no base found")


def second_remainder_10_prefix() -> str:
    """Ten digits with a valid first check digit whose second check digit would be 10."""
    for individual in range(500):
        base = f"010190{individual:03d}"
        first = _mod11(base, FIRST_WEIGHTS)
        if first != 10 and _mod11(base + str(first), SECOND_WEIGHTS) == 10:
            return base + str(first)
    raise AssertionError("no prefix found")


@pytest.fixture
def nin_for() -> Callable[..., str]:
    """``nin_for(date, d_number=False, synthetic=False)`` -> a valid number."""
    return make_nin


@pytest.fixture
def nin_tools() -> SimpleNamespace:
    """The lower-level generators, for tests that need numbers invalid in one specific way."""
    return SimpleNamespace(
        with_check_digits=with_check_digits,
        with_individual=nin_with_individual,
        first_remainder_10_base=first_remainder_10_base,
        second_remainder_10_prefix=second_remainder_10_prefix,
    )


# --- effects, directory, context ---------------------------------------------------------------


@dataclass
class Archived:
    kind: str
    title: str
    body: str
    recipient: str | None


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

    def archive(self, kind: str, title: str, body: str, recipient: str | None = None) -> None:
        self.archived.append(Archived(kind, title, body, recipient))

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


@pytest.fixture
def effects() -> RecordingEffects:
    return RecordingEffects()


@pytest.fixture
def directory() -> DictDirectory:
    return DictDirectory(
        {
            "anne": ("Anne Koordinator", {"Hjemmetjenesten"}),
            "per": ("Per Pleier", {"Hjemmetjenesten", "Psykisk helse"}),
            "fagleder1": ("Frida Fagleder", set()),
        }
    )


@pytest.fixture
def make_context(
    effects: RecordingEffects, directory: DictDirectory
) -> Callable[..., HandlerContext]:
    """``make_context(now=NOW, **params)``: params given as plain values are wrapped in the
    ``{"value": ..., "type": ...}`` shape SpiffWorkflow's operation_params use."""

    def build(now: datetime = NOW, **params: Any) -> HandlerContext:
        wrapped = {
            name: {"value": value, "type": type(value).__name__} for name, value in params.items()
        }
        return HandlerContext(
            case_id=42, now=now, directory=directory, effects=effects, params=wrapped
        )

    return build


@pytest.fixture
def context(make_context: Callable[..., HandlerContext]) -> HandlerContext:
    return make_context()
