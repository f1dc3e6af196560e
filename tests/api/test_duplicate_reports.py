"""A report for a fødselsnummer with an open case, through the JSON API (issue 8, section 7).

``POST /cases`` answers 409 with the open cases' ids and links unless the request says
``attach_to`` (the report is kept on that open case as a document and an event; no new case)
or ``duplicate_reason`` (a new case starts, the reason and the open cases in its history). A
citizen is never told whether someone else has a case; only staff attach or proceed.
"""

from __future__ import annotations

from typing import Any

from engine.demo import CITIZENS
from tests.support.api import Api
from tests.support.people import KARI, OLA


def report(api: Api, user: str, nin: str, expect: int = 201, **extra: Any) -> Any:
    data = {"citizen_name": CITIZENS[nin], "citizen_nin": nin,
            "reported_by": "kommunal_tjenesteyter", "reporter_name": "Anne Melder",
            "reporter_contact": "anne@example.no", "requests": ["ip", "koordinator"],
            "need_description": "Trenger flere tjenester som må ses i sammenheng."}
    return api.post("/cases", user, {"process": "ip_koordinator", "data": data, **extra},
                    expect=expect)


def events(api: Api, case_id: int, kind: str) -> list[dict[str, Any]]:
    return [e for e in api.get(f"/cases/{case_id}", "systemkoordinator")["events"]
            if e["kind"] == kind]


def test_second_report_is_refused_with_links_to_the_open_case(api: Api) -> None:
    first = report(api, "koordinator", OLA)["id"]
    refused = report(api, "koordinator", OLA, expect=409)
    assert refused["open_cases"] == [{"id": first, "url": f"/cases/{first}",
                                      "api": f"/api/v1/cases/{first}"}]
    assert f"sak {first}" in refused["error"] and refused["code"] == "duplicate_report"
    # A report for someone else still starts a case of its own.
    assert report(api, "koordinator", KARI)["id"] != first


def test_attach_to_keeps_the_report_on_the_open_case(api: Api) -> None:
    first = report(api, "koordinator", OLA)["id"]
    attached = report(api, "systemkoordinator", OLA, expect=200, attach_to=first)
    assert attached == {"id": first, "attached": True}
    documents = api.get(f"/cases/{first}/documents", "systemkoordinator")["documents"]
    (kept,) = [d for d in documents if d["kind"] == "report"]
    assert kept["title"] == "Ny melding om behov"
    assert "Kommunal tjenesteyter" in kept["body"] and "Individuell plan" in kept["body"]
    (event,) = events(api, first, "report_attached")
    assert event["actor"] == "systemkoordinator"
    assert event["data"]["data"]["citizen_nin"] == OLA
    assert len(events(api, first, "case_started")) == 1, "no new case"
    report(api, "systemkoordinator", OLA, expect=422, attach_to=first + 99)
    report(api, "systemkoordinator", KARI, expect=422, attach_to=first)


def test_duplicate_reason_starts_a_new_case_with_the_reason(api: Api) -> None:
    first = report(api, "koordinator", OLA)["id"]
    second = report(api, "systemkoordinator", OLA,
                    duplicate_reason="Ny melding gjelder barnekoordinator, egen vurdering.")["id"]
    assert second != first
    (event,) = events(api, second, "duplicate_registered")
    assert event["data"] == {"reason": "Ny melding gjelder barnekoordinator, egen vurdering.",
                             "open_cases": [first]}
    assert event["actor"] == "systemkoordinator"
    report(api, "systemkoordinator", OLA, expect=422, attach_to=first,
           duplicate_reason="Begge deler")
    report(api, "systemkoordinator", OLA, expect=409, duplicate_reason="   ")


def test_a_citizen_learns_only_of_their_own_cases(api: Api) -> None:
    others = report(api, "koordinator", OLA)["id"]
    hidden = report(api, "innbygger", OLA, expect=409)
    assert hidden["open_cases"] == [] and str(others) not in hidden["error"]
    own = report(api, "koordinator", KARI)["id"]
    mine = report(api, "innbygger", KARI, expect=409)
    assert [c["id"] for c in mine["open_cases"]] == [own]
    report(api, "innbygger", KARI, expect=403, attach_to=own)
