"""The common technical failures of an automatic step read as one plain Norwegian sentence
naming the element by its label (id after) and, for a missing variable, the variable; in
English with the English locale."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask, session

from engine.features.incident_causes import IncidentCause
from engine.features.incident_repair import OpenIncident
from webapp.incident_pages import explain


def _incident(kind: str, missing: str | None = None, handler: str | None = None,
              name: str = "Send vedtaksbrev", bpmn_id: str = "send_decision") -> OpenIncident:
    cause = IncidentCause(name, kind, missing, handler, "RuntimeError: noe gikk galt")
    return OpenIncident(1, bpmn_id, cause, 0, datetime(2026, 3, 2, tzinfo=UTC),
                        kind != "gateway")


@pytest.mark.parametrize(("incident", "sentence"), [
    (_incident("gateway", "alder", name="Er innbyggeren voksen?", bpmn_id="adult_gateway"),
     "Saken stoppet ved «Er innbyggeren voksen?» (adult_gateway): steget skal velge vei ut fra "
     "opplysningen «alder», men saken har ikke denne opplysningen."),
    (_incident("script", "alder", name="Regn ut alder", bpmn_id="age_script"),
     "Saken stoppet ved «Regn ut alder» (age_script): skriptet i steget bruker opplysningen "
     "«alder», men saken har ikke denne opplysningen."),
    (_incident("service", handler="letters.decision"),
     "Det automatiske steget «Send vedtaksbrev» (send_decision) feilet i tjenesten "
     "«letters.decision»."),
    (_incident("timer", name="Revisjonsdato nådd", bpmn_id="revision_date_reached"),
     "Fristen i «Revisjonsdato nådd» (revision_date_reached) kunne ikke regnes ut: "
     "tidsuttrykket gir ikke en gyldig dato eller varighet."),
    (_incident("gateway", name="Innvilget?", bpmn_id="granted_gateway"),
     "Porten «Innvilget?» (granted_gateway) kunne ikke velge vei: en betingelse i diagrammet "
     "feilet."),
])
def test_each_failure_reads_as_a_sentence(web_app: Flask, incident: OpenIncident,
                                          sentence: str) -> None:
    with web_app.test_request_context():
        text = explain(incident)
    assert text.sentence == sentence
    assert "RuntimeError" not in text.sentence + text.advice  # the technical text is folded


def test_the_sentence_in_english(web_app: Flask) -> None:
    with web_app.test_request_context():
        session["locale"] = "en"
        text = explain(_incident("gateway", "alder", name="Er innbyggeren voksen?",
                                 bpmn_id="adult_gateway"))
    assert text.sentence.startswith("The case stopped at “")
    assert "“alder”" in text.sentence and "(adult_gateway)" in text.sentence
