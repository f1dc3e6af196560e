"""``/cases``: find any case. Every case the staff member may see, searched by name,
fødselsnummer or case number, filtered, sorted by its column headers and paged, each row
linking to its case page. The systemkoordinator's and the leder's home.

The filters' choices come from the deployed diagrams (phases, steps), the service areas and the
cases' coordinators (:func:`engine.features.case_search.search_choices`), never from lists here.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from engine.features.case_search import CaseQuery, search_cases, search_choices
from engine.kernel.errors import InvalidQuery
from engine.kernel.vocabulary import CaseState
from webapp.auth import db, login_required, signed_in_actor
from webapp.labels import STATUS_LABELS
from webapp.people import directory

bp = Blueprint("case_list", __name__)

# The sortable columns, by sort key, with the header people read.
COLUMNS = {"id": _l("Sak"), "name": _l("Innbygger"), "status": _l("Status"),
           "since": _l("Venter siden")}


def _args(q: CaseQuery) -> dict[str, Any]:
    """The query as URL parameters, leaving out what is the default."""
    default = CaseQuery()
    args = {"q": q.q, "status": q.status, "phase": q.phase, "step": q.step,
            "service_area": q.service_area, "coordinator": q.coordinator,
            "overdue": None if q.overdue is None else str(q.overdue).lower(),
            "sort": q.sort if q.sort != default.sort else None,
            "page": q.paging.page if q.paging.page != 1 else None,
            "per_page": (q.paging.per_page if q.paging.per_page != default.paging.per_page
                         else None)}
    return {name: value for name, value in args.items() if value is not None}


def _sorting(q: CaseQuery) -> dict[str, dict[str, str | None]]:
    """Per column: the link that sorts by it (the other way when it is the sort now) and its
    ``aria-sort``."""
    found = {}
    for key in COLUMNS:
        state = ("ascending" if q.sort == key else "descending" if q.sort == f"-{key}"
                 else None)
        next_sort = f"-{key}" if state == "ascending" else key
        args = _args(q) | {"sort": next_sort}
        args.pop("page", None)
        found[key] = {"url": url_for("case_list.cases", **args), "aria_sort": state}
    return found


@bp.get("/cases")
@login_required
def cases() -> str:
    actor = signed_in_actor()
    problems: dict[str, str] = {}
    try:
        q = CaseQuery.parse(request.args)
    except InvalidQuery as error:
        q, problems = CaseQuery(), error.errors
    page = search_cases(db(), actor, q)
    choices = search_choices(db(), actor)

    def page_url(page: int) -> str:
        return url_for("case_list.cases", **(_args(q) | {"page": page}))

    return render_template(
        "cases.html", page=page, q=q, choices=choices, who=directory(), problems=problems,
        status_labels={state.value: STATUS_LABELS.get(state.value, state.value)
                       for state in CaseState},
        columns=COLUMNS, sorting=_sorting(q), page_url=page_url,
        filtered=bool(set(_args(q)) - {"sort", "page", "per_page"}))
