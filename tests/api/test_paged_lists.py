"""Every list of the JSON API answers one page (engine/kernel/paging): ``page``,
``per_page`` (50 by default, at most 500), ``total`` and ``pages`` beside its rows, and a bad
``page`` or ``per_page`` is refused with 400 in the API's one error shape."""

from __future__ import annotations

import pytest

from tests.support.api import Api
from tests.support.flows import Flow
from tests.support.people import PER

# path (``{case}``: the case's id), the rows' key, who may read it
LISTS = [("/processes", "processes", "systemkoordinator"),
         ("/cases/{case}/documents", "documents", "systemkoordinator"),
         ("/incidents", "incidents", "leder"),
         ("/monitor/consents-expiring", "consents", "leder")]


@pytest.fixture()
def reported(flow: Flow) -> int:
    return flow.report("systemkoordinator", PER)


@pytest.fixture()
def refused(flow: Flow) -> int:
    """A case refused and closed when its appeal period ran out: a letter and a note."""
    case_id = flow.report("systemkoordinator", PER)
    flow.refuse("Behovet er ikke langvarig.")
    flow.wait(days=29)
    flow.run_worker()
    return case_id


@pytest.mark.parametrize(("path", "key", "user"), LISTS)
def test_a_list_answers_one_page_and_refuses_bad_paging(api: Api, reported: int, path: str,
                                                        key: str, user: str) -> None:
    url = path.format(case=reported)
    first = api.get(url, user)
    assert (first["page"], first["per_page"]) == (1, 50)
    assert first["total"] == len(first[key]) and first["pages"] == 1
    one = api.get(f"{url}?per_page=1", user)
    assert (one["per_page"], len(one[key])) == (1, min(1, first["total"]))
    assert one["pages"] == max(1, first["total"])
    for bad, field in (("page=0", "page"), ("page=to", "page"), ("per_page=501", "per_page"),
                       ("per_page=0", "per_page")):
        body = api.get(f"{url}?{bad}", user, expect=400)
        assert (body["code"], list(body["errors"])) == ("invalid_query", [field])


def test_pages_of_a_case_s_documents_follow_each_other(api: Api, refused: int) -> None:
    url = f"/cases/{refused}/documents"
    whole = api.get(url, "systemkoordinator")["documents"]
    assert len(whole) >= 2, "the refusal and the note that the appeal period ran out"
    pages = [api.get(f"{url}?per_page=1&page={n}", "systemkoordinator")
             for n in range(1, len(whole) + 2)]
    assert [page["documents"] for page in pages[:-1]] == [[row] for row in whole]
    assert pages[-1]["page"] == len(whole), "past the end: the last page"
    assert pages[-1]["documents"] == [whole[-1]]
