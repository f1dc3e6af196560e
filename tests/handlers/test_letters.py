"""Letters: recipients, Norwegian dates, legal citations, reasoning and appeal information."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from handlers import letters
from handlers.registry import get_handler

DEADLINE_TEXT = "24. desember 2026"  # NOW (26. november 2026) + 4 weeks
REASONING = "Behovet er ventet å vare under ett år, og bare én tjeneste er involvert."


@pytest.fixture
def case() -> dict[str, Any]:
    return {
        "citizen_name": "Kari Nordmann",
        "citizen_nin": "15076500565",
        "citizen_under_16": False,
        "reported_by": "innbygger",
        "requests": ["ip", "koordinator"],
        "approved": True,
        "approved_ip": True,
        "service_area": "Hjemmetjenesten",
        "assessment_reasoning": "",
    }


def test_names_are_registered() -> None:
    assert get_handler("letters.decision") is letters.decision
    assert get_handler("letters.refusal") is letters.refusal
    assert get_handler("letters.interim_reply") is letters.interim_reply
    assert get_handler("letters.appeal_forwarded") is letters.appeal_forwarded
    assert get_handler("letters.summons") is letters.summons


def test_decision_grants_ip_and_coordinator(context, effects, case) -> None:
    assert letters.decision(context, case) == {"ip_granted": True}
    [letter] = effects.archived
    assert letter.kind == "letter"
    assert letter.recipient == "Kari Nordmann"
    assert letter.title == "Avgjørelse om individuell plan og koordinator"
    body = letter.body
    assert "Dato: 26. november 2026" in body
    assert "Saksnummer: 42" in body
    assert "Du får individuell plan, jf. pasient- og brukerrettighetsloven § 2-5." in body
    assert "Du får en koordinator, jf. pasient- og brukerrettighetsloven § 2-5 b." in body
    assert "tjenesteområdet Hjemmetjenesten" in body
    assert "helse- og omsorgstjenesteloven §§ 7-1 og 7-2" in body
    assert "§ 7-3" in body
    assert "§ 2-7" in body
    assert "Du kan klage" not in body
    assert "Klagefrist" not in body


def test_decision_with_ip_refused_but_coordinator_granted(context, effects, case) -> None:
    case.update(approved_ip=False, assessment_reasoning=REASONING)
    result = letters.decision(context, case)
    assert result == {"ip_granted": False, "appeal_deadline": "2026-12-24"}
    body = effects.archived[0].body
    assert "Du får en koordinator" in body
    assert "Du får individuell plan" not in body
    assert "Avslag på individuell plan" in body
    assert REASONING in body
    assert "Statsforvalteren, jf. pasient- og brukerrettighetsloven § 7-2" in body
    assert "§ 7-5" in body
    assert DEADLINE_TEXT in body
    assert "Slik klager du" in body


def test_decision_for_coordinator_only_request_has_no_ip_refusal(context, effects, case) -> None:
    case.update(requests=["koordinator"], approved_ip=False)
    assert letters.decision(context, case) == {"ip_granted": False}
    body = effects.archived[0].body
    assert "Avslag" not in body
    assert "individuell plan" not in body.split("=\n", 1)[1].split("Kommunens plikt")[0]
    assert "helse- og omsorgstjenesteloven § 7-2" in body


def test_decision_without_approved_ip_covers_requested_ip(context, effects, case) -> None:
    del case["approved_ip"]
    assert letters.decision(context, case) == {"ip_granted": True}
    assert "Du får individuell plan" in effects.archived[0].body


def test_decision_after_upheld_appeal(context, effects, case) -> None:
    case.update(
        approved=False, approved_ip=False, appeal_upheld=True, appeal_reasoning="Ny epikrise."
    )
    assert letters.decision(context, case) == {"ip_granted": True}
    body = effects.archived[0].body
    assert "gir deg medhold. Ny epikrise." in body
    assert "Du får individuell plan" in body
    assert "Avslag" not in body


def test_upheld_appeal_on_a_coordinator_only_request_grants_no_ip(context, effects, case) -> None:
    case.update(requests=["koordinator"], approved=False, approved_ip=False, appeal_upheld=True)
    assert letters.decision(context, case) == {"ip_granted": False}


def test_letters_go_to_next_of_kin_who_reported(context, effects, case) -> None:
    case.update(reported_by="parorende", reporter_name="Ola Nordmann", citizen_under_16=True)
    letters.decision(context, case)
    assert [letter.recipient for letter in effects.archived] == ["Kari Nordmann", "Ola Nordmann"]
    body = effects.archived[0].body
    assert effects.archived[1].body == body
    assert "Til:  Kari Nordmann (v/ foresatte)" in body
    assert "Kopi: Ola Nordmann (pårørende)" in body
    assert "foresatte som samtykker" in body


def test_staff_reporter_gets_no_letter(context, effects, case) -> None:
    case.update(reported_by="kommunal_tjenesteyter", reporter_name="Helsesykepleier Hansen")
    letters.decision(context, case)
    assert [letter.recipient for letter in effects.archived] == ["Kari Nordmann"]
    assert "Hansen" not in effects.archived[0].body


def test_refusal_states_reasoning_appeal_right_deadline_and_how(context, effects, case) -> None:
    case.update(
        approved=False,
        approved_ip=False,
        assessment_reasoning=REASONING,
        long_term_need=False,
        two_or_more_services=False,
        citizen_wants=True,
    )
    result = letters.refusal(context, case)
    assert result == {"appeal_deadline": "2026-12-24"}
    [letter] = effects.archived
    assert letter.title == "Avslag på individuell plan og koordinator"
    body = letter.body
    assert REASONING in body
    assert "du ikke får individuell plan og koordinator" in body
    assert "pasient- og brukerrettighetsloven § 2-5" in body
    assert "§ 2-5 b" in body
    assert "helse- og omsorgstjenesteloven §§ 7-1, 7-2 og 7-3" in body
    assert "avgjørelse etter pasient- og brukerrettighetsloven § 2-7" in body
    assert "klage på avgjørelsen til Statsforvalteren" in body
    assert "pasient- og brukerrettighetsloven § 7-2" in body
    assert "Klagen sender du til kommunen" in body
    assert "fire uker, jf. pasient- og brukerrettighetsloven § 7-5" in body
    assert f"senest {DEADLINE_TEXT}" in body
    assert "Slik klager du" in body
    assert "skriftlig" in body
    assert "sak 42 datert 26. november 2026" in body
    assert "- behovet for tjenester er ikke langvarig" in body
    assert "- du ønsker selv tjenesten" in body


def test_refusal_names_only_what_was_requested(context, effects, case) -> None:
    case.update(approved=False, requests=["koordinator"], assessment_reasoning=REASONING)
    letters.refusal(context, case)
    assert "du ikke får koordinator." in effects.archived[0].body


def test_refusal_without_reasoning_is_refused(context, effects, case) -> None:
    case.update(approved=False, assessment_reasoning="   ")
    with pytest.raises(ValueError, match="reasons"):
        letters.refusal(context, case)
    assert effects.archived == []


def test_interim_reply(context, effects, case) -> None:
    assert letters.interim_reply(context, case) is None
    [letter] = effects.archived
    assert letter.title.startswith("Foreløpig svar")
    assert "forvaltningsloven § 11 a" in letter.body
    assert "uten ugrunnet opphold" in letter.body
    assert "innen 26. desember 2026" in letter.body


def test_appeal_forwarded_to_statsforvalteren_with_copy(context, effects, case) -> None:
    case.update(
        approved=False,
        assessment_reasoning=REASONING,
        appeal={"text": "Jeg trenger hjelp fra tre tjenester.", "received_at": "2026-12-10"},
        appeal_upheld=False,
        appeal_reasoning="Klagen gir ingen nye opplysninger om behovets varighet.",
    )
    assert letters.appeal_forwarded(context, case) is None
    assert [letter.recipient for letter in effects.archived] == [
        "Statsforvalteren",
        "Kari Nordmann",
    ]
    body = effects.archived[0].body
    assert "Til:  Statsforvalteren" in body
    assert "Kopi: Kari Nordmann" in body
    assert "Klagen kom inn 10. desember 2026." in body
    assert "opprettholder avgjørelsen" in body
    assert "pasient- og brukerrettighetsloven § 7-2" in body
    assert "Jeg trenger hjelp fra tre tjenester." in body
    assert REASONING in body
    assert "Klagen gir ingen nye opplysninger om behovets varighet." in body
    assert "Dette er en kopi til deg" in body


def test_summons_to_citizen_and_coordinator(context, effects, case) -> None:
    case.update(
        coordinator="anne",
        startup_meeting_at="2026-12-03T10:00:00",
        startup_meeting_place="Rådhuset, møterom 2",
    )
    assert letters.summons(context, case) is None
    assert [letter.recipient for letter in effects.archived] == [
        "Kari Nordmann",
        "Anne Koordinator",
    ]
    body = effects.archived[0].body
    assert "Innkalling til oppstartsmøte" in body
    assert "torsdag 3. desember 2026 kl. 10.00" in body
    assert "Rådhuset, møterom 2" in body
    assert "Koordinator: Anne Koordinator" in body
    assert "Kopi: Anne Koordinator (koordinator)" in body
    assert "avklarer vi forventninger" in body


def test_summons_needs_coordinator_and_time(context, case) -> None:
    with pytest.raises(ValueError, match="coordinator"):
        letters.summons(context, case)
    case["coordinator"] = "anne"
    with pytest.raises(ValueError, match="startup_meeting_at"):
        letters.summons(context, case)


def test_letter_without_citizen_name_is_refused(context, case) -> None:
    del case["citizen_name"]
    with pytest.raises(ValueError, match="citizen_name"):
        letters.interim_reply(context, case)


def test_appeal_deadline_is_four_weeks(context) -> None:
    assert letters.appeal_deadline(context) == date(2026, 12, 24)
