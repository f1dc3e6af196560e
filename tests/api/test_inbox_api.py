"""``GET /api/v1/tasks``: the inbox a page at a time, with the tabs' counts, and refusals of
parameters it does not understand in the API's one error shape."""

from __future__ import annotations

from typing import Any

from tests.support.flows import Flow
from tests.support.people import EMMA, KARI, OLA, PER


def test_the_inbox_is_paged_with_counts_per_tab(flow: Flow, api: Any) -> None:
    f = flow
    for nin in (OLA, PER, EMMA, KARI):
        f.report("koordinator", nin)
        f.wait(days=1)
    whole = api.get("/tasks", "systemkoordinator")
    assert (whole["total"], whole["page"], whole["per_page"], whole["pages"]) == (4, 1, 50, 1)
    assert whole["counts"] == {"mine": 0, "group": 4}
    due = [task["due_at"] for task in whole["tasks"]]
    assert due == sorted(due)  # soonest due first
    pages = [api.get(f"/tasks?per_page=3&page={n}", "systemkoordinator") for n in (1, 2)]
    assert [len(p["tasks"]) for p in pages] == [3, 1] and {p["pages"] for p in pages} == {2}
    assert [t["id"] for p in pages for t in p["tasks"]] == [t["id"] for t in whole["tasks"]]
    first = whole["tasks"][0]
    api.post(f"/tasks/{first['id']}/claim", "systemkoordinator", {})
    mine = api.get("/tasks?view=mine", "systemkoordinator")
    assert [t["id"] for t in mine["tasks"]] == [first["id"]]
    assert mine["counts"] == {"mine": 1, "group": 3} and mine["total"] == 1
    assert api.get("/tasks?view=group", "systemkoordinator")["total"] == 3
    assert api.get(f"/tasks?q={OLA}", "systemkoordinator")["tasks"][0]["citizen_nin"] == OLA
    assert api.get("/tasks", "koordinator")["total"] == 0


def test_bad_paging_is_refused(api: Any) -> None:
    for bad in ("page=0", "page=x", "per_page=0", "per_page=501", "view=everything"):
        refused = api.get(f"/tasks?{bad}", "koordinator", expect=400)
        assert refused["code"] == "invalid_query"
        assert set(refused["errors"]) == {bad.split("=")[0]}
