"""notify.systemkoordinator: subject from the diagram, body naming citizen and case."""

from __future__ import annotations

from handlers.catalogue import get_handler
from handlers.notify import systemkoordinator


def test_registered() -> None:
    assert get_handler("notify.systemkoordinator") is systemkoordinator


def test_notification(make_context, effects) -> None:
    context = make_context(subject="Tjenestemottaker ønsker ikke IP i planverktøyet")
    data = {
        "citizen_name": "Kari Nordmann",
        "citizen_nin": "15076500565",
        "coordinator": "anne",
        "service_area": "Hjemmetjenesten",
    }
    assert systemkoordinator(context, data) is None
    [(recipient, subject, body)] = effects.notifications
    assert recipient == "systemkoordinator"
    assert subject == "Tjenestemottaker ønsker ikke IP i planverktøyet"
    assert "Sak 42: Kari Nordmann." in body
    assert "Koordinator: Anne Koordinator." in body
    assert "Hjemmetjenesten" in body
    assert "15076500565" not in body


def test_notification_with_minimal_data(make_context, effects) -> None:
    systemkoordinator(make_context(subject="Ny melding"), {"citizen_name": "Kari Nordmann"})
    assert effects.notifications[0][2] == "Sak 42: Kari Nordmann.\nNy melding."
