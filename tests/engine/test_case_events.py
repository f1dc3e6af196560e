"""Which legal events a case can take now, for whom (``engine.features.case_events``).

An event is offered only where a step of the diagram waits for its message now and its
``accepted_when`` holds, to the roles that may send it; its label, explanation and form come
from the diagram and the version's forms. An appeal by post keeps its letter as a file of the
case that only those who may see the case can read.
"""

from __future__ import annotations

import pytest

from engine import demo
from engine.features import attachments, case_events, case_messages
from engine.kernel.db import Database
from engine.kernel.errors import Conflict, Forbidden, InvalidData, NotFound
from engine.runtime.users import Actor, get_actor
from tests.support.legal_events import OLA, PDF, citizen_in_follow_up, refused


def offered(db: Database, case_id: int, actor: Actor) -> list[str]:
    return [e.message for e in case_events.available_events(db, case_id, actor).events]


def test_a_case_at_assessment_takes_no_event(db: Database, staff: dict[str, Actor]) -> None:
    case_id = demo.report(db, staff["koordinator"], demo.DEMO_CITIZEN_NIN)
    assert offered(db, case_id, staff["systemkoordinator"]) == []


def test_a_started_case_offers_the_events_its_phase_waits_for(
        db: Database, staff: dict[str, Actor]) -> None:
    case_id = demo.report(db, staff["koordinator"], OLA)
    demo.approve(db, staff, case_id, "helse")
    demo.appoint(db, staff, case_id)
    # Start-up: a coordinator exists, no consent yet, so a withdrawal is not offered.
    assert offered(db, case_id, staff["koordinator"]) == ["coordinator_change", "end_requested"]
    demo.consent(db, staff["koordinator"], case_id, wants_ip=True)
    demo.establish_plan(db, staff["koordinator"], case_id)
    events = case_events.available_events(db, case_id, staff["koordinator"])
    assert {e.message for e in events.events} == {
        "coordinator_change", "consent_withdrawn", "end_requested", "evaluation_requested"}
    change = events.get("coordinator_change")
    assert change is not None
    assert change.label == "Bytte av koordinator"
    assert change.leads_to == "Bytte av koordinator"  # the sub-process behind the merge
    assert "oppnevne en ny koordinator" in change.explanation
    assert change.form["title"] == "Bytte av koordinator"
    assert "reason" in change.form["schema"]["properties"]
    withdrawal = events.get("consent_withdrawn")
    assert withdrawal is not None and not withdrawal.takes_attachment
    assert withdrawal.form["schema"]["properties"]["kind"]["enum"] == ["plan", "sharing"]


def test_the_citizen_is_offered_only_their_own_events(db: Database, staff: dict[str, Actor]
                                                     ) -> None:
    citizen = get_actor(db, "innbygger")
    case_id = citizen_in_follow_up(db)
    assert set(offered(db, case_id, citizen)) == {
        "coordinator_change", "consent_withdrawn", "end_requested", "evaluation_requested"}
    leder = get_actor(db, "leder")
    assert offered(db, case_id, leder) == []  # oversight, not casework
    with pytest.raises(Forbidden):
        case_messages.send_message(db, case_id, "end_requested", {}, leder)


def test_a_refused_case_offers_the_appeal_with_its_deadline_then_statsforvalteren(
        db: Database, staff: dict[str, Actor]) -> None:
    case_id = refused(db)
    koordinerende = staff["systemkoordinator"]
    events = case_events.available_events(db, case_id, koordinerende)
    assert [e.message for e in events.events] == ["appeal_received"]
    appeal = events.events[0]
    assert appeal.element == "appeal_received" and appeal.label == "Klage mottatt"
    assert appeal.takes_attachment and "received_on" in appeal.form["schema"]["properties"]
    assert events.appeal_deadline is not None and events.appeal_deadline > events.today

    case_messages.send_message(db, case_id, "appeal_received",
                               {"text": "Jeg klager.", "received_on": events.today.isoformat()},
                               koordinerende, attachments.Upload("klage.pdf", PDF))
    after = case_events.available_events(db, case_id, koordinerende)
    assert after.events == ()  # the reassessment is a task, not an event
    [file] = after.files
    assert (file.filename, file.size, file.title) == ("klage.pdf", len(PDF), "Klage mottatt")
    stored = attachments.read(db, case_id, file.id, staff["koordinator"])
    assert stored.content == PDF and stored.media_type == "application/pdf"
    with pytest.raises(NotFound):
        attachments.read(db, case_id, file.id, get_actor(db, "designer"))

    demo.do(db, koordinerende, case_id, "reassess_appeal", {
        "appeal_upheld": False, "appeal_reasoning": "Vurderingen står ved lag."})
    [decided] = case_events.available_events(db, case_id, koordinerende).events
    assert decided.message == "appeal_decided" and decided.takes_attachment
    assert decided.form["schema"]["properties"]["outcome"]["enum"] == [
        "upheld", "partly_upheld", "rejected"]


def test_accepted_when_decides_what_is_offered_and_sent(db: Database,
                                                        staff: dict[str, Actor]) -> None:
    case_id = demo.report(db, staff["koordinator"], demo.DEMO_CITIZEN_NIN)
    demo.approve(db, staff, case_id, "helse")
    demo.appoint(db, staff, case_id)
    assert "consent_withdrawn" not in offered(db, case_id, staff["koordinator"])
    with pytest.raises(Conflict, match="ikke gitt samtykke"):
        case_messages.send_message(db, case_id, "consent_withdrawn", {"kind": "plan"},
                                   staff["koordinator"])


@pytest.mark.parametrize(("name", "content", "problem"), [
    ("tom.pdf", b"", "tom"),
    ("virus.exe", b"MZ\x90\x00", "PDF eller et bilde"),
    ("klage.pdf", b"<html>not a pdf</html>", "PDF eller et bilde"),
    ("stor.pdf", b"%PDF-" + b"0" * attachments.MAX_BYTES, "for stor"),
])
def test_only_small_pdfs_and_images_are_stored(db: Database, staff: dict[str, Actor], name: str,
                                               content: bytes, problem: str) -> None:
    case_id = refused(db)
    with pytest.raises(InvalidData) as refusal:
        case_messages.send_message(db, case_id, "appeal_received", {"text": "Klage."},
                                   staff["systemkoordinator"], attachments.Upload(name, content))
    assert problem in refusal.value.errors["attachment"]
    assert case_events.available_events(db, case_id, staff["systemkoordinator"]).files == ()
    assert offered(db, case_id, staff["systemkoordinator"]) == ["appeal_received"]
