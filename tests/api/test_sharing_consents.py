"""Sharing consents as rows with a period, through the JSON API.

The consent form's sharing consents become rows (``consent.record``'s effect ``share``): from
the consent date, or the form's ``valid_from``, to the form's ``valid_until``, else the plan's
revision date. ``GET /cases/<id>`` lists them with ``active`` and names in ``plan_shared_with``
the participants who may see the plan today. A withdrawn consent (message
``consent_withdrawn`` with kind ``sharing``) and an expired one no longer give access.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.support.flows import Flow
from tests.support.people import OLA


def to_consent(flow: Flow) -> None:
    flow.report("koordinator", OLA)
    flow.approve("helse")
    flow.appoint("koordinator")
    flow.train()
    flow.summon(flow.now + timedelta(days=7))
    flow.wait(days=7)


def consent(flow: Flow, sharing: list[dict[str, str]], **extra: Any) -> None:
    flow.complete("give_consent", "koordinator", {
        "consent_date": flow.today.isoformat(),
        "consent_given_by": [{"name": "Ola Hansen", "relation": "selv"}],
        "consent_to_plan": True, "wants_ip": True, "sharing_consents": sharing, **extra})


def periods(flow: Flow) -> list[tuple[str, str, str, bool]]:
    return [(r["participant"], r["valid_from"], r["valid_until"], r["active"])
            for r in flow.case()["sharing_consents"]]


def test_periods_default_to_the_consent_date_and_the_revision_date(flow: Flow) -> None:
    to_consent(flow)
    today = flow.today
    consent(flow, [
        {"participant": "Fastlege", "scope": "Helseopplysninger"},
        {"participant": "NAV", "scope": "Arbeidsevne", "valid_until": "2026-06-30"},
        {"participant": "Skolen", "scope": "Tilrettelegging", "valid_from": "2026-08-15"}],
        revision_date="2027-01-31")
    assert periods(flow) == [
        ("Fastlege", today.isoformat(), "2027-01-31", True),
        ("NAV", today.isoformat(), "2026-06-30", True),
        ("Skolen", "2026-08-15", "2027-01-31", False)]
    case = flow.case()
    assert case["plan_shared_with"] == ["Fastlege", "NAV"], "Skolen's period has not begun"
    assert {r["period"] for r in case["sharing_consents"]} == {"first"}
    assert case["sharing_consents"][0]["scope"] == "Helseopplysninger"

    # Without a revision date in the form the plan period is 12 months from consent.
    second = Flow(flow.api, flow.db, flow.outbox_dir, flow.now)
    try:
        to_consent(second)
        consent(second, [{"participant": "Fastlege", "scope": "Helseopplysninger"}])
        (row,) = second.case()["sharing_consents"]
        year_on = date(second.today.year + 1, second.today.month, second.today.day)
        assert row["valid_until"] == year_on.isoformat()
        assert second.task("describe_goals", "koordinator")["data"]["revision_date"] == \
            year_on.isoformat(), "the same date the plan's revision date defaults to"
    finally:
        second.close()


def test_withdrawn_or_expired_consent_gives_no_access(flow: Flow) -> None:
    to_consent(flow)
    consent(flow, [{"participant": "Fastlege", "scope": "Helseopplysninger"},
                   {"participant": "NAV", "scope": "Arbeidsevne",
                    "valid_until": (flow.today + timedelta(days=10)).isoformat()}])
    flow.describe_goals("koordinator")
    flow.establish_plan("koordinator", flow.today + timedelta(days=365))
    assert flow.case()["plan_shared_with"] == ["Fastlege", "NAV"]

    flow.wait(days=1)
    flow.message("consent_withdrawn", "koordinator", {"kind": "sharing",
                                                       "participant": "Fastlege"})
    rows = {r["participant"]: r for r in flow.case()["sharing_consents"]}
    assert rows["Fastlege"]["withdrawn_on"] == flow.today.isoformat()
    assert rows["Fastlege"]["withdrawn_by"] == "koordinator"
    assert rows["Fastlege"]["active"] is False and rows["NAV"]["active"] is True
    assert flow.case()["plan_shared_with"] == ["NAV"]
    assert flow.case()["status"] == "active", "the plan goes on without sharing with the GP"

    flow.wait(days=10)
    assert flow.case()["plan_shared_with"] == [], "NAV's consent ran out"
    assert len(flow.case()["sharing_consents"]) == 2, "rows are kept, never deleted"
