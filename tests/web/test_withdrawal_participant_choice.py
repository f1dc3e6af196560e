"""A withdrawn sharing consent names its participant by choice: the form's ``participant``
(``x-source: sharing_participants``) lists whom the citizen's consent lets the case share with
today, on the page and in ``GET /api/v1/cases/<id>/events``; the engine takes only one of them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from engine.kernel.db import Database
from tests.support.api import Api
from tests.support.legal_events import citizen_in_follow_up
from tests.support.pages import Browser

Web = Callable[[str], Browser]


def _participant_field(api: Api, case_id: int, user: str) -> dict[str, object]:
    [withdrawal] = [e for e in api.get(f"/cases/{case_id}/events", user)["events"]
                    if e["message"] == "consent_withdrawn"]
    field: dict[str, object] = withdrawal["form"]["schema"]["properties"]["participant"]
    return field


def test_the_api_offers_the_cases_sharing_participants_and_takes_only_them(
        api: Api, db: Database, frozen: datetime) -> None:
    case_id = citizen_in_follow_up(db)
    field = _participant_field(api, case_id, "innbygger")
    assert field["enum"] == ["Fastlege"] and field["x-enumNames"] == ["Fastlege"]

    refused = api.post(f"/cases/{case_id}/messages/consent_withdrawn", "koordinator",
                       {"data": {"kind": "sharing", "participant": "Tannlege"}}, expect=422)
    assert refused["errors"]["participant"] == "«Tannlege» kan ikke velges her. Velg en av: " \
                                               "Fastlege."
    assert not [e for e in api.get(f"/cases/{case_id}", "koordinator")["events"]
                if e["kind"] == "message_received"], "nothing sent"

    api.post(f"/cases/{case_id}/messages/consent_withdrawn", "innbygger",
             {"data": {"kind": "sharing", "participant": "Fastlege"}})
    rows = api.get(f"/cases/{case_id}", "koordinator")["sharing_consents"]
    assert [(r["participant"], r["active"]) for r in rows] == [("Fastlege", False)]
    assert _participant_field(api, case_id, "innbygger")["enum"] == [], "withdrawn: not offered"


def test_the_page_shows_a_list_to_choose_from_and_refuses_another_name(
        web: Web, db: Database, frozen: datetime) -> None:
    case_id = citizen_in_follow_up(db)
    browser = web("innbygger")
    url = f"/cases/{case_id}/events/consent_withdrawn"
    page = browser.get(url)
    assert page.one("select", name="participant")
    assert [value for value, _label in page.options("participant") if value] == ["Fastlege"]
    assert page.all("input", name="participant") == []

    again = browser.post_page(url, {"kind": "sharing", "participant": "Tannlege",
                                    "confirm": "yes"}, expect=422)
    assert "Velg en av: Fastlege" in again

    done = browser.follow(browser.post(url, {"kind": "sharing", "participant": "Fastlege",
                                             "confirm": "yes"}))
    assert "Registrert: Samtykke trukket tilbake." in done
