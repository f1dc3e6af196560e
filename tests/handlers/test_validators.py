"""Form validators: Norwegian messages keyed by field name; empty means valid."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from handlers import validators
from handlers.catalogue import get_validator

REASONING = "Behovet er ikke langvarig."


@pytest.mark.parametrize(
    "name", ["report", "assessment", "appointment", "consent", "plan", "meeting", "evaluation"]
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
    born_today = {"citizen_nin": nin_for(context.now.date()), "guardians": [
        {"name": "Marte Berg", "parental_responsibility": True}]}
    assert validators.report(context, born_today) == {}


def test_report_wrong_check_digit(context) -> None:
    errors = validators.report(context, {"citizen_nin": "15076500566"})
    assert list(errors) == ["citizen_nin"]
    assert "kontrollsifferet" in errors["citizen_nin"]


def test_report_missing_number(context) -> None:
    assert validators.report(context, {}) == {
        "citizen_nin": "Fødselsnummeret må bestå av nøyaktig 11 siffer."
    }


def test_barnekoordinator_for_a_child_or_a_family_expecting_one(context, nin_for) -> None:
    adult = {"citizen_nin": nin_for(date(1990, 4, 3)), "requests": ["barnekoordinator"]}
    errors = validators.report(context, adult)
    assert list(errors) == ["requests"] and "§ 2-5 c" in errors["requests"]
    assert validators.report(context, {**adult, "expecting_child": True}) == {}
    seventeen = {"citizen_nin": nin_for(date(2009, 6, 1)), "requests": ["barnekoordinator"]}
    assert validators.report(context, seventeen) == {}


def test_a_copy_of_letters_only_for_a_reporting_next_of_kin(context, nin_for) -> None:
    base = {"citizen_nin": nin_for(date(1990, 4, 3)), "copy_to_reporter": True}
    assert list(validators.report(context, {**base, "reported_by": "kommunal_tjenesteyter",
                                            "reporter_name": "Anne"})) == ["copy_to_reporter"]
    assert set(validators.report(context, {**base, "reported_by": "parorende"})) == {
        "reporter_name", "reporter_contact"}
    assert validators.report(context, {**base, "reported_by": "parorende",
                                       "reporter_name": "Anne", "reporter_contact": "a@b.no"}) == {}


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


def test_each_part_only_when_requested_and_approved(context) -> None:
    only_ip = {"requests": ["ip"], "service_area": "X", "assessment_reasoning": REASONING}
    errors = validators.assessment(context, {**only_ip, "approved": True,
                                             "approved_coordinator": True,
                                             "approved_barnekoordinator": True})
    assert errors == {
        "approved_coordinator": "Koordinator er ikke etterspurt i meldingen og kan ikke "
                                "innvilges her.",
        "approved_barnekoordinator": "Barnekoordinator er ikke etterspurt i meldingen og kan "
                                     "ikke innvilges her."}
    refused = validators.assessment(context, {"requests": ["barnekoordinator"], "approved": False,
                                              "approved_barnekoordinator": True,
                                              "assessment_reasoning": REASONING})
    assert list(refused) == ["approved_barnekoordinator"] and "avslått" in refused[
        "approved_barnekoordinator"]


def test_a_refused_barnekoordinator_needs_reasoning(context) -> None:
    data = {"requests": ["ip", "barnekoordinator"], "approved": True, "approved_ip": True,
            "approved_barnekoordinator": False, "service_area": "X"}
    errors = validators.assessment(context, data)
    assert errors == {"assessment_reasoning": "Avslag på barnekoordinator må begrunnes. "
                                              "Skriv begrunnelsen som skal stå i brevet."}
    assert validators.assessment(context, {**data, "assessment_reasoning": REASONING}) == {}


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


TODAY = date(2026, 11, 26)  # the context's engine clock
BOTH = [{"name": "Marte Berg", "parental_responsibility": True, "contact": "900 00 000"},
        {"name": "Jon Berg", "parental_responsibility": True, "contact": "jon@example.no"},
        {"name": "Steffar", "parental_responsibility": False}]


def aged(nin_for, years: int, days_to_birthday: int = 30) -> str:
    """A number for someone ``years`` old today, with the next birthday some days away."""
    return nin_for(TODAY.replace(year=TODAY.year - years - 1) + timedelta(days=days_to_birthday))


def consent(context, nin: str, *given: tuple[str, str], guardians=(), **data):
    given_by = [{"name": name, "relation": relation} for name, relation in given]
    return validators.consent(context, {"citizen_nin": nin, "consent_given_by": given_by,
                                        "guardians": list(guardians), **data})


def test_adult_consents_alone(context, nin_for) -> None:
    assert consent(context, aged(nin_for, 40), ("Kari", "selv")) == {}
    assert consent(context, aged(nin_for, 40), ("Advokat Li", "fullmektig")) == {}


def test_from_18_guardians_no_longer_consent(context, nin_for) -> None:
    errors = consent(context, aged(nin_for, 18), ("Emma", "selv"), ("Marte Berg", "foresatt"),
                     guardians=BOTH)
    assert "Fra 18 år samtykker ikke foresatte" in errors["consent_given_by"]
    assert consent(context, aged(nin_for, 18), ("Marte Berg", "verge")) == {}


def test_from_16_the_young_person_consents_alone(context, nin_for) -> None:
    sixteen_today = nin_for(TODAY.replace(year=TODAY.year - 16))
    assert consent(context, sixteen_today, ("Emma", "selv"), guardians=BOTH) == {}
    errors = consent(context, aged(nin_for, 17), ("Marte Berg", "foresatt"),
                     ("Jon Berg", "foresatt"), guardians=BOTH)
    assert "samtykker selv fra fylte 16 år" in errors["consent_given_by"]


def test_under_16_every_guardian_with_parental_responsibility_consents(context,
                                                                        nin_for) -> None:
    fifteen = aged(nin_for, 15)
    both = consent(context, fifteen, ("marte  berg", "foresatt"), ("Jon Berg", "foresatt"),
                   guardians=BOTH, child_view="Vil ha færre møter.")
    assert both == {}
    one = consent(context, fifteen, ("Marte Berg", "foresatt"), ("Steffar", "foresatt"),
                  guardians=BOTH, child_view="Vil ha færre møter.")
    assert list(one) == ["consent_given_by"]
    assert "felles foreldreansvar" in one["consent_given_by"]
    assert one["consent_given_by"].endswith("Mangler samtykke fra: Jon Berg.")


def test_a_child_alone_is_refused_and_told_who_consents(context, nin_for) -> None:
    errors = consent(context, aged(nin_for, 10), ("Emma", "selv"), guardians=BOTH,
                     child_view="Liker fotball.")
    assert errors == {"consent_given_by": "Barn under 16 år kan ikke samtykke alene. "
                                          "Samtykke må gis av Marte Berg og Jon Berg."}


def test_without_recorded_guardians_one_foresatt_or_verge_is_enough(context, nin_for) -> None:
    """Cases reported before guardians were recorded keep the old rule."""
    ten = aged(nin_for, 10)
    view = {"child_view": "Liker fotball."}
    assert consent(context, ten, ("Mor", "foresatt"), **view) == {}
    assert consent(context, ten, ("Verge Vik", "verge"), **view) == {}
    assert consent(context, ten, ("Emma", "selv"), **view) == {
        "consent_given_by": "Barn under 16 år kan ikke samtykke alene. "
                            "Samtykke må gis av minst én foresatt eller verge."}
    assert consent(context, ten, ("Advokat Li", "fullmektig"), **view) == {
        "consent_given_by": "For barn under 16 år må samtykke gis av minst én foresatt eller "
                            "verge."}


def test_the_childs_own_view_is_required_from_7(context, nin_for) -> None:
    guardians = (("Marte Berg", "foresatt"), ("Jon Berg", "foresatt"))
    assert consent(context, aged(nin_for, 6), *guardians, guardians=BOTH) == {}
    seven = consent(context, aged(nin_for, 7), *guardians, guardians=BOTH, child_view=" ")
    assert list(seven) == ["child_view"] and "barneloven § 31" in seven["child_view"]
    assert "stor vekt" not in seven["child_view"]
    twelve = consent(context, aged(nin_for, 12), *guardians, guardians=BOTH)
    assert "tillegges stor vekt" in twelve["child_view"]


def test_consent_needs_someone_named(context, nin_for) -> None:
    assert list(consent(context, aged(nin_for, 40))) == ["consent_given_by"]
    errors = consent(context, aged(nin_for, 40), (" ", "selv"))
    assert "navnet" in errors["consent_given_by"]


# --- validate.report: guardians ----------------------------------------------------------------


def test_a_child_under_16_is_reported_with_guardians(context, nin_for) -> None:
    child = aged(nin_for, 15)
    errors = validators.report(context, {"citizen_nin": child})
    assert list(errors) == ["guardians"] and "foreldreansvar" in errors["guardians"]
    no_responsibility = [{"name": "Steffar", "parental_responsibility": False}]
    assert list(validators.report(context, {"citizen_nin": child,
                                            "guardians": no_responsibility})) == ["guardians"]
    assert validators.report(context, {"citizen_nin": child, "guardians": BOTH}) == {}
    assert validators.report(context, {"citizen_nin": aged(nin_for, 16)}) == {}


def test_a_guardians_number_is_checked_when_given(context, nin_for) -> None:
    guardians = [{**BOTH[0], "nin": nin_for(date(1985, 1, 1))}, {**BOTH[1], "nin": "15076500566"}]
    errors = validators.report(context, {"citizen_nin": aged(nin_for, 9), "guardians": guardians})
    assert list(errors) == ["guardians.1.nin"] and "kontrollsifferet" in errors["guardians.1.nin"]


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


def test_plan_interpreter_needs_language(context) -> None:
    plan = {"plan_start": "2026-01-01", "revision_date": "2027-01-01",
            "plan_measures": [{"description": "Fysioterapi", "responsible": "Fysioterapeut"}],
            "plan_interpreter_needed": True}
    assert set(get_validator("validate.plan")(context, plan)) == {"plan_language"}
    assert get_validator("validate.plan")(context, {**plan, "plan_language": "Polsk"}) == {}


# --- validate.evaluation -------------------------------------------------------------------------


def test_ending_the_plan_says_whether_it_is_against_the_citizens_wish(context) -> None:
    assert "closing_against_wish" in validators.evaluation(context, {"continue_plan": False})
    assert validators.evaluation(context, {"continue_plan": False,
                                           "closing_against_wish": False}) == {}
    assert validators.evaluation(context, {"continue_plan": True}) == {}
