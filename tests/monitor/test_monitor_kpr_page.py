"""The monitor's KPR page: the count and list of periods not yet reported, before and after
an export, and a period ended afterwards shown again; a link from the monitor leads there."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.features import kpr
from engine.kernel.db import Database
from tests.support.pages import inside
from tests.support.people import OLA

Web = Callable[[str], Any]


def test_the_page_counts_lists_and_follows_the_exports(web: Web, flow: Callable[..., Any],
                                                       db: Database) -> None:
    f = flow()
    f.to_consent(OLA, requests=("ip",))
    leder = web("leder")
    assert leder.get("/monitor").one(id="kpr-link").get("href") == "/monitor/kpr"
    page = leder.get("/monitor/kpr")
    assert inside(page, "kpr-unreported") == "1"
    assert inside(page, "kpr-last") == "Aldri"
    table = inside(page, "kpr-periods")
    assert f"Sak {f.case_id}" in table and "Koordinator" in table and "pågår" in table
    assert OLA not in page.text  # case numbers, services and dates: no fødselsnummer

    kpr.mark_reported(db, kpr.export(db).periods)
    page = leder.get("/monitor/kpr")
    assert inside(page, "kpr-unreported") == "0"
    assert "Alt er rapportert." in page.text and inside(page, "kpr-last") != "Aldri"

    f.consent("koordinator", wants_ip=True, consent_to_plan=False)  # the period ends today
    page = web("systemkoordinator").get("/monitor/kpr")
    assert inside(page, "kpr-unreported") == "1"
    assert "pågår" not in inside(page, "kpr-periods")


def test_the_page_in_english(web: Web) -> None:
    leder = web("leder")
    leder.post("/language", {"locale": "en", "next": "/monitor/kpr"})
    page = leder.get("/monitor/kpr")
    assert "KPR reporting" in page.text and "Everything has been reported." in page.text
