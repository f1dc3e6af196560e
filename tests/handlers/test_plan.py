"""plan.set_revision_date and plan.record_meeting."""

from __future__ import annotations

import pytest

from handlers.catalogue import get_handler
from handlers.plan import record_meeting, set_revision_date


def test_registered() -> None:
    assert get_handler("plan.set_revision_date") is set_revision_date
    assert get_handler("plan.record_meeting") is record_meeting


def test_revision_date_from_consent_date(context) -> None:
    assert set_revision_date(context, {"consent_date": "2026-12-01"}) == {
        "revision_date": "2027-12-01"
    }


def test_revision_date_clamps_leap_day(context) -> None:
    result = set_revision_date(context, {"consent_date": "2028-02-29", "revision_date": ""})
    assert result == {"revision_date": "2029-02-28"}


def test_revision_date_from_today_without_consent_date(context) -> None:
    assert set_revision_date(context, {"revision_date": None}) == {"revision_date": "2027-11-26"}


def test_revision_date_set_by_form_is_kept(context) -> None:
    data = {"consent_date": "2026-12-01", "revision_date": "2027-06-01"}
    assert set_revision_date(context, data) is None


def test_a_revision_date_before_the_consent_is_an_error_never_silently_replaced(
        context) -> None:
    data = {"consent_date": "2027-11-20", "revision_date": "2027-11-15"}
    with pytest.raises(ValueError, match="not after the consent date"):
        set_revision_date(context, data)


def test_record_meeting_appends_and_clears(context) -> None:
    earlier = {"meeting_date": "2026-10-01", "minutes": "Første møte."}
    data = {
        "meetings": [earlier],
        "meeting_date": "2026-11-20",
        "meeting_participants": ["Kari Nordmann", "Anne Koordinator"],
        "minutes": "Gikk gjennom målene.",
        "action_items": [{"description": "Søke BPA", "owner": "anne", "deadline": "2026-12-15"}],
    }
    result = record_meeting(context, data)
    assert result["meetings"][0] == earlier
    assert result["meetings"][1] == {
        "meeting_date": "2026-11-20",
        "meeting_participants": ["Kari Nordmann", "Anne Koordinator"],
        "minutes": "Gikk gjennom målene.",
        "action_items": [{"description": "Søke BPA", "owner": "anne", "deadline": "2026-12-15"}],
        "recorded_at": "2026-11-26T09:30:00+00:00",
    }
    assert result["meeting_date"] == ""
    assert result["meeting_participants"] == []
    assert result["minutes"] == ""
    assert result["action_items"] == []
    assert data["meetings"] == [earlier]  # input not mutated


def test_first_meeting(context) -> None:
    result = record_meeting(context, {"meeting_date": "2026-11-20", "minutes": "Oppstart."})
    assert len(result["meetings"]) == 1
    assert result["action_items"] is None


def test_record_asks_the_engine_to_keep_the_plan(make_context, effects) -> None:
    data = {"plan_goals": "Bo hjemme.", "revision_date": "2027-03-01", "coordinator": "anne"}
    assert get_handler("plan.record")(make_context(), data) is None
    assert effects.plans == [(data, "task")]

