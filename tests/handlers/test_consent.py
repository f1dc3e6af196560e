"""consent.record: who consented, when, to what and to which sharing; consent.withdraw: a
consent taken back, kept and marked with when and by whom."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from handlers.catalogue import get_handler
from handlers.consent import record, withdraw


def test_registered() -> None:
    assert get_handler("consent.record") is record
    assert get_handler("consent.withdraw") is withdraw


def test_records_consent_for_period(make_context, nin_for) -> None:
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
        "citizen_nin": nin_for(date(2014, 12, 1)),
        "child_view": " Vil gjerne ha fysioterapi på skolen. ",
    }
    result = record(make_context(period="renewal"), data)
    assert result["consents"][0] == {"period": "first"}
    assert result["consents"][1] == {
        "period": "renewal",
        "date": "2026-12-01",
        "given_by": [{"name": "Ola Nordmann", "relation": "foresatt"}],
        "kinds": ["plan", "sharing"],
        "sharing_scopes": [
            {"participant": "Fastlege", "scope": "medisinering", "valid_from": "2026-12-01",
             "valid_until": "2027-12-01"}
        ],
        "wants_ip": True,
        "on_paper": True,
        "citizen_age": 11,
        "child_view": "Vil gjerne ha fysioterapi på skolen.",
        "recorded_at": "2026-11-26T09:30:00+00:00",
    }


def test_sharing_consents_get_a_period_and_become_rows(make_context, effects, nin_for) -> None:
    """From the consent date (unless the form says later) to the plan's revision date (the
    form's, or 12 months after consent), each one asked for as a row (effect ``share``)."""
    data = {
        "consent_date": "2026-12-01",
        "revision_date": "2027-06-30",
        "citizen_nin": nin_for(date(1985, 5, 15)),
        "consent_to_plan": True,
        "sharing_consents": [
            {"participant": " Fastlege ", "scope": "medisinering"},
            {"participant": "NAV", "scope": "arbeidsevne", "valid_from": "2027-01-15",
             "valid_until": "2027-03-01"},
        ],
    }
    result = record(make_context(period="first"), data)
    scopes = result["consents"][-1]["sharing_scopes"]
    assert [(s["valid_from"], s["valid_until"]) for s in scopes] == [
        ("2026-12-01", "2027-06-30"), ("2027-01-15", "2027-03-01")]
    assert effects.shared == [
        ("Fastlege", "medisinering", date(2026, 12, 1), date(2027, 6, 30), "first"),
        ("NAV", "arbeidsevne", date(2027, 1, 15), date(2027, 3, 1), "first")]

    # Without a revision date in the form, the plan period is 12 months from consent.
    without = record(make_context(period="renewal"),
                     {**data, "revision_date": None,
                      "sharing_consents": data["sharing_consents"][:1]})
    assert without["consents"][-1]["sharing_scopes"][0]["valid_until"] == "2027-12-01"


def test_consent_without_plan_or_sharing(make_context, nin_for) -> None:
    result = record(
        make_context(period="first"),
        {"consent_given_by": [{"name": "Kari", "relation": "selv"}], "wants_ip": False,
         "citizen_nin": nin_for(date(1985, 5, 15))},
    )
    [entry] = result["consents"]
    assert entry["kinds"] == []
    assert entry["date"] == "2026-11-26"
    assert entry["wants_ip"] is False
    assert entry["on_paper"] is False
    assert entry["citizen_age"] == 41 and entry["child_view"] is None


# --- consent.withdraw --------------------------------------------------------------------------

FASTLEGE = {"participant": "Fastlege", "scope": "Helseopplysninger", "valid_until": "2027-03-01"}
NAV = {"participant": "NAV", "scope": "Arbeidsevne"}


def _case(**withdrawal: Any) -> dict[str, Any]:
    """A case in follow-up: first period and a renewal, sharing with the GP and NAV."""
    return {
        "citizen_name": "Kari Nordmann",
        "sharing_consents": [dict(FASTLEGE), dict(NAV)],
        "consents": [
            {"period": "first", "date": "2025-03-01", "sharing_scopes": [dict(FASTLEGE)]},
            {
                "period": "renewal",
                "date": "2026-03-01",
                "kinds": ["plan", "sharing"],
                "sharing_scopes": [dict(FASTLEGE), dict(NAV)],
            },
        ],
        "consent_withdrawal": {
            "sent_by": "per",
            "received_at": "2026-11-26T09:29:00+00:00",
            **withdrawal,
        },
    }


def test_sharing_withdrawal_marks_the_participant(context, effects) -> None:
    data = _case(kind="sharing", participant="fastlege ", reason="Har byttet lege.")
    before = copy.deepcopy(data)
    result = withdraw(context, data)
    assert data == before, "the task data is not changed in place"
    assert result["plan_consent_withdrawn"] is False
    mark = {"withdrawn_at": "2026-11-26", "withdrawn_by": "per"}
    assert result["sharing_consents"] == [{**FASTLEGE, **mark}, NAV]
    first, renewal = result["consents"]
    assert first == before["consents"][0], "only the latest record changes"
    assert renewal["sharing_scopes"] == [{**FASTLEGE, **mark}, NAV]
    assert "withdrawn_at" not in renewal, "the consent to the plan still holds"
    assert effects.unshared == [("Fastlege", date(2026, 11, 26), "per")]


def test_sharing_withdrawal_note_says_what_when_and_who(context, effects) -> None:
    withdraw(context, _case(kind="sharing", participant="FASTLEGE", reason="Har byttet lege."))
    [document] = effects.documents
    assert document.kind == "journal"
    assert document.recipients == () and document.pdf is None
    assert document.title == "Samtykke til deling av opplysninger med Fastlege trukket tilbake"
    body = document.body
    assert body.startswith(f"Journalnotat: {document.title}\nSaksnummer: 42\n")
    assert "Gjelder: Kari Nordmann" in body
    assert "dele opplysninger med Fastlege (Helseopplysninger) er trukket tilbake." in body
    assert "Meldt av: Per Pleier" in body
    assert "Mottatt: torsdag 26. november 2026 kl. 10.29" in body
    assert "Registrert: 26. november 2026" in body
    assert "Oppgitt årsak: Har byttet lege." in body
    assert "Oppfølgingen fortsetter" in body


def test_sharing_known_only_from_the_latest_record(context) -> None:
    data = _case(kind="sharing", participant="nav")
    data["sharing_consents"] = []
    result = withdraw(context, data)
    assert result["sharing_consents"] == []
    assert result["consents"][-1]["sharing_scopes"][1]["withdrawn_at"] == "2026-11-26"


def test_latest_record_without_sharing_scopes_is_left_alone(context) -> None:
    data = _case(kind="sharing", participant="NAV")
    data["consents"][-1]["sharing_scopes"] = []
    result = withdraw(context, data)
    assert result["consents"] == data["consents"]
    assert result["sharing_consents"][1]["withdrawn_at"] == "2026-11-26"


def test_withdrawing_again_keeps_the_first_date(make_context, effects) -> None:
    data = _case(kind="sharing", participant="Fastlege")
    data["sharing_consents"][0]["withdrawn_at"] = "2026-10-01"
    data["consents"][-1]["sharing_scopes"][0]["withdrawn_at"] = "2026-10-01"
    result = withdraw(make_context(), data)
    assert result["sharing_consents"][0]["withdrawn_at"] == "2026-10-01"
    assert result["consents"][-1]["sharing_scopes"][0]["withdrawn_at"] == "2026-10-01"
    assert "allerede registrert som trukket tilbake 1. oktober 2026" in effects.documents[0].body


@pytest.mark.parametrize("participant", ["Tannlege", "", "   ", None, 7])
def test_sharing_with_unknown_or_missing_participant_is_an_error(
    context, effects, participant: Any
) -> None:
    data = _case(kind="sharing", participant=participant)
    expected = (
        "ukjent deltaker.*known participants: Fastlege, NAV"
        if participant == "Tannlege"
        else "participant is missing"
    )
    with pytest.raises(ValueError, match=expected):
        withdraw(context, data)
    assert effects.documents == []


def test_plan_withdrawal_marks_the_latest_consent(context, effects) -> None:
    data = _case(kind="plan", reason="Vil klare meg selv.")
    result = withdraw(context, data)
    assert result["plan_consent_withdrawn"] is True
    first, renewal = result["consents"]
    assert first == data["consents"][0]
    assert renewal == {
        **data["consents"][1],
        "withdrawn_at": "2026-11-26",
        "withdrawn_by": "per",
        "withdrawal_reason": "Vil klare meg selv.",
    }
    assert result["sharing_consents"] == data["sharing_consents"]
    [document] = effects.documents
    assert document.title == "Samtykke til individuell plan og koordinering trukket tilbake"
    assert "koordinering, gitt 1. mars 2026, er trukket tilbake." in document.body
    assert "Meldt av: Per Pleier" in document.body
    assert "planen avsluttes og KPR-registreringen avsluttes" in document.body


def test_plan_withdrawal_without_sender_or_consents(context, effects) -> None:
    result = withdraw(context, {"consent_withdrawal": {"kind": "plan"}})
    assert result == {"plan_consent_withdrawn": True, "consents": [], "sharing_consents": []}
    body = effects.documents[0].body
    assert "Meldt av" not in body and "Mottatt" not in body and "Oppgitt årsak" not in body


@pytest.mark.parametrize("withdrawal", [{"kind": "alt"}, {}, {"kind": None}])
def test_unknown_kind_is_an_error(context, effects, withdrawal: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="unknown kind.*plan, sharing"):
        withdraw(context, {"consent_withdrawal": withdrawal})
    assert effects.documents == []


def test_missing_payload_is_an_error(context) -> None:
    with pytest.raises(ValueError, match="consent_withdrawal mangler"):
        withdraw(context, {})
