"""kpr.start / kpr.end: register records dated with the engine clock's day."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.catalogue import get_handler
from handlers.kpr import end, start

TODAY = date(2026, 11, 26)


def test_registered() -> None:
    assert get_handler("kpr.start") is start
    assert get_handler("kpr.end") is end


@pytest.mark.parametrize("service", ["ip", "koordinator"])
def test_start(make_context, effects, service: str) -> None:
    assert start(make_context(service=service), {}) is None
    assert effects.kpr_changes == [(service, "start", TODAY)]


def test_end_one(make_context, effects) -> None:
    end(make_context(service="ip"), {})
    assert effects.kpr_changes == [("ip", "end", TODAY)]


def test_end_all_ends_ip_and_coordinator(make_context, effects) -> None:
    end(make_context(service="all"), {})
    assert effects.kpr_changes == [("ip", "end", TODAY), ("koordinator", "end", TODAY)]


def test_start_all_starts_both_records(make_context, effects) -> None:
    start(make_context(service="all"), {})
    assert [(service, what) for service, what, _ in effects.kpr_changes] == [
        ("ip", "start"), ("koordinator", "start")]


def test_an_unknown_service_is_refused(make_context, effects) -> None:
    with pytest.raises(ValueError, match="'service'"):
        start(make_context(service="bpa"), {})
    assert effects.kpr_changes == []


# ------------------------------------------------------------------------ barnekoordinator

CHILD = {"barnekoordinator_granted": True}


def test_a_granted_barnekoordinator_starts_a_barnekoordinator_record(make_context,
                                                                     effects) -> None:
    start(make_context(service="koordinator"), CHILD)
    start(make_context(service="all"), CHILD)
    assert [(service, what) for service, what, _ in effects.kpr_changes] == [
        ("barnekoordinator", "start"), ("ip", "start"), ("barnekoordinator", "start")]


def test_ending_a_barnekoordinator_case_ends_either_coordinator_kind(make_context,
                                                                     effects) -> None:
    # Granted on appeal after a koordinator period began, either may be open.
    end(make_context(service="all"), CHILD)
    assert effects.kpr_changes == [("ip", "end", TODAY), ("koordinator", "end", TODAY),
                                   ("barnekoordinator", "end", TODAY)]


def test_a_refused_barnekoordinator_is_a_koordinator_record(make_context, effects) -> None:
    start(make_context(service="koordinator"), {"barnekoordinator_granted": False})
    assert effects.kpr_changes == [("koordinator", "start", TODAY)]
