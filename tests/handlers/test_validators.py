"""Form validators: Norwegian messages keyed by field name; empty means valid."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from handlers import validators
from handlers.registry import get_validator

REASONING = "Behovet er ikke langvarig."


@pytest.mark.parametrize(
    "name", ["report", "assessment", "appointment", "consent", "plan", "meeting"]
)
def test_registered(name: str) -> None:
    assert get_validator(f"validate.{name}") is getattr(validators, name)


# --- validate.report ---------------------------------------------------------------------------


def test_report_valid(context, nin_for) -> None:
    assert validators.report(context, {"citizen_nin": nin_for(date(1980, 5, 17))}) == {}
    assert (
        validators.report(context, {"citizen_nin": nin_for(date(1980, 5, 17), d_number=True)}) == {}
    )


def test_report_refuses_a_birth_date_after_the_engine_clock(context, nin_for) -> None:
    born_tomorrow = nin_for(context.now.date() + timedelta(days=1))
    errors = validators.report(context, {"citizen_nin": born_tomorrow})
    assert list(errors) == ["citizen_nin"] and "frem i tid" in errors["citizen_nin"]
    assert validators.report(context, {"citizen_nin": nin_for(context.now.date())}) == {}


def test_report_wrong_check_digit(context) -> None:
    errors = validators.report(context, {"citizen_nin": "15076500566"})
    assert list(errors) == ["citizen_nin"]
    assert "kontrollsifferet" in errors["citizen_nin"]


def test_report_missing_number(context) -> None:
    assert validators.report(context, {}) == {
        "citizen_nin": "Fødselsnummeret må bestå av nøyaktig 11 siffer."
    }


# --- validate.assessment -----------------------------------------------------------------------


def assessment(context, **data):
    return validators.assessment(context, {"requests": ["ip", "koordinator"], **data})


def test_assessment_full_approval(context) -> None:
    assert (
        assessment(context, approved=True, approved_ip=True, service_area="Hjemmetjenesten") == {}
    )


def test_approval_needs_service_area(context) -> None:
    errors = assessment(context, approved=True, approved_ip=True, service_area="")
    assert errors == {"service_area": "Velg tjenesteområdet koordinatoren skal oppnevnes fra."}


def test_refusal_needs_reasoning(context) -> None:
    errors = assessment(context, approved=False, assessment_reasoning=" ")
    assert list(errors) == ["assessment_reasoning"]
    assert "begrunnes" in errors["assessment_reasoning"]
    assert assessment(context, approved=False, assessment_reasoning=REASONING) == {}


def test_ip_refused_with_coordinator_granted_needs_reasoning(context) -> None:
    data = {"approved": True, "approved_ip": False, "service_area": "Hjemmetjenesten"}
    errors = assessment(context, **data)
    assert list(errors) == ["assessment_reasoning"]
    assert "individuell plan" in errors["assessment_reasoning"]
    assert assessment(context, **data, assessment_reasoning=REASONING) == {}


def test_ip_only_when_requested(context) -> None:
    errors = validators.assessment(
        context,
        {"requests": ["koordinator"], "approved": True, "approved_ip": True, "service_area": "X"},
    )
    assert list(errors) == ["approved_ip"]
    assert "ikke etterspurt" in errors["approved_ip"]


def test_coordinator_only_request_without_approved_ip_is_fine(context) -> None:
    data = {
        "requests": ["koordinator"],
        "approved": True,
        "approved_ip": False,
        "service_area": "X",
    }
    assert validators.assessment(context, data) == {}


def test_ip_cannot_be_granted_in_a_refusal(context) -> None:
    errors = assessment(context, approved=False, approved_ip=True, assessment_reasoning=REASONING)
    assert list(errors) == ["approved_ip"]


# --- validate.appointment ----------------------------------------------------------------------


def test_appointment_coordinator_in_service_area(context) -> None:
    data = {"coordinator": "anne", "service_area": "Hjemmetjenesten"}
    assert validators.appointment(context, data) == {}


def test_appointment_coordinator_from_other_area(context) -> None:
    errors = validators.appointment(
        context, {"coordinator": "anne", "service_area": "Psykisk helse"}
    )
    assert errors == {
        "coordinator": "«anne» er ikke registrert som koordinator i tjenesteområdet Psykisk helse."
    }


def test_appointment_unknown_or_non_coordinator(context) -> None:
    for username in ("ukjent", "fagleder1"):
        errors = validators.appointment(context, {"coordinator": username, "service_area": "X"})
        assert list(errors) == ["coordinator"]


def test_appointment_missing(context) -> None:
    assert validators.appointment(context, {"service_area": "X"}) == {
        "coordinator": "Velg en koordinator."
    }


# --- validate.consent --------------------------------------------------------------------------


def consent(context, under_16: bool, *relations: str):
    given_by = [{"name": f"Person {i}", "relation": r} for i, r in enumerate(relations)]
    return validators.consent(context, {"citizen_under_16": under_16, "consent_given_by": given_by})


def test_adult_consents_alone(context) -> None:
    assert consent(context, False, "selv") == {}


def test_child_with_guardian(context) -> None:
    assert consent(context, True, "foresatt") == {}
    assert consent(context, True, "selv", "foresatt") == {}
    assert consent(context, True, "verge") == {}


def test_child_alone_is_refused(context) -> None:
    errors = consent(context, True, "selv")
    assert list(errors) == ["consent_given_by"]
    assert errors["consent_given_by"].startswith("Barn under 16 år kan ikke samtykke alene.")


def test_child_with_only_fullmektig_is_refused(context) -> None:
    errors = consent(context, True, "fullmektig")
    assert errors == {
        "consent_given_by": "For barn under 16 år må samtykke gis av minst én foresatt eller verge."
    }


def test_consent_needs_someone_named(context) -> None:
    assert list(consent(context, False)) == ["consent_given_by"]
    errors = validators.consent(context, {"consent_given_by": [{"name": " ", "relation": "selv"}]})
    assert "navnet" in errors["consent_given_by"]


# --- validate.plan -----------------------------------------------------------------------------


def test_plan_valid(context) -> None:
    data = {
        "plan_start": "2026-12-01",
        "revision_date": "2027-12-01",
        "plan_measures": [{"description": "Fysioterapi", "scope": "1 t/uke", "responsible": "Per"}],
    }
    assert validators.plan(context, data) == {}


def test_plan_revision_before_start(context) -> None:
    errors = validators.plan(context, {"plan_start": "2026-12-01", "revision_date": "2026-12-01"})
    assert errors == {
        "revision_date": "Revisjonsdatoen må være etter planens startdato (1. desember 2026)."
    }


def test_plan_measure_without_responsible(context) -> None:
    measures = [
        {"description": "A", "responsible": "Per"},
        {"description": "B", "responsible": ""},
        {"description": "C"},
    ]
    errors = validators.plan(context, {"plan_measures": measures})
    assert errors == {"plan_measures": "Tiltak 2 og 3 mangler ansvarlig.",
                      "plan_measures.1.responsible": "Tiltaket mangler ansvarlig.",
                      "plan_measures.2.responsible": "Tiltaket mangler ansvarlig."}


# --- validate.meeting --------------------------------------------------------------------------


def test_meeting_valid(context) -> None:
    items = [{"description": "Søke BPA", "owner": "anne", "deadline": "2026-12-15"}]
    assert validators.meeting(context, {"action_items": items}) == {}
    assert validators.meeting(context, {}) == {}


def test_meeting_items_need_owner_and_deadline(context) -> None:
    items = [
        {"description": "A", "owner": "", "deadline": "2026-12-15"},
        {"description": "B", "owner": "anne"},
        {"description": "C", "owner": "anne", "deadline": "2026-12-15"},
        {"description": "D"},
    ]
    errors = validators.meeting(context, {"action_items": items})
    assert errors == {
        "action_items": (
            "Hver oppgave må ha ansvarlig og frist: "
            "oppgave 1 og 4 mangler ansvarlig; oppgave 2 og 4 mangler frist."
        ),
        "action_items.0.owner": "Oppgaven mangler ansvarlig.",
        "action_items.3.owner": "Oppgaven mangler ansvarlig.",
        "action_items.1.deadline": "Oppgaven mangler frist.",
        "action_items.3.deadline": "Oppgaven mangler frist.",
    }


def test_consent_withdrawal_message_names_a_known_participant(context) -> None:
    from handlers.validators import consent_withdrawn

    data = {"sharing_consents": [{"participant": "Fastlege", "scope": "Helse"}]}
    assert consent_withdrawn(context, {**data, "message": {"kind": "plan"}}) == {}
    assert consent_withdrawn(context, {**data, "message": {"kind": "sharing",
                                                           "participant": "fastlege"}}) == {}
    errors = consent_withdrawn(context, {**data, "message": {"kind": "sharing",
                                                             "participant": "Tannlege"}})
    assert "Tannlege" in errors["participant"] and "Fastlege" in errors["participant"]
    assert "participant" in consent_withdrawn(context, {**data, "message": {"kind": "sharing"}})
    assert "kind" in consent_withdrawn(context, {**data, "message": {"kind": "alt"}})
