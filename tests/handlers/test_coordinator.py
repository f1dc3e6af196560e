"""coordinator.register: the effect, the history and KPR on a change."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime

import pytest

from handlers.catalogue import get_handler
from handlers.coordinator import register


def test_registered() -> None:
    assert get_handler("coordinator.register") is register


def test_first_registration_does_not_touch_kpr(context, effects) -> None:
    result = register(context, {"coordinator": "anne"})
    assert result == {"coordinator_history": [{"username": "anne", "from": "2026-11-26"}]}
    assert effects.coordinator == "anne"
    assert effects.kpr_changes == []


def test_change_ends_and_restarts_kpr_coordinator(make_context, effects) -> None:
    data = {
        "coordinator": "per",
        "coordinator_history": [{"username": "anne", "from": "2026-01-05"}],
    }
    before = copy.deepcopy(data)
    now = datetime(2027, 3, 1, 8, tzinfo=UTC)
    result = register(make_context(now=now), data)
    assert result == {
        "coordinator_history": [
            {"username": "anne", "from": "2026-01-05", "to": "2027-03-01"},
            {"username": "per", "from": "2027-03-01"},
        ]
    }
    assert effects.coordinator == "per"
    assert effects.kpr_changes == [
        ("koordinator", "end", date(2027, 3, 1)),
        ("koordinator", "start", date(2027, 3, 1)),
    ]
    assert data == before  # the task data is not changed behind the engine's back


def test_change_of_barnekoordinator_restarts_the_barnekoordinator_record(make_context,
                                                                       effects) -> None:
    data = {"coordinator": "per", "barnekoordinator_granted": True,
            "coordinator_history": [{"username": "anne", "from": "2026-01-05"}]}
    register(make_context(now=datetime(2027, 3, 1, 8, tzinfo=UTC)), data)
    changed = date(2027, 3, 1)
    assert effects.kpr_changes == [("koordinator", "end", changed),
                                   ("barnekoordinator", "end", changed),
                                   ("barnekoordinator", "start", changed)]


def test_same_coordinator_again_changes_nothing(context, effects) -> None:
    history = [{"username": "anne", "from": "2026-01-05"}]
    result = register(context, {"coordinator": "anne", "coordinator_history": history})
    assert result == {"coordinator_history": history}
    assert effects.kpr_changes == []
    assert effects.coordinator == "anne"


def test_missing_coordinator(context, effects) -> None:
    with pytest.raises(ValueError, match="coordinator is missing"):
        register(context, {"coordinator": ""})
    assert effects.coordinator is None
