"""The monitor's page for one case: what is stuck in it, its earlier interventions, and the
forms to reassign a task, send a reminder or cancel the case.

Registered on the monitor's blueprint (only ``leder`` and ``systemkoordinator`` get here);
each action is an ``engine.features.interventions`` call recorded with who and why, and
opening the page is a logged case read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as Redirect

from engine.features import case_queries, interventions, monitor, monitor_actions
from engine.kernel import clock
from engine.kernel.errors import EngineError, InvalidData
from engine.runtime import users
from webapp.auth import db, login_required, signed_in_actor
from webapp.edge import whole_id
from webapp.error_pages import flash_outcome
from webapp.labels import STATUS_LABELS, role_label
from webapp.monitor_pages import ACTION_LABELS, _config, _names, _stuck_view, bp


@bp.get("/cases/<int:case_id>")
@login_required
def case(case_id: int) -> Any:
    """What is stuck in one case and the forms to act on it (reading it is logged)."""
    actor = signed_in_actor()
    now = clock.now()
    detail = case_queries.get_case(db(), case_id, actor)
    people, areas = _names()
    rows = monitor.stuck_cases(db(), actor, now, _config(),
                               monitor.StuckQuery(case_id=case_id))
    open_tasks = [t for t in detail["tasks"] if t["state"] == "ready"]
    candidates: dict[int, list[users.Colleague]] = {}
    for task in open_tasks:
        try:
            candidates[task["id"]] = interventions.reassign_candidates(db(), task["id"], actor)
        except EngineError:
            candidates[task["id"]] = []
    history = [e for e in detail["events"] if e["kind"] in monitor_actions.ACTION_EVENTS
               and e["actor"] != users.SYSTEM.username]
    return render_template(
        "monitor/case.html", case=detail, rows=_stuck_view(rows, now, people, areas, {}),
        open_tasks=open_tasks, candidates=candidates, people=people,
        areas=areas, role_label=role_label, status_label=STATUS_LABELS.get(detail["status"],
                                                                      detail["status"]),
        history=[{**e, "what": ACTION_LABELS.get(e["kind"], e["kind"]),
                  "who": people.get(e["actor"], e["actor"]),
                  "reason": (e["data"] or {}).get("reason", "")} for e in reversed(history)])


def _act(case_id: int, action: Callable[[], str]) -> Redirect:
    """Run one monitor action (it returns what to tell the user); refusals come back as a
    message on the case's action page."""
    flash_outcome(action)
    return redirect(url_for("monitor.case", case_id=case_id))


def _reason() -> str:
    return request.form.get("reason", "")


@bp.post("/tasks/<int:task_id>/reassign")
@login_required
def reassign(task_id: int) -> Redirect:
    actor = signed_in_actor()
    username = request.form.get("assignee", "").strip()

    def run() -> str:
        interventions.reassign_task(db(), task_id, username, _reason(), actor)
        return _("Oppgaven er gitt til %(name)s.", name=_names()[0].get(username, username))

    return _act(request.form.get("case_id", type=whole_id) or 0, run)


@bp.post("/cases/<int:case_id>/remind")
@login_required
def remind(case_id: int) -> Redirect:
    actor = signed_in_actor()

    def run() -> str:
        recipient = interventions.send_reminder(db(), case_id, _reason(), actor,
                                                request.form.get("task_id", type=whole_id))
        return _("Påminnelsen er sendt til %(name)s.",
                 name=_names()[0].get(recipient, recipient))

    return _act(case_id, run)


@bp.post("/cases/<int:case_id>/cancel")
@login_required
def cancel(case_id: int) -> Redirect:
    actor = signed_in_actor()

    def run() -> str:
        if request.form.get("confirm") != "yes":
            raise InvalidData({"confirm": _("Kryss av for at saken skal avbrytes.")})
        interventions.cancel_case(db(), case_id, _reason(), actor)
        return _("Saken er avbrutt.")

    return _act(case_id, run)
