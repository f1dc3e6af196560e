"""``GET /api/v1/cases``: every case the caller may see, searched, filtered, sorted and paged,
with where each waits and since when; bad parameters refused in the API's one error shape;
a search by fødselsnummer in the access log the citizen reads."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from engine.features import overview
from engine.runtime.users import get_actor
from tests.support.api import Api
from tests.support.flows import Flow
from tests.support.people import EMMA, KARI, PER


@pytest.fixture()
def cases(flow: Flow) -> dict[str, int]:
    """Per refused and closed when the appeal period ran out; a month later Kari appointed a
    coordinator (helse) and Emma approved (oppvekst), waiting for hers."""
    per = flow.report("systemkoordinator", PER)
    flow.refuse("Behovet er ikke langvarig.")
    flow.wait(days=29)
    flow.run_worker()
    kari = flow.report("koordinator", KARI)
    flow.approve("helse")
    flow.appoint("koordinator")
    flow.wait(days=1)
    emma = flow.report("systemkoordinator", EMMA)
    flow.approve("oppvekst")
    return {"per": per, "kari": kari, "emma": emma}


def _list(api: Api, user: str = "systemkoordinator", expect: int = 200, **args: object) -> dict:
    return api.get(f"/cases?{urlencode(args)}", user, expect=expect)


def _ids(api: Api, user: str = "systemkoordinator", **args: object) -> list[int]:
    return [row["id"] for row in _list(api, user, **args)["cases"]]


def test_the_list_has_every_visible_case_with_where_it_waits(api, flow, cases) -> None:
    body = _list(api)
    assert (body["total"], body["page"], body["per_page"], body["pages"]) == (3, 1, 50, 1)
    rows = {row["id"]: row for row in body["cases"]}
    assert [row["id"] for row in body["cases"]] == [cases["emma"], cases["kari"], cases["per"]]
    emma = rows[cases["emma"]]
    appointment = flow.task("appoint_coordinator", "fagleder")
    assert emma["waiting_at"] == [{"step": "appoint_coordinator", "name": appointment["name"]}]
    assert emma["since"] == appointment["created_at"]
    assert (emma["citizen_name"], emma["status"], emma["process"], emma["version"]) == (
        "Emma Berg", "active", "ip_koordinator", 1)
    assert emma["service_area"] == "oppvekst" and emma["overdue"] is False
    per = rows[cases["per"]]
    assert per["status"] == "closed"
    assert per["since"] == api.get(f"/cases/{cases['per']}", "systemkoordinator")["closed_at"]
    assert "citizen_nin" not in emma, "lists carry no fødselsnummer"


def test_q_finds_by_name_fodselsnummer_with_spaces_and_case_number(api, cases) -> None:
    assert _ids(api, q="berg") == [cases["emma"]]
    assert _ids(api, q=f"{PER[:6]} {PER[6:]}") == [cases["per"]]
    assert _ids(api, q=KARI) == [cases["kari"]]
    assert _ids(api, q=str(cases["kari"])) == [cases["kari"]]
    assert _ids(api, q="Ingen Slik") == []


def test_every_filter(api, flow, cases) -> None:
    assert _ids(api, status="closed") == [cases["per"]]
    assert _ids(api, step="appoint_coordinator") == [cases["emma"]]
    kari_step = [w["step"] for w in _list(api, q=KARI)["cases"][0]["waiting_at"]]
    assert _ids(api, step=kari_step[0]) == [cases["kari"]]
    # Kari's coordinator is appointed, but the appointment phase goes on with its training.
    assert _ids(api, phase="phase_appointment") == [cases["emma"], cases["kari"]]
    assert _ids(api, phase="phase_assessment") == []
    assert _ids(api, service_area="helse") == [cases["kari"]]
    assert _ids(api, coordinator="koordinator") == [cases["kari"]]
    assert _ids(api, overdue="false") == [cases["emma"], cases["kari"], cases["per"]]
    assert _ids(api, overdue="true") == []
    flow.wait(days=60)
    late = _list(api, overdue="true")["cases"]
    assert {row["id"] for row in late} == {cases["emma"], cases["kari"]}
    assert all(row["overdue"] for row in late)


def test_sorting_and_paging(api, cases) -> None:
    assert _ids(api, sort="id") == sorted(cases.values())
    assert _ids(api, sort="-id") == sorted(cases.values(), reverse=True)
    names = [row["citizen_name"] for row in _list(api, sort="name")["cases"]]
    assert names == sorted(names)
    since = [row["since"] for row in _list(api, sort="-since")["cases"]]
    assert since == sorted(since, reverse=True)
    first = _list(api, sort="id", per_page=2)
    second = _list(api, sort="id", per_page=2, page=2)
    assert (first["total"], first["pages"], second["page"]) == (3, 2, 2)
    assert [r["id"] for r in first["cases"] + second["cases"]] == sorted(cases.values())


@pytest.mark.parametrize(("args", "field"), [
    ({"status": "open"}, "status"), ({"sort": "alder"}, "sort"), ({"page": "0"}, "page"),
    ({"page": "to"}, "page"), ({"per_page": "501"}, "per_page"),
    ({"overdue": "kanskje"}, "overdue"),
])
def test_bad_parameters_are_400_in_the_error_shape(api, cases, args, field) -> None:
    body = _list(api, expect=400, **args)
    assert body["code"] == "invalid_query" and body["error"]
    assert list(body["errors"]) == [field]


def test_who_may_list(api, cases) -> None:
    assert _ids(api, "fagleder_oppvekst") == [cases["emma"]]
    assert _ids(api, "koordinator_oppvekst", q=KARI) == []
    for user in ("innbygger", "designer"):
        body = _list(api, user, expect=403)
        assert body["code"] == "forbidden"
    response = api.client.get("/api/v1/cases")
    assert response.status_code == 401


def test_a_search_by_fodselsnummer_shows_in_the_citizens_access_log(api, db, cases) -> None:
    citizen = get_actor(db, "innbygger")  # Kari's own login
    before = overview.access_log(db, cases["kari"], citizen)
    _list(api, q="Kari")
    assert overview.access_log(db, cases["kari"], citizen) == before, "a name is no look-up"
    _list(api, q=f"{KARI[:6]} {KARI[6:]}")
    [entry] = [e for e in overview.access_log(db, cases["kari"], citizen) if e not in before]
    assert (entry.username, entry.what) == ("systemkoordinator", "search")
