"""The report page for a citizen with an open case: the warning links to the open case, and
the systemkoordinator attaches the report to it or registers a new case with a reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from engine import demo
from engine.features import case_queries
from engine.kernel.db import Database
from engine.runtime.users import Actor
from tests.support.people import OLA

if TYPE_CHECKING:
    from tests.support.pages import Browser

Web = Callable[[str], "Browser"]


def _report_data(page: object) -> dict[str, str]:
    data = page.form_data()  # type: ignore[attr-defined]
    data.update({"citizen_name": "Ola Hansen", "citizen_nin": OLA,
                 "reported_by": "kommunal_tjenesteyter", "reporter_name": "Anne Melder",
                 "reporter_contact": "anne@example.no", "requests": ["ip"],
                 "need_description": "Trenger flere tjenester."})
    return data


def test_report_page_warns_and_attaches_or_proceeds(web: Web, db: Database,
                                                    staff: dict[str, Actor]) -> None:
    first = demo.report(db, staff["koordinator"], OLA)
    browser = web("systemkoordinator")
    page = browser.get("/report")
    data = _report_data(page)

    warned = browser.post_page("/report", data, expect=409)
    assert "Innbyggeren har allerede en åpen sak" in warned
    assert warned.one("a", href=f"/cases/{first}").text == f"Sak {first}"
    assert warned.value("citizen_nin") == OLA, "what was typed is kept"

    attached = browser.post("/report", {**data, "attach_to": str(first)})
    assert attached.headers["Location"] == f"/cases/{first}"
    seen = case_queries.get_case(db, first, staff["systemkoordinator"])
    assert [e["kind"] for e in seen["events"]].count("report_attached") == 1

    proceeded = browser.post("/report", {**data, "proceed": "1",
                                         "duplicate_reason": "Gjelder et nytt behov."})
    new_case = int(proceeded.headers["Location"].rsplit("/", 1)[-1])
    assert new_case != first
    events = case_queries.get_case(db, new_case, staff["systemkoordinator"])["events"]
    assert [e["data"]["reason"] for e in events if e["kind"] == "duplicate_registered"] == [
        "Gjelder et nytt behov."]


def test_the_citizen_is_not_told_of_someone_elses_case(web: Web, db: Database,
                                                       staff: dict[str, Actor]) -> None:
    first = demo.report(db, staff["koordinator"], OLA)
    browser = web("innbygger")
    page = browser.get("/report")
    warned = browser.post_page("/report", _report_data(page), expect=409)
    assert "Kontakt koordinerende enhet" in warned
    assert not warned.all("a", href=f"/cases/{first}")
    assert not warned.all("textarea", name="duplicate_reason")
