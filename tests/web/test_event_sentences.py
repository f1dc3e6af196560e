"""Every event kind the engine writes reads as a sentence in the case history, not as its
bare kind (``duplicate registered``)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask

from engine.features.snapshots import EventRow
from engine.kernel.models import Event
from engine.kernel.vocabulary import EventKind
from webapp.people import Directory
from webapp.timeline import HIDDEN_EVENTS, event_text


def _sentence(kind: EventKind, citizen_view: bool) -> str:
    event = Event(case_id=1, at=datetime(2026, 3, 2, tzinfo=UTC), actor="koordinator",
                  kind=kind, bpmn_id="assess_report", data={"name": "Vurdere meldingen"})
    return event_text(EventRow.of(event), Directory({}, {}, {}), {}, citizen_view)


def test_every_event_kind_has_a_sentence(web_app: Flask) -> None:
    with web_app.test_request_context():
        bare = {kind for kind in EventKind if kind not in HIDDEN_EVENTS
                for citizen_view in (False, True)
                if _sentence(kind, citizen_view) == kind.replace("_", " ")}
    assert not bare
