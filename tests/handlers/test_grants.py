"""decision.outcome: each requested part granted or refused on its own."""

from __future__ import annotations

from handlers.grants import outcome


def test_everything_requested_and_approved() -> None:
    assert outcome({"requests": ["ip", "koordinator"], "approved": True}) == {
        "ip_granted": True, "coordinator_granted": True, "barnekoordinator_granted": False,
        "refused_parts": [], "decision_granted": True}


def test_partial_refusal_ip_refused_coordinator_granted() -> None:
    result = outcome({"requests": ["ip", "koordinator"], "approved": True,
                      "approved_ip": False})
    assert (result["ip_granted"], result["coordinator_granted"]) == (False, True)
    assert result["refused_parts"] == ["ip"]


def test_the_reverse_partial_refusal() -> None:
    result = outcome({"requests": ["ip", "koordinator"], "approved": True,
                      "approved_coordinator": False})
    assert result["refused_parts"] == ["koordinator"]
    assert result["ip_granted"] is True


def test_full_refusal_refuses_only_what_was_requested() -> None:
    result = outcome({"requests": ["koordinator", "barnekoordinator"], "approved": False})
    assert result["refused_parts"] == ["koordinator", "barnekoordinator"]
    assert result["ip_granted"] is False
    assert result["decision_granted"] is False


def test_a_part_not_requested_is_never_granted() -> None:
    assert outcome({"requests": ["koordinator"], "approved": True,
                    "approved_ip": True})["ip_granted"] is False
