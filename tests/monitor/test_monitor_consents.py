"""The monitor lists sharing consents that run out within 30 days, through
``GET /api/v1/monitor/consents-expiring`` and as a panel on the monitor page: active consents of
open cases only, soonest first; withdrawn and already expired ones are left out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from tests.support.pages import inside
from tests.support.people import OLA, PER

Web = Callable[[str], Any]


def consented(flow: Any, nin: str, sharing: list[dict[str, str]]) -> int:
    flow.report("koordinator", nin)
    flow.approve("helse")
    flow.appoint("koordinator")
    flow.train()
    flow.summon(flow.now + timedelta(days=7))
    flow.complete("give_consent", "koordinator", {
        "consent_date": flow.today.isoformat(),
        "consent_given_by": [{"name": "Innbyggeren", "relation": "selv"}],
        "consent_to_plan": True, "wants_ip": True, "revision_date": "2027-03-01",
        "sharing_consents": sharing})
    return int(flow.case_id)


def day(flow: Any, days: int) -> str:
    return (flow.today + timedelta(days=days)).isoformat()


def test_consents_expiring_within_30_days(flow: Callable[..., Any], api: Any, web: Web) -> None:
    f = flow()
    first = consented(f, OLA, [
        {"participant": "NAV", "scope": "Arbeidsevne", "valid_until": day(f, 20)},
        {"participant": "Fastlege", "scope": "Helse"},  # until 2027-03-01: not soon
        {"participant": "Skolen", "scope": "Tilrettelegging", "valid_until": day(f, 5)}])
    f.describe_goals("koordinator")
    f.establish_plan("koordinator", date(2027, 3, 1))
    second = consented(f, PER, [
        {"participant": "Hjemmetjenesten", "scope": "Stell", "valid_until": day(f, 30)},
        {"participant": "Apoteket", "scope": "Medisiner", "valid_until": day(f, 31)}])

    listed = api.get("/monitor/consents-expiring", "leder")["consents"]
    assert [(r["case_id"], r["participant"], r["valid_until"]) for r in listed] == [
        (first, "Skolen", day(f, 5)), (first, "NAV", day(f, 20)),
        (second, "Hjemmetjenesten", day(f, 30))]
    assert "scope" in listed[0] and listed[0]["active"] is True
    assert [r["participant"] for r in api.get("/monitor/consents-expiring?days=7",
                                              "leder")["consents"]] == ["Skolen"]
    api.get("/monitor/consents-expiring", "koordinator", expect=403)
    api.get("/monitor/consents-expiring?days=-1", "leder", expect=400)

    page = web("systemkoordinator").get("/monitor")
    panel = inside(page, "samtykker")
    assert "Samtykker til deling som utløper innen 30 dager" in panel
    assert "Skolen" in panel and "NAV" in panel and "Hjemmetjenesten" in panel
    assert "Fastlege" not in panel and "Apoteket" not in panel
    assert len(page.all("a", href=f"/monitor/cases/{first}")) == 2  # one per consent

    # A withdrawn consent is no longer listed; an expired one neither.
    f.case_id = first
    f.message("consent_withdrawn", "koordinator", {"kind": "sharing", "participant": "NAV"})
    f.wait(days=6)
    listed = api.get("/monitor/consents-expiring", "leder")["consents"]
    assert [r["participant"] for r in listed] == ["Hjemmetjenesten", "Apoteket"]
    assert "Ingen samtykker" not in inside(web("leder").get("/monitor"), "samtykker")
