"""A citizen reports as «innbyggeren selv» only about themselves (issue 11): the report page
and the API refuse another person's fødselsnummer with the reason, and start no case; as a
relative (pårørende) the citizen may report about someone else."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from engine.features.case_start import NOT_YOURSELF
from engine.kernel.db import Database
from engine.kernel.models import Case
from tests.support.api import Api
from tests.support.pages import Browser
from tests.support.people import KARI, OLA

REPORT = {"citizen_name": "Ola Hansen", "citizen_nin": OLA, "reported_by": "innbygger",
          "reporter_name": "Kari Nordmann", "reporter_contact": "kari@example.no",
          "requests": ["ip"], "need_description": "Trenger flere tjenester."}


def _cases(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(Case)) or 0


def test_the_report_page_refuses_another_persons_number_as_the_citizen_self(
        web: Callable[[str], Browser], db: Database) -> None:
    browser = web("innbygger")
    data = browser.get("/report").form_data()
    refused = browser.post_page("/report", {**data, **REPORT}, expect=422)
    assert NOT_YOURSELF in refused
    assert refused.value("citizen_nin") == OLA, "what was typed is kept"
    assert _cases(db) == 0

    browser.post("/report", {**data, **REPORT, "reported_by": "parorende"})
    browser.post("/report", {**data, **REPORT, "citizen_nin": KARI,
                             "citizen_name": "Kari Nordmann"})
    assert _cases(db) == 2


def test_the_api_refuses_another_persons_number_as_the_citizen_self(api: Api,
                                                                     db: Database) -> None:
    refused = api.post("/cases", "innbygger", {"process": "ip_koordinator", "data": REPORT},
                       expect=422)
    assert refused["errors"]["citizen_nin"] == NOT_YOURSELF
    assert _cases(db) == 0
    api.post("/cases", "innbygger", {"process": "ip_koordinator",
                                     "data": {**REPORT, "reported_by": "parorende"}}, expect=201)
    api.post("/cases", "koordinator", {"process": "ip_koordinator", "data": REPORT,
                                       "duplicate_reason": "Nytt behov."}, expect=201)
    assert _cases(db) == 2
