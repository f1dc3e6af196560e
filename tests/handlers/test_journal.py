"""journal.note: one Norwegian journal text per kind, archived as kind "journal"."""

from __future__ import annotations

from dataclasses import replace

import pytest

from handlers.catalogue import get_handler
from handlers.journal import KINDS, note
from handlers.registry import Caseworker

CASE = {
    "citizen_name": "Kari Nordmann",
    "coordinator": "anne",
    "coordinator_history": [
        {"username": "per", "from": "2026-01-05", "to": "2026-11-26"},
        {"username": "anne", "from": "2026-11-26"},
    ],
    "coordinator_change": {"reason": "Per har gått over i ny stilling."},
    "end_request": {"reason": "Jeg klarer meg selv nå."},
    "appeal_deadline": "2026-12-24",
    "appeal": {"text": "Jeg er uenig.", "received_at": "2026-12-10T08:00:00+00:00"},
    "appeal_reasoning": "Ingen nye opplysninger.",
    "evaluation_summary": "Målene for perioden er nådd.",
    "consent_withdrawal": {"kind": "plan", "reason": "Vil klare meg selv.", "sent_by": "per"},
}


def test_registered() -> None:
    assert get_handler("journal.note") is note


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_archives_a_journal_note(make_context, effects, kind: str) -> None:
    assert note(make_context(kind=kind), CASE) is None
    [document] = effects.documents
    assert document.kind == "journal"
    assert document.recipients == () and document.pdf is None
    assert document.title == KINDS[kind]
    assert document.body.startswith(f"Journalnotat: {KINDS[kind]}\nSaksnummer: 42\n")
    assert "Dato: 26. november 2026" in document.body
    assert "Gjelder: Kari Nordmann" in document.body


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("no_appeal", "Klagefristen gikk ut 24. desember 2026"),
        ("declined_electronic_plan", "ønsker ikke individuell plan i det elektroniske"),
        ("ended_by_citizen", "Oppgitt årsak: Jeg klarer meg selv nå."),
        ("coordinator_changed", "ny koordinator: Anne Koordinator, fra 26. november 2026."),
        ("coordinator_changed", "Tidligere koordinator: Per Pleier."),
        ("coordinator_changed", "Årsak til byttet: Per har gått over i ny stilling."),
        ("appeal_forwarded", "mottatt 10. desember 2026"),
        ("appeal_forwarded", "Begrunnelse: Ingen nye opplysninger."),
        ("appeal_forwarded", "Statsforvalteren 26. november 2026"),
        ("consent_withdrawn", "samtykket til individuell plan (meldt av Per"),
        ("consent_withdrawn", "Oppgitt årsak: Vil klare meg selv."),
        ("consent_withdrawn", "individuell plan avsluttes fra 26. november 2026"),
    ],
)
def test_kind_specific_content(make_context, effects, kind: str, expected: str) -> None:
    note(make_context(kind=kind), CASE)
    assert expected in effects.documents[0].body


def test_paragraphs_stay_separated(make_context, effects) -> None:
    note(make_context(kind="coordinator_changed"), CASE)
    assert "Per Pleier.\n\nÅrsak til byttet" in effects.documents[0].body


def test_note_with_sparse_data(make_context, effects) -> None:
    note(make_context(kind="coordinator_changed"), {"citizen_name": "Kari Nordmann"})
    body = effects.documents[0].body
    assert "Tjenestemottaker har fått ny koordinator, fra 26. november 2026." in body
    assert "Tidligere koordinator" not in body


def test_unknown_kind_is_a_clear_error(make_context, effects) -> None:
    with pytest.raises(ValueError, match="unknown kind 'typo'.*no_appeal"):
        note(make_context(kind="typo"), CASE)
    assert effects.documents == []


def test_missing_kind_is_a_clear_error(context) -> None:
    with pytest.raises(ValueError, match="'kind' is missing"):
        note(context, CASE)


def test_plan_closed_after_evaluation_names_the_evaluation(make_context, effects) -> None:
    note(make_context(kind="plan_closed"), {**CASE, "continue_plan": False})
    body = effects.documents[0].body
    assert "Planen er evaluert ved slutten av planperioden" in body
    assert "Målene for perioden er nådd." in body


def test_plan_closed_after_an_end_request_claims_no_evaluation(make_context, effects) -> None:
    """The citizen ended early after a renewal: continue_plan is still True from then."""
    note(make_context(kind="plan_closed"), {**CASE, "continue_plan": True})
    body = effects.documents[0].body
    assert "Individuell plan og koordinator avsluttes." in body
    assert "evaluert" not in body and "Målene for perioden er nådd." not in body


def test_consent_withdrawn_with_sparse_data(make_context, effects) -> None:
    note(make_context(kind="consent_withdrawn"), {"citizen_name": "Kari Nordmann"})
    body = effects.documents[0].body
    assert "trukket tilbake samtykket til individuell plan." in body
    assert "meldt av" not in body and "Oppgitt årsak" not in body


def test_note_names_the_caseworker_it_is_written_for(make_context, effects) -> None:
    siri = Caseworker("siri", "Siri Saksbehandler")
    context = replace(make_context(kind="no_appeal"), actor=siri)
    note(context, CASE)
    assert "Dato: 26. november 2026\nSkrevet av: Siri Saksbehandler\n" in effects.documents[0].body


def test_note_of_an_automatic_step_names_the_system(make_context, effects) -> None:
    note(make_context(kind="no_appeal"), CASE)
    assert "Skrevet av: ipflow (automatisk, uten saksbehandler)" in effects.documents[0].body
