"""Routes of the case pages: one case, its thread and access log, and the citizen's own cases.

The page's content is built in :mod:`webapp.case_view` (and its history in
:mod:`webapp.timeline`); here are only the requests: who asks, what they send, which page
answers.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.features import case_queries, overview
from engine.kernel import clock
from engine.kernel.errors import InvalidData
from engine.kernel.paging import Paging
from webapp.auth import db, login_required, signed_in_actor
from webapp.case_view import build_case_page, task_url
from webapp.edge import paging_arg
from webapp.formatting import as_datetime
from webapp.labels import STATUS_LABELS
from webapp.notices import current_notices
from webapp.people import directory
from webapp.procedure_texts import drawn_diagram
from webapp.timeline import DEFAULT_GROUPS, TIMELINE_GROUPS, access_rows

bp = Blueprint("cases", __name__)


def _render_case(case_id: int, status: int = 200, message_error: str | None = None,
                 message_body: str = "", opened: bool = False) -> tuple[str, int]:
    page = build_case_page(case_id, signed_in_actor(), opened)
    # The history's filter works without JavaScript too: ``?vis=tasks&vis=letters``.
    shown = set(request.args.getlist("vis")) & set(TIMELINE_GROUPS) or DEFAULT_GROUPS
    return render_template("case.html", page=page, message_error=message_error,
                           message_body=message_body, timeline_groups=TIMELINE_GROUPS,
                           shown_groups=shown, case_notices=page.notices), status


@bp.get("/cases/<int:case_id>")
@login_required
def case(case_id: int) -> Any:
    """The case page; its thread and letters count as read from now on."""
    return _render_case(case_id, opened=True)


@bp.get("/processes/<key>/<int:version>/diagram.bpmn")
@login_required
def diagram(key: str, version: int) -> Response:
    """A deployed diagram for the case page's and an incident's viewer: fetched when drawn
    rather than written into every page (it is most of a case page's bytes), and kept by the
    browser, since a deployed version never changes (``lang`` is in the address)."""
    xml = drawn_diagram(case_queries.deployed_diagram(db(), key, version, signed_in_actor()))
    response = Response(xml, mimetype="application/xml")
    response.cache_control.private = True
    response.cache_control.max_age = 7 * 24 * 3600
    response.cache_control.immutable = True
    return response


@bp.post("/cases/<int:case_id>/messages")
@login_required
def post_message(case_id: int) -> Any:
    """A message in the case thread (CSRF-checked by Flask-WTF like every form)."""
    body = request.form.get("body", "")
    try:
        overview.post_message(db(), case_id, body, signed_in_actor())
    except InvalidData as error:
        return _render_case(case_id, 422, error.errors.get("body", error.message), body)
    flash(_("Meldingen er sendt."), "success")
    return redirect(url_for("cases.case", case_id=case_id, _anchor="samtale"))


@bp.get("/cases/<int:case_id>/access-log")
@login_required
def access_log(case_id: int) -> Any:
    """Who has opened the case, a page at a time, newest first: for the citizen it concerns
    (the staff's reads; their own on request, ``?egne=vis``) and the koordinerende enhet."""
    actor = signed_in_actor()
    own_case = any(c.id == case_id for c in overview.my_cases(db(), actor))
    # The citizen looks for the staff's reads: their own are left out unless asked for.
    show_own = not own_case or request.args.get("egne") == "vis"
    paging = paging_arg()
    entries = overview.access_log_page(db(), case_id, actor, paging, without_own=not show_own)

    def page_url(page: int) -> str:
        return url_for("cases.access_log", case_id=case_id, page=page,
                       per_page=paging.per_page if paging != Paging(paging.page) else None,
                       egne="vis" if own_case and show_own else None)

    return render_template("access_log.html", case_id=case_id, own_case=own_case,
                           show_own=show_own, entries=entries, page_url=page_url,
                           rows=access_rows(entries.rows, directory(), {}))


@bp.get("/mine")
@login_required
def mine() -> Any:
    """The citizen's own cases and what is theirs to do."""
    actor = signed_in_actor()
    own = overview.my_cases(db(), actor)
    own_ids = {c.id for c in own}
    tasks = [t for t in case_queries.inbox(db(), actor) if t["case_id"] in own_ids]
    current_notices([task["id"] for task in tasks])  # the tasks' unread marks
    who = directory()
    by_case: dict[int, list[dict[str, Any]]] = {}
    now = clock.now()
    for task in tasks:
        due = as_datetime(task["due_at"])
        task.update(url=task_url(task["id"]), due=due,
                    overdue=due is not None and due < now)
        by_case.setdefault(task["case_id"], []).append(task)
    rows = [{"id": c.id, "status": c.status,
             "status_label": STATUS_LABELS.get(c.status, c.status),
             "created_at": c.created_at, "closed_at": c.closed_at,
             "service_area": who.area(c.service_area),
             "coordinator": who.name(c.coordinator),
             "tasks": by_case.get(c.id, [])} for c in own]
    return render_template("mine.html", cases=rows, tasks=tasks)
