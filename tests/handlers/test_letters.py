"""Every letter rendered for an adult, a child (written to the guardians) and a partial refusal:
the legal lines, the basis, the letterhead, the recipients and the dates (issue 8, "Done when").
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from io import BytesIO
from typing import Any

import pytest
from pypdf import PdfReader

from handlers.catalogue import get_handler
from handlers.letters import appeal, assessment, common, course
from handlers.registry import Caseworker, HandlerSettings
from tests.support.pdfa import archival_problems

REASONING = "Behovet er ventet å vare under ett år, og bare én tjeneste er involvert."
SETTINGS = HandlerSettings(municipality_name="Fjordvik kommune", unit="Koordinerende enhet",
                           address="Rådhusgata 1, 6800 Fjordvik", phone="57 00 00 00",
                           email="ke@fjordvik.kommune.no", letter_delivery_days=0)
SIRI = Caseworker("siri", "Siri Saksbehandler", phone="57 00 11 22")

# Every letter handler, with the parameters and case data it needs beyond the persona.
LETTERS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("letters.decision", {}, {}),
    ("letters.refusal", {}, {"approved": False}),
    ("letters.interim_reply", {}, {}),
    ("letters.appeal_forwarded", {}, {"appeal": {"text": "Jeg trenger planen.",
                                                 "received_at": "2026-12-10"},
                                      "appeal_reasoning": "Ingen nye opplysninger."}),
    ("letters.appeal_upheld", {}, {"appeal_reasoning": "Ny epikrise viser langvarig behov."}),
    ("letters.appeal_decided", {}, {"appeal_decision": {"outcome": "upheld",
                                                        "decided_on": "2027-02-01",
                                                        "reference": "SF 2027/17"}}),
    ("letters.late_appeal_rejected", {}, {"appeal_deadline": "2026-10-01",
                                          "appeals": [{"received_on": "2026-11-20"}],
                                          "late_appeal_reason": "Ingen særlige grunner."}),
    ("letters.summons", {}, {"coordinator": "anne", "startup_meeting_at": "2026-12-03T10:00:00"}),
    ("letters.coordinator_changed", {}, {"coordinator": "per", "coordinator_history": [
        {"username": "anne"}, {"username": "per"}]}),
    *[("letters.closing", {"reason": reason}, {"coordinator": "anne", "plan_established": True,
                                               "evaluation_summary": "Målene er nådd."})
      for reason in course.CLOSING_REASONS],
]
LETTER_IDS = [f"{name}:{params.get('reason', '')}".rstrip(":") for name, params, _ in LETTERS]


def adult() -> dict[str, Any]:
    return {"citizen_name": "Kari Nordmann", "citizen_nin": "15076500565",
            "reported_by": "innbygger", "requests": ["ip", "koordinator"], "approved": True,
            "service_area": "Hjemmetjenesten", "assessment_reasoning": REASONING}


def child() -> dict[str, Any]:
    return {**adult(), "citizen_name": "Lise Hansen", "citizen_nin": "", "citizen_under_16": True,
            "guardians": [{"name": "Ola Hansen", "parental_responsibility": True},
                          {"name": "Eva Hansen", "parental_responsibility": True},
                          {"name": "Per Stefar", "parental_responsibility": False}],
            "requests": ["ip", "koordinator", "barnekoordinator"]}


def partial() -> dict[str, Any]:
    return {**adult(), "approved_ip": False}


PERSONAS = {"adult": adult, "child": child, "partial": partial}


@pytest.fixture
def write(make_context, effects):
    """``write(name, data, **params)`` -> the letters archived (one, with all recipients)."""

    def run(name: str, data: dict[str, Any], settings: HandlerSettings = SETTINGS,
            actor: Caseworker | None = SIRI, **params: Any) -> tuple[Any, list[Any]]:
        context = replace(make_context(**params), settings=settings, actor=actor)
        result = get_handler(name)(context, data)
        return result, [d for d in effects.documents if d.kind == "letter"]

    return run


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "params", "extra"), LETTERS, ids=LETTER_IDS)
def test_every_letter_carries_the_legal_lines(write, persona, name, params, extra) -> None:
    data = {**PERSONAS[persona](), **extra}
    _, archived = write(name, data, **params)
    assert archived, "a letter was written"
    body = archived[0].body
    assert len(archived) == 1, "one letter, listing all its recipients"
    head = body.split("Lovgrunnlag")[0]
    for line in ("Fjordvik kommune\nKoordinerende enhet\nRådhusgata 1, 6800 Fjordvik",
                 "Telefon: 57 00 00 00", "E-post: ke@fjordvik.kommune.no",
                 "Unntatt offentlighet, jf. offl. § 13 og fvl. § 13",
                 "Saksnummer: 42", "Dato: 26. november 2026",
                 "Saksbehandler: Siri Saksbehandler, telefon 57 00 11 22, "
                 "e-post ke@fjordvik.kommune.no"):
        assert line in head
    basis = body.split("Lovgrunnlag\n")[1].split("\n\n")[0]
    assert "- helse- og omsorgstjenesteloven § 7-3 (koordinerende enhet)" in basis
    assert ("- forskrift om habilitering og rehabilitering, individuell plan og koordinator"
            in basis)
    assert "pasient- og brukerrettighetsloven § 2-5" in basis
    assert "§ 2-7" not in body, "pbrl. § 2-7 is not the basis of a decision"
    assert "Individuell plan og koordinator er gratis." in body
    assert "gir ikke i seg selv rett til nye tjenester" in body
    assert body.rstrip().endswith("ingen håndskrevet signatur.")
    assert "Siri Saksbehandler\nKoordinerende enhet\nFjordvik kommune" in body
    recipients = _names(archived)
    if persona == "child":
        addressed = "Kopi:" if name == "letters.appeal_forwarded" else "Til:"
        assert {"Ola Hansen", "Eva Hansen"} <= set(recipients)
        assert f"{addressed} Ola Hansen (foresatt for Lise Hansen)" in head
        assert f"{addressed} Eva Hansen (foresatt for Lise Hansen)" in head
        assert "Gjelder: Lise Hansen" in head
        assert "Lise Hansen" not in recipients
        assert "Per Stefar" not in recipients, "no parental responsibility, no letter"
    else:
        assert "Kari Nordmann" in recipients
        assert "Gjelder:" not in head


def _body(archived: list[Any]) -> str:
    return archived[0].body


def _names(archived: list[Any]) -> list[str]:
    """The recipients' names, in the letter's order ("Ola Hansen (foresatt), kopi" -> Ola)."""
    [letter] = archived
    return [line.removesuffix(", kopi").split(" (")[0] for line in letter.recipients]


# --- recipients ----------------------------------------------------------------------------


def test_copy_to_reporting_next_of_kin_only_with_the_citizens_consent(write) -> None:
    data = {**adult(), "reported_by": "parorende", "reporter_name": "Ola Nordmann"}
    _, archived = write("letters.decision", data)
    assert _names(archived) == ["Kari Nordmann"]
    assert "Ola Nordmann" not in _body(archived)


def test_copy_to_reporter_when_consented(write) -> None:
    data = {**adult(), "reported_by": "parorende", "reporter_name": "Ola Nordmann",
            "copy_to_reporter": True}
    _, archived = write("letters.decision", data)
    assert _names(archived) == ["Kari Nordmann", "Ola Nordmann"]
    assert "Kopi: Ola Nordmann (pårørende)" in _body(archived)


def test_staff_reporter_gets_no_copy_even_when_flagged(write) -> None:
    data = {**adult(), "reported_by": "kommunal_tjenesteyter", "copy_to_reporter": True,
            "reporter_name": "Helsesykepleier Hansen"}
    _, archived = write("letters.decision", data)
    assert _names(archived) == ["Kari Nordmann"]


def test_child_without_guardians_on_record_is_written_v_foresatte(write) -> None:
    data = {**child(), "guardians": []}
    _, archived = write("letters.decision", data)
    assert _names(archived) == ["Lise Hansen"]
    assert "Til: Lise Hansen (v/ foresatte)" in _body(archived)


def test_one_guardian_is_addressed_du_two_as_dere(write, effects) -> None:
    data = {**child(), "guardians": [{"name": "Eva Hansen", "parental_responsibility": True}],
            "approved_ip": False}
    _, archived = write("letters.decision", data)
    assert "Du kan klage på avgjørelsen" in _body(archived)
    effects.documents.clear()
    _, archived = write("letters.decision", {**child(), "approved_ip": False})
    body = _body(archived)
    assert "Dere kan klage på avgjørelsen" in body
    assert "fire uker fra dere mottok denne avgjørelsen" in body
    assert "Lise Hansen får ikke individuell plan." in body


def test_age_is_computed_from_the_nin_on_the_letters_date(write, nin_for) -> None:
    """A 17-year-old (flag from the report says under 16) gets the letter; guardians a copy."""
    data = {**child(), "citizen_nin": nin_for(date(2009, 6, 1))}
    _, archived = write("letters.decision", data)
    assert _names(archived) == ["Lise Hansen", "Ola Hansen",
                                                         "Eva Hansen"]
    body = _body(archived)
    assert "Til: Lise Hansen\n" in body
    assert "Kopi: Ola Hansen (foresatt)" in body
    assert "Du får individuell plan" in body


def test_adult_with_guardians_on_record_gets_no_guardian_copy(write) -> None:
    data = {**adult(), "guardians": [{"name": "Ola Nordmann", "parental_responsibility": True}]}
    _, archived = write("letters.decision", data)
    assert _names(archived) == ["Kari Nordmann"]


def test_letter_without_citizen_name_is_refused(write) -> None:
    data = adult()
    del data["citizen_name"]
    with pytest.raises(ValueError, match="citizen_name"):
        write("letters.interim_reply", data)


# --- decision, refusal, partial refusal --------------------------------------------------------


def test_decision_grants_ip_and_coordinator(write) -> None:
    result, archived = write("letters.decision", adult())
    assert result == {"ip_granted": True}
    body = _body(archived)
    assert archived[0].title == "Avgjørelse om individuell plan og koordinator"
    assert "Du får individuell plan, jf. pasient- og brukerrettighetsloven § 2-5." in body
    assert "Du får en koordinator, jf. pasient- og brukerrettighetsloven § 2-5 b." in body
    assert "tjenesteområdet Hjemmetjenesten" in body
    assert "Du kan klage" not in body and "Klagefrist" not in body


def test_partial_refusal_has_reasons_appeal_and_the_deadline_from_receipt(write) -> None:
    result, archived = write("letters.decision", partial())
    assert result == {"ip_granted": False, "appeal_deadline": "2026-12-24"}
    body = _body(archived)
    assert "Du får en koordinator" in body
    assert "Du får ikke individuell plan. Se begrunnelsen" in body
    assert "Avslag på individuell plan\n" in body
    assert REASONING in body
    assert "fire uker fra du mottok denne avgjørelsen" in body
    assert "mottar brevet 26. november 2026, er siste dag for å klage 24. desember 2026" in body
    assert "- pasient- og brukerrettighetsloven §§ 7-2 og 7-5 (klage og klagefrist)" in body


def test_delivery_time_moves_the_appeal_deadline(write) -> None:
    slow = replace(SETTINGS, letter_delivery_days=3)
    result, archived = write("letters.refusal", {**adult(), "approved": False}, settings=slow)
    assert result == {"appeal_deadline": "2026-12-27"}
    assert "mottar brevet 29. november 2026, er siste dag for å klage 27. desember 2026" in (
        _body(archived))


def test_partial_refusal_needs_reasons(write) -> None:
    with pytest.raises(ValueError, match="reasons"):
        write("letters.decision", {**partial(), "assessment_reasoning": " "})


def test_barnekoordinator_has_its_own_section(write) -> None:
    _, archived = write("letters.decision", child())
    body = _body(archived)
    assert "Familien får en barnekoordinator, jf. pasient- og brukerrettighetsloven § 2-5 c." in (
        body)
    assert "Barnekoordinator\nBarnekoordinatoren skal" in body
    assert "helse- og omsorgstjenesteloven § 7-2 a" in body


def test_barnekoordinator_refused_gives_its_criteria_and_appeal(write) -> None:
    result, archived = write("letters.decision", {**child(), "approved_barnekoordinator": False})
    body = _body(archived)
    assert result["appeal_deadline"] == "2026-12-24"
    assert "Lise Hansen får ikke barnekoordinator." in body
    assert "Avslag på barnekoordinator" in body
    assert "pasient- og brukerrettighetsloven § 2-5 c" in body
    assert "Familien får en barnekoordinator" not in body


def test_coordinator_only_request_mentions_no_plan_refusal(write) -> None:
    result, archived = write("letters.decision", {**adult(), "requests": ["koordinator"]})
    assert result == {"ip_granted": False}
    body = _body(archived)
    assert "Avslag" not in body and "Du får individuell plan" not in body


def test_refusal_states_criteria_reasoning_and_appeal(write) -> None:
    data = {**adult(), "approved": False, "long_term_need": False, "citizen_wants": True}
    result, archived = write("letters.refusal", data)
    assert result == {"appeal_deadline": "2026-12-24"}
    body = _body(archived)
    assert archived[0].title == "Avslag på individuell plan og koordinator"
    assert "- behovet for tjenester er ikke langvarig" in body
    assert "- du ønsker selv tjenesten" in body
    assert "sak 42 datert 26. november 2026" in body
    assert "Klagen skal være skriftlig" in body


def test_refusal_without_reasoning_is_refused(write, effects) -> None:
    with pytest.raises(ValueError, match="reasons"):
        write("letters.refusal", {**adult(), "approved": False, "assessment_reasoning": ""})
    assert effects.documents == []


# --- interim replies -------------------------------------------------------------------------


def test_first_interim_reply(write) -> None:
    result, archived = write("letters.interim_reply", adult())
    assert result == {"interim_replies_sent": 1}
    body = _body(archived)
    assert "forvaltningsloven § 11 a" in body
    assert "Hvorfor saken tar tid\nSystemkoordinator vurderer saken" in body
    assert "innen 26. desember 2026" in body


def test_repeated_interim_reply_counts_and_gives_the_reason(write) -> None:
    data = {**adult(), "interim_replies_sent": 1, "delay_reason": "Vi venter på epikrise."}
    result, archived = write("letters.interim_reply", data)
    assert result == {"interim_replies_sent": 2}
    assert archived[0].title.endswith("(nr. 2)")
    body = _body(archived)
    assert "foreløpig svar nummer 2" in body
    assert "Hvorfor saken tar tid\nVi venter på epikrise." in body


# --- appeals ---------------------------------------------------------------------------------


def test_appeal_forwarded_goes_to_statsforvalteren_with_a_copy(write) -> None:
    data = {**adult(), "approved": False, "appeal": {"text": "Jeg trenger hjelp.",
                                                      "received_at": "2026-12-10"}}
    _, archived = write("letters.appeal_forwarded", data)
    assert _names(archived) == ["Statsforvalteren", "Kari Nordmann"]
    body = _body(archived)
    assert "Til: Statsforvalteren" in body and "Kopi: Kari Nordmann" in body
    assert "Klagen kom inn 10. desember 2026." in body
    assert REASONING in body and "Jeg trenger hjelp." in body


def test_appeal_upheld_gives_the_reassessments_reasons_not_the_refusals(write) -> None:
    data = {**partial(), "refused_parts": ["ip"], "ip_granted": False,
            "coordinator_granted": True, "appeal_reasoning": "Ny epikrise viser langvarig behov."}
    result, archived = write("letters.appeal_upheld", data)
    assert result == {"ip_granted": True}
    body = _body(archived)
    assert "Kommunens nye vurdering\nNy epikrise viser langvarig behov." in body
    assert REASONING not in body
    assert "gir deg medhold" in body
    assert "Du får individuell plan" in body and "Du får en koordinator" in body
    assert "Du kan klage" not in body


def test_appeal_upheld_needs_new_reasons(write) -> None:
    with pytest.raises(ValueError, match="appeal_reasoning"):
        write("letters.appeal_upheld", partial())


def test_flat_diagram_decision_after_upheld_appeal_is_the_upheld_letter(write) -> None:
    data = {**adult(), "approved": False, "appeal_upheld": True, "appeal_reasoning": "Ny info."}
    result, archived = write("letters.decision", data)
    assert result == {"ip_granted": True}
    assert "Kommunens nye vurdering\nNy info." in _body(archived)


@pytest.mark.parametrize(("outcome", "granted", "expected", "absent"), [
    ("upheld", None, ["Du får individuell plan", "har gitt deg medhold"], ["ikke gitt deg"]),
    ("partly_upheld", ["koordinator"],
     ["delvis medhold", "Du får en koordinator", "Du får fortsatt ikke individuell plan."],
     ["Du får individuell plan"]),
    ("rejected", None, ["har ikke gitt deg medhold", "står ved lag"], ["Du får en koordinator"]),
])
def test_appeal_decided_by_statsforvalteren(write, outcome, granted, expected, absent) -> None:
    decision = {"outcome": outcome, "decided_on": "2027-02-01", "reference": "SF 2027/17",
                "granted": granted}
    data = {**adult(), "approved": False, "appeal_decision": decision}
    result, archived = write("letters.appeal_decided", data)
    assert result is None
    body = _body(archived)
    assert "Vedtaket er datert 1. februar 2027 og har referanse SF 2027/17." in body
    assert "forvaltningsloven § 28 tredje ledd" in body
    for text in expected:
        assert text in body
    for text in absent:
        assert text not in body


def test_appeal_decided_with_unknown_outcome_is_refused(write) -> None:
    with pytest.raises(ValueError, match="outcome"):
        write("letters.appeal_decided", {**adult(), "appeal_decision": {"outcome": "maybe"}})


def test_late_appeal_rejected(write) -> None:
    data = {**adult(), "approved": False, "appeal_deadline": "2026-10-01",
            "appeals": [{"received_on": "2026-11-20"}], "late_appeal_reason": "Ingen grunn."}
    _, archived = write("letters.late_appeal_rejected", data)
    body = _body(archived)
    assert "Vi mottok klagen 20. november 2026" in body
    assert "gikk ut 1. oktober 2026" in body
    assert "forvaltningsloven § 31" in body and "Begrunnelse\nIngen grunn." in body


# --- course: summons, coordinator change, closing ----------------------------------------------


def test_summons_to_citizen_and_coordinator(write) -> None:
    data = {**adult(), "ip_granted": True, "coordinator": "anne",
            "startup_meeting_at": "2026-12-03T10:00:00", "startup_meeting_place": "Rådhuset"}
    _, archived = write("letters.summons", data)
    body = _body(archived)
    assert "torsdag 3. desember 2026 kl. 10.00" in body and "Sted: Rådhuset" in body
    assert "Kopi: Anne Koordinator (koordinator)" in body


def test_summons_needs_coordinator_and_time(write) -> None:
    with pytest.raises(ValueError, match="coordinator"):
        write("letters.summons", adult())
    with pytest.raises(ValueError, match="startup_meeting_at"):
        write("letters.summons", {**adult(), "coordinator": "anne"})


def test_coordinator_changed_names_new_and_previous_with_copy_to_ke(write) -> None:
    data = {**adult(), "coordinator": "per", "coordinator_change": {"reason": "Anne slutter."},
            "coordinator_history": [{"username": "anne"}, {"username": "per"}]}
    _, archived = write("letters.coordinator_changed", data)
    assert _names(archived) == [
        "Kari Nordmann", "Koordinerende enhet v/ systemkoordinator"]
    body = _body(archived)
    assert archived[0].title == "Du har fått ny koordinator"
    assert "Per Pleier er ny koordinator for Kari Nordmann fra 26. november 2026" in body
    assert "overtar etter Anne Koordinator" in body
    assert "Hvorfor koordinator byttes\nAnne slutter." in body


def test_closing_against_the_citizens_wish_is_an_appealable_decision(write) -> None:
    data = {**adult(), "plan_established": True, "coordinator": "anne",
            "closing_against_wish": True, "evaluation_summary": "Målene er nådd."}
    result, archived = write("letters.closing", data, reason="evaluation")
    assert result == {"appeal_deadline": "2026-12-24", "appeal_subject": "closing"}
    body = _body(archived)
    assert archived[0].title == "Avgjørelse om å avslutte individuell plan"
    assert "Begrunnelse\nMålene er nådd." in body
    assert "fire uker fra du mottok denne avgjørelsen" in body
    assert "- individuell plan\n- koordinator" in body


def test_closing_against_wish_needs_reasons(write) -> None:
    data = {**adult(), "closing_against_wish": True, "evaluation_summary": ""}
    with pytest.raises(ValueError, match="evaluation_summary"):
        write("letters.closing", data, reason="evaluation")


def test_closing_by_agreement_has_no_appeal(write) -> None:
    data = {**adult(), "plan_established": True, "evaluation_summary": "Målene er nådd."}
    result, archived = write("letters.closing", data, reason="evaluation")
    assert result is None
    assert "Du kan klage" not in _body(archived)


def test_no_renewal_consent_keeps_the_coordinator_when_wanted(write) -> None:
    data = {**adult(), "plan_established": True, "coordinator": "anne", "wants_coordinator": True}
    _, archived = write("letters.closing", data, reason="no_renewal_consent")
    body = _body(archived)
    assert "- individuell plan\n\n" in body
    assert "beholder koordinatoren, Anne Koordinator," in body
    assert "pasient- og brukerrettighetsloven § 4-1" in body


def test_citizen_request_ends_what_was_asked(write) -> None:
    data = {**adult(), "plan_established": True, "coordinator": "anne",
            "end_request": {"what": "ip", "reason": "Trenger det ikke lenger."}}
    _, archived = write("letters.closing", data, reason="citizen_request")
    body = _body(archived)
    assert "avslutte individuell plan for Kari Nordmann" in body
    assert "Bakgrunn\nTrenger det ikke lenger." in body
    assert "beholder koordinatoren" in body


def test_a_declined_plan_says_what_was_chosen_and_that_the_coordinator_stays(write) -> None:
    data = {**adult(), "coordinator": "anne", "wants_ip": True, "consent_to_plan": False}
    _, archived = write("letters.closing", data, reason="declined_plan")
    body = _body(archived)
    assert "ikke samtykker til at det lages individuell plan" in body
    assert "beholder koordinatoren, Anne Koordinator," in body
    _, archived = write("letters.closing", {**data, "wants_ip": False,
                                            "wants_coordinator": False}, reason="declined_plan")
    body = archived[-1].body
    assert "ikke ønsker individuell plan" in body
    assert "- koordinator\n" in body and "beholder koordinatoren" not in body


def test_closing_reason_must_be_known(write) -> None:
    with pytest.raises(ValueError, match="reason"):
        write("letters.closing", adult(), reason="whim")


def test_unit_signs_when_no_caseworker_acts(write) -> None:
    _, archived = write("letters.interim_reply", adult(), actor=None)
    body = _body(archived)
    assert ("Saksbehandler: Koordinerende enhet, telefon 57 00 00 00, "
            "e-post ke@fjordvik.kommune.no") in body
    assert "Med vennlig hilsen\n\nKoordinerende enhet\nFjordvik kommune" in body


def test_appeal_deadline_counts_from_receipt(make_context) -> None:
    context = replace(make_context(), settings=replace(SETTINGS, letter_delivery_days=2))
    assert common.appeal_deadline(context) == date(2026, 12, 26)


def test_modules_register_their_handlers() -> None:
    assert get_handler("letters.decision") is assessment.decision
    assert get_handler("letters.appeal_upheld") is appeal.appeal_upheld
    assert get_handler("letters.closing") is course.closing


def test_barnekoordinator_alone_is_named_as_such(write) -> None:
    data = {**child(), "requests": ["barnekoordinator"]}
    _, archived = write("letters.decision", data)
    body = _body(archived)
    assert "Barnekoordinatoren oppnevnes fra tjenesteområdet Hjemmetjenesten." in body
    assert "hvem som blir barnekoordinator," in body
    assert "Koordinatoren skal være kontaktperson" not in body


# --- the PDF that is sent and archived ----------------------------------------------------


def test_a_letter_is_one_pdf_a_listing_all_its_recipients(write) -> None:
    _, archived = write("letters.decision", child())
    [letter] = archived
    assert letter.recipients == ("Ola Hansen (foresatt for Lise Hansen)",
                                 "Eva Hansen (foresatt for Lise Hansen)")
    pdf = letter.pdf
    assert pdf is not None and pdf.startswith(b"%PDF-")
    reader = PdfReader(BytesIO(pdf))
    # PDF/A-2b, as the XMP metadata declares it (ISO 19005-2, level B).
    metadata = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r'pdfaid:part(="|>)2', metadata), metadata
    assert re.search(r'pdfaid:conformance(="|>)B', metadata), metadata
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Fjordvik kommune" in text and "Avgjørelse om individuell plan og koordinator" in text
    assert "Lise Hansen" in text and "Eva Hansen (foresatt for Lise Hansen)" in text
    assert "=====" not in text and "=====" not in letter.body


def test_the_letter_pdf_passes_the_pdf_a_2b_checks(write) -> None:
    """Beyond the XMP claim: an ICC output intent, every font embedded, no encryption, no
    JavaScript or launch action, a document ID (tests/support/pdfa.py)."""
    _, archived = write("letters.decision", partial())
    [letter] = archived
    assert letter.pdf is not None
    assert archival_problems(letter.pdf) == []


def test_the_letters_text_escapes_what_was_typed(write) -> None:
    data = {**partial(), "assessment_reasoning": "Vurdert <b>nøye</b> & grundig.\n\nNy linje."}
    _, archived = write("letters.decision", data)
    [letter] = archived
    assert "Vurdert <b>nøye</b> & grundig.\n\nNy linje." in letter.body
    assert letter.pdf is not None
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(letter.pdf)).pages)
    assert "Vurdert <b>nøye</b> & grundig." in text
