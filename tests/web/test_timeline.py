"""The case history's sentences come from one table keyed by event kind."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Flask

from engine.features.audience import citizen_events
from engine.features.incident_causes import IncidentCause
from engine.features.snapshots import EventRow
from webapp.people import Directory
from webapp.timeline import EVENT_TEXT, event_text, timeline

WHO = Directory({"koordinator": "Kari Koordinator", "leder": "Lise Leder"}, {}, {})


def _event(kind: str, data: dict[str, Any] | None = None, actor: str = "koordinator",
           cause: IncidentCause | None = None) -> EventRow:
    return EventRow(at=datetime(2026, 3, 2, 9, tzinfo=UTC), actor=actor, kind=kind,
                    bpmn_id="assess_report", data={"name": "Vurdere meldingen", **(data or {})},
                    cause=cause)


def test_every_kind_in_the_table_reads_as_a_sentence(web_app: Flask) -> None:
    with web_app.test_request_context():
        for kind in EVENT_TEXT:
            for citizen_view in (False, True):
                text = event_text(_event(kind), WHO, {}, citizen_view)
                assert text and text != kind.replace("_", " "), kind


def test_sentences_use_the_event_data_and_names(web_app: Flask) -> None:
    with web_app.test_request_context():
        assert event_text(_event("task_assigned", {"assignee": "leder"}), WHO, {}, False) == (
            "Ga oppgaven «Vurdere meldingen» til Lise Leder")
        assert event_text(_event("coordinator_assigned", {
            "previous": "leder", "coordinator": "koordinator"}), WHO, {}, False) == (
            "Koordinator skiftet fra Lise Leder til Kari Koordinator")
        assert event_text(_event("duplicate_registered", {"reason": "Ny situasjon"}),
                          WHO, {}, False).endswith("Begrunnelse: Ny situasjon")
        error = _event("incident_opened", {"error": "KPR svarer ikke", "handler": "kpr.send"},
                       cause=IncidentCause("Vurdere meldingen", "service", None, "kpr.send",
                                           "KPR svarer ikke"))
        assert event_text(error, WHO, {}, False) == (
            "Det automatiske steget «Vurdere meldingen» (assess_report) feilet i tjenesten "
            "«kpr.send».")
        assert "KPR svarer ikke" not in event_text(error, WHO, {}, True)
        [entry] = timeline([error], WHO, {}, citizen_view=False)
        assert entry["technical"] == "KPR svarer ikke"  # for the page's fold
        assert event_text(_event("something_new"), WHO, {}, False) == "something new"


def test_the_citizen_does_not_see_internal_work_distribution(web_app: Flask) -> None:
    events = [_event(kind) for kind in ("case_started", "task_created", "task_claimed",
                                        "task_completed")]
    with web_app.test_request_context():
        staff = [row["kind"] for row in timeline(events, WHO, {}, citizen_view=False)]
        citizen = [row["kind"] for row in timeline(citizen_events(events, ()), WHO, {},
                                                   citizen_view=True)]
    assert staff == ["task_completed", "task_claimed", "case_started"]  # newest first
    assert citizen == ["task_completed", "case_started"]
