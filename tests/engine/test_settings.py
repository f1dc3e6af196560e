"""The municipality's settings come from the environment, with the demo's as defaults; the
caseworker a step runs for is a staff member, with the contact the user table keeps."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.kernel.models import User
from engine.kernel.settings import handler_settings
from engine.runtime.handler_context import caseworker
from engine.runtime.users import SYSTEM, get_actor
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


@pytest.fixture
def siri_contact(db):
    """The demo systemkoordinator with a phone and e-mail of her own, for this test only."""
    def set_contact(phone: str | None, email: str | None) -> None:
        with db.transaction() as session:
            user = session.scalar(select(User).where(User.username == "systemkoordinator"))
            user.phone, user.email = phone, email

    set_contact("57 00 11 22", "siri@fjordvik.kommune.no")
    yield
    set_contact(None, None)


def test_only_staff_sign_letters_with_their_contact(db, siri_contact) -> None:
    siri = get_actor(db, "systemkoordinator")
    fagleder = get_actor(db, "fagleder")
    citizen = get_actor(db, "innbygger")
    assert caseworker(siri) == Caseworker(
        "systemkoordinator", siri.full_name, phone="57 00 11 22",
        email="siri@fjordvik.kommune.no")
    assert caseworker(fagleder) == Caseworker("fagleder", fagleder.full_name)
    assert caseworker(citizen) is None
    assert caseworker(SYSTEM) is None
