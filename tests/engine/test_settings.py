"""The municipality's settings come from the environment, with the demo's as defaults."""

from __future__ import annotations

import pytest

from engine.runtime import caseworker
from engine.settings import handler_settings
from engine.users import SYSTEM, Actor
from handlers.registry import Caseworker, HandlerSettings


def test_defaults_are_the_demo_municipality(monkeypatch) -> None:
    for name in ("NAME", "UNIT", "ADDRESS", "PHONE", "EMAIL"):
        monkeypatch.delenv(f"IPFLOW_MUNICIPALITY_{name}", raising=False)
    monkeypatch.delenv("IPFLOW_LETTER_DELIVERY_DAYS", raising=False)
    assert handler_settings() == HandlerSettings()
    assert handler_settings().letter_delivery_days == 0


def test_environment_sets_letterhead_and_delivery_time(monkeypatch) -> None:
    monkeypatch.setenv("IPFLOW_MUNICIPALITY_NAME", "Fjordvik kommune")
    monkeypatch.setenv("IPFLOW_MUNICIPALITY_UNIT", "Tildelingskontoret")
    monkeypatch.setenv("IPFLOW_MUNICIPALITY_ADDRESS", "Rådhusgata 1, 6800 Fjordvik")
    monkeypatch.setenv("IPFLOW_MUNICIPALITY_PHONE", "57 00 00 00")
    monkeypatch.setenv("IPFLOW_MUNICIPALITY_EMAIL", "post@fjordvik.kommune.no")
    monkeypatch.setenv("IPFLOW_LETTER_DELIVERY_DAYS", "3")
    assert handler_settings() == HandlerSettings(
        "Fjordvik kommune", "Tildelingskontoret", "Rådhusgata 1, 6800 Fjordvik", "57 00 00 00",
        "post@fjordvik.kommune.no", 3)


@pytest.mark.parametrize("value", ["-1", "tre", "1.5"])
def test_delivery_time_must_be_whole_days(monkeypatch, value: str) -> None:
    monkeypatch.setenv("IPFLOW_LETTER_DELIVERY_DAYS", value)
    with pytest.raises(ValueError, match="IPFLOW_LETTER_DELIVERY_DAYS"):
        handler_settings()


def test_only_staff_sign_letters() -> None:
    staff = Actor("siri", "Siri Saksbehandler", {"systemkoordinator": frozenset({None})})
    citizen = Actor("kari", "Kari Nordmann", {"innbygger": frozenset({None})})
    assert caseworker(staff) == Caseworker("siri", "Siri Saksbehandler")
    assert caseworker(citizen) is None
    assert caseworker(SYSTEM) is None
