"""An event whose ``accepted_when`` does not hold is refused in clear Norwegian: the diagram's
``refused_because``, or a sentence naming the event by its label when the diagram has none;
the same on the page (which says why it offers nothing) and in the API (409 on sending, and
``refused`` in the events list). A condition on the payload is decided when it is sent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask

from engine import demo
from engine.features import deploy
from engine.kernel.db import Database
from engine.runtime.users import Actor, get_actor
from tests.designer.diagrams import IP_XML
from tests.support.api import Api
from tests.support.legal_events import OLA, citizen_in_follow_up
from tests.support.pages import Browser

Web = Callable[[str], Browser]
GUARD = '<spiffworkflow:property name="accepted_when" value="len(consents) &gt; 0" />'
BECAUSE = ('<spiffworkflow:property name="refused_because" '
           'value="Det er ikke gitt samtykke i saken ennå." />')
STANDARD = ("Saken kan ikke ta imot «Samtykke trukket tilbake» nå: vilkåret for hendelsen er "
            "ikke oppfylt.")


def _deployed(db: Database, xml: str) -> None:
    deploy.deploy(db, xml, get_actor(db, "designer"))


@pytest.fixture()
def web_app(make_app: Callable[..., Flask], compiled_translations: Path) -> Flask:
    """The pages with the catalogue as it is in the .po (English sentences included)."""
    return make_app(BABEL_TRANSLATION_DIRECTORIES=str(compiled_translations))


def _refused_on_the_page(browser: Browser, case_id: int) -> str:
    """Opening the withdrawal's page leads back to the case, saying why."""
    response = browser.client.get(f"/cases/{case_id}/events/consent_withdrawn")
    assert response.status_code == 302
    return browser.follow(response).text


def _before_consent(db: Database, staff: dict[str, Actor]) -> int:
    """At the start-up: a step waits for a withdrawn consent, but none has been given."""
    case_id = demo.report(db, staff["koordinator"], OLA)
    demo.approve(db, staff, case_id, "helse")
    demo.appoint(db, staff, case_id)
    return case_id


def test_the_diagrams_words_on_the_page_and_in_the_api(
        web: Web, api: Api, db: Database, staff: dict[str, Actor], frozen: datetime) -> None:
    case_id = _before_consent(db, staff)
    listed = api.get(f"/cases/{case_id}/events", "koordinator")
    assert "consent_withdrawn" not in [e["message"] for e in listed["events"]]
    assert {"message": "consent_withdrawn", "label": "Samtykke trukket tilbake",
            "reason": "Det er ikke gitt samtykke i saken ennå."} in listed["refused"]
    body = api.post(f"/cases/{case_id}/messages/consent_withdrawn", "koordinator",
                    {"data": {"kind": "plan"}}, expect=409)
    assert body["error"] == "Det er ikke gitt samtykke i saken ennå."

    case_page = _refused_on_the_page(web("koordinator"), case_id)
    assert "Det er ikke gitt samtykke i saken ennå." in case_page


@pytest.mark.parametrize(("language", "sentence"), [
    ("nb", STANDARD),
    ("en", "The case cannot take «Consent withdrawn» now: the event's condition is not met."),
])
def test_without_the_diagrams_words_the_event_is_named_by_its_label(
        web: Web, api: Api, db: Database, staff: dict[str, Actor], frozen: datetime,
        language: str, sentence: str) -> None:
    _deployed(db, IP_XML.replace(BECAUSE, ""))
    case_id = _before_consent(db, staff)
    body = api.post(f"/cases/{case_id}/messages/consent_withdrawn", "koordinator",
                    {"data": {"kind": "plan"}}, expect=409)
    assert body["error"] == STANDARD
    [refused] = [e for e in api.get(f"/cases/{case_id}/events", "koordinator")["refused"]
                 if e["message"] == "consent_withdrawn"]
    assert refused["reason"] == STANDARD

    browser = web("koordinator")
    browser.post("/language", {"locale": language, "next": f"/cases/{case_id}"})
    assert sentence in _refused_on_the_page(browser, case_id)


def test_a_condition_on_the_payload_is_offered_and_decided_when_sent(
        api: Api, db: Database, frozen: datetime) -> None:
    only_plan = IP_XML.replace(GUARD, GUARD.replace("len(consents) &gt; 0",
                                                    "message.get('kind') == 'plan'"))
    _deployed(db, only_plan.replace("Det er ikke gitt samtykke i saken ennå.",
                                    "Bare samtykket til planen kan trekkes her."))
    case_id = citizen_in_follow_up(db)
    offered = api.get(f"/cases/{case_id}/events", "innbygger")
    assert "consent_withdrawn" in [e["message"] for e in offered["events"]]
    assert offered["refused"] == []

    body = api.post(f"/cases/{case_id}/messages/consent_withdrawn", "innbygger",
                    {"data": {"kind": "sharing", "participant": "Fastlege"}}, expect=409)
    assert body["error"] == "Bare samtykket til planen kan trekkes her."
    api.post(f"/cases/{case_id}/messages/consent_withdrawn", "innbygger",
             {"data": {"kind": "plan"}})
