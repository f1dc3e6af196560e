"""consent.record: who consented, when, to what and to which sharing."""

from __future__ import annotations

from handlers.consent import record
from handlers.registry import get_handler


def test_registered() -> None:
    assert get_handler("consent.record") is record


def test_records_consent_for_period(make_context) -> None:
    data = {
        "consent_date": "2026-12-01",
        "consent_given_by": [{"name": "Ola Nordmann", "relation": "foresatt"}],
        "consent_to_plan": True,
        "sharing_consents": [
            {"participant": "Fastlege", "scope": "medisinering", "valid_until": "2027-12-01"}
        ],
        "wants_ip": True,
        "consent_on_paper": True,
        "consents": [{"period": "first"}],
    }
    result = record(make_context(period="renewal"), data)
    assert result["consents"][0] == {"period": "first"}
    assert result["consents"][1] == {
        "period": "renewal",
        "date": "2026-12-01",
        "given_by": [{"name": "Ola Nordmann", "relation": "foresatt"}],
        "kinds": ["plan", "sharing"],
        "sharing_scopes": [
            {"participant": "Fastlege", "scope": "medisinering", "valid_until": "2027-12-01"}
        ],
        "wants_ip": True,
        "on_paper": True,
        "recorded_at": "2026-11-26T09:30:00+00:00",
    }


def test_consent_without_plan_or_sharing(make_context) -> None:
    result = record(
        make_context(period="first"),
        {"consent_given_by": [{"name": "Kari", "relation": "selv"}], "wants_ip": False},
    )
    [entry] = result["consents"]
    assert entry["kinds"] == []
    assert entry["date"] == "2026-11-26"
    assert entry["wants_ip"] is False
    assert entry["on_paper"] is False
