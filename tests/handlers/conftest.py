"""Fixtures for handler tests: the engine's CaseEffects, a dict-based Directory, a context factory
and valid fødselsnummer (the helpers behind them are in tests/support)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import pytest

from engine.runtime.handler_context import CaseEffects
from handlers.registry import HandlerContext
from tests.support.clock import NOW
from tests.support.handler_doubles import DictDirectory
from tests.support.nin import (
    first_remainder_10_base,
    make_nin,
    nin_with_individual,
    second_remainder_10_prefix,
    with_check_digits,
)


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


@pytest.fixture
def effects() -> CaseEffects:
    """The engine's own collector: a handler test sees exactly what the engine would apply."""
    return CaseEffects()


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
    effects: CaseEffects, directory: DictDirectory
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
