"""The home page and the task inbox: mine and my group's, filtered, searched and paged.

Claiming, releasing and assigning are small POST forms on each row; they redirect back to the
same inbox view with a flash message, and an engine refusal (taken by someone else meanwhile,
already completed) is shown as a flash error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine.features import task_actions
from engine.features.inbox import InboxQuery, inbox_page
from engine.kernel.errors import EngineError, InvalidData
from engine.kernel.paging import DEFAULT_PER_PAGE
from engine.kernel.vocabulary import Role
from engine.runtime.users import OVERSIGHT_ROLES, people
from webapp.auth import db, login_required, signed_in_actor
from webapp.notices import current_notices
from webapp.redirects import local_path

bp = Blueprint("inbox", __name__)

VIEWS = ("mine", "group")


# ---------------------------------------------------------------- pages


@bp.get("/")
@login_required
def home() -> Response:
    """Each role lands where its work is: oversight (systemkoordinator, leder) on the case
    list, other staff on their inbox, a designer on the processes, a citizen on their cases."""
    actor = signed_in_actor()
    if actor.has_any_role(OVERSIGHT_ROLES):
        return redirect(url_for("case_list.cases"))
    if actor.is_staff:
        return redirect(url_for("inbox.inbox"))
    if actor.has_role(Role.DESIGNER):
        return redirect(url_for("designer.index"))
    if actor.has_role(Role.INNBYGGER):
        return redirect(url_for("cases.mine"))
    return redirect(url_for("inbox.inbox"))


def _query() -> InboxQuery:
    """The page's query; a bad value (``page=abc``, an unknown view) shows the default."""
    query, _errors = InboxQuery.parse(request.args)
    return query if query.view in VIEWS else replace(query, view="mine")


def _inbox_url(q: InboxQuery, **changes: Any) -> str:
    """The inbox with the current filters, changed by ``changes`` (None drops a filter)."""
    args: dict[str, Any] = {"view": q.view, "step": q.step, "service_area": q.service_area,
                            "q": q.search, "page": q.paging.page,
                            "per_page": q.paging.per_page}
    args.update(changes)
    if args.get("page") == 1:
        args["page"] = None
    if args.get("per_page") == DEFAULT_PER_PAGE:
        args["per_page"] = None
    return url_for("inbox.inbox", **{k: v for k, v in args.items() if v not in (None, "")})


@bp.get("/inbox")
@login_required
def inbox() -> str:
    actor = signed_in_actor()
    q = _query()
    page = inbox_page(db(), actor, q)
    current_notices([row.id for row in page.rows])  # the rows' unread marks
    who = people(db())
    areas, names = who.areas, who.names
    colleagues = {task_id: [(username, name) for username, name in choices
                            if username != actor.username]
                  for task_id, choices in task_actions.colleagues_by_task(
                      db(), [row.id for row in page.rows], actor, who.actors).items()}

    def url(**changes: Any) -> str:
        return _inbox_url(q, **changes)

    return render_template("inbox.html", page=page, q=q, areas=areas, names=names,
                           colleagues=colleagues, inbox_url=url, here=_inbox_url(q))


# ---------------------------------------------------------------- row actions


def _back() -> Response:
    """Back to the inbox view the form was posted from (only inbox paths are followed)."""
    return redirect(local_path(request.form.get("next"), url_for("inbox.inbox"), under="/inbox"))


def _run(action: Callable[[], None], success: str) -> Response:
    try:
        action()
    except InvalidData as error:
        flash(" ".join(error.errors.values()) or error.message, "error")
    except EngineError as error:
        flash(error.message, "error")
    else:
        flash(success, "success")
    return _back()


@bp.post("/inbox/tasks/<int:task_id>/claim")
@login_required
def claim(task_id: int) -> Response:
    actor = signed_in_actor()
    return _run(lambda: task_actions.claim_task(db(), task_id, actor),
                _("Du har tatt oppgaven. Den ligger nå under «Mine oppgaver»."))


@bp.post("/inbox/tasks/<int:task_id>/release")
@login_required
def release(task_id: int) -> Response:
    actor = signed_in_actor()
    return _run(lambda: task_actions.unclaim_task(db(), task_id, actor),
                _("Oppgaven er lagt tilbake til gruppen."))


@bp.post("/inbox/tasks/<int:task_id>/assign")
@login_required
def assign(task_id: int) -> Response:
    actor = signed_in_actor()
    username = request.form.get("assignee", "").strip()
    if not username:
        flash(_("Velg hvem oppgaven skal tildeles."), "error")
        return _back()
    name = people(db()).names.get(username, username)
    return _run(lambda: task_actions.assign_task(db(), task_id, username, actor),
                _("Oppgaven er tildelt %(name)s.", name=name))
