"""Task pages and the report form: JSON Schema forms rendered and validated on the server.

``GET /tasks/<id>`` shows the task's form beside what the case needs to be understood;
``POST`` either adds or removes a row (``_action``) and shows the form again with everything
typed kept, or completes the task. The engine validates; its Norwegian messages are shown
next to each field and in a summary at the top. ``/report`` ("Meld behov") starts a case from
the start form of the IP process the same way.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from engine import cases, clock, deploy, forms
from engine.errors import Conflict, InvalidData
from engine.users import PROCEDURE_ROLES, Actor, find_actor, service_areas
from webapp import formrender
from webapp.auth import current_actor, db, login_required
from webapp.inbox_pages import LOCAL_ZONE

bp = Blueprint("tasks", __name__)

PROCESS = "ip_koordinator"
EMPTY_SCHEMA: dict[str, Any] = {"type": "object", "properties": {}}


def _actor() -> Actor:
    actor = current_actor()
    assert actor is not None  # login_required ran first
    return actor


def case_url(case_id: int) -> str | None:
    """The case page, once the cases blueprint has one (endpoint ``cases.case``)."""
    if "cases.case" in current_app.view_functions:
        return url_for("cases.case", case_id=case_id)
    return None


def _done_url(actor: Actor) -> str:
    """Where a person goes after completing: staff to their inbox, citizens to their cases."""
    if actor.is_staff or "cases.mine" not in current_app.view_functions:
        return url_for("inbox.inbox")
    return url_for("cases.mine")


def _row_action() -> str:
    return request.form.get("_action", "").strip()


def _render(template: str, status: int, schema: dict[str, Any], ui: dict[str, Any],
            values: dict[str, Any], errors: dict[str, str], **context: Any
            ) -> tuple[str, int]:
    form_fields = formrender.fields(schema, ui, values, errors)
    summary = formrender.error_summary(form_fields, errors)
    return render_template(template, fields=form_fields, summary=summary, **context), status


def _with_row_action(schema: dict[str, Any]) -> dict[str, Any]:
    values = formrender.parse(schema, request.form, keep_rows=True)
    return formrender.apply_action(schema, values, _row_action())


# ---------------------------------------------------------------- the task page


def _age(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _case_context(task: dict[str, Any]) -> dict[str, Any]:
    """What the person needs beside the form: who the case is about and what was asked."""
    data = task.get("data") or {}
    with db().reading() as session:
        areas = service_areas(session)
        coordinator = None
        if data.get("coordinator"):
            found = find_actor(session, str(data["coordinator"]))
            coordinator = found.full_name if found else str(data["coordinator"])
    age = None
    birth_date = data.get("citizen_birth_date")
    if birth_date:
        try:
            now = clock.now()
            today = (now.astimezone(LOCAL_ZONE) if LOCAL_ZONE else now).date()
            age = _age(date.fromisoformat(str(birth_date)[:10]), today)
        except ValueError:
            age = None
    under_16 = data.get("citizen_under_16")
    if under_16 is None and age is not None:
        under_16 = age < 16
    request_labels = {"ip": _("Individuell plan"), "koordinator": _("Koordinator")}
    reporter_labels = {"innbygger": _("Innbyggeren selv"), "parorende": _("Pårørende"),
                       "kommunal_tjenesteyter": _("Kommunal tjenesteyter"),
                       "ekstern_samarbeidspart": _("Ekstern samarbeidspart")}
    area = data.get("service_area") or task.get("service_area")
    return {
        "citizen_name": data.get("citizen_name"),
        "citizen_nin": data.get("citizen_nin"),
        "birth_date": birth_date,
        "age": age,
        "under_16": under_16,
        "service_area": areas.get(area, area) if area else None,
        "coordinator": coordinator,
        "requests": [request_labels.get(r, r) for r in data.get("requests") or []],
        "reported_by": reporter_labels.get(data.get("reported_by", ""), data.get("reported_by")),
        "need_description": data.get("need_description"),
        "case_url": case_url(task["case_id"]),
    }


@bp.route("/tasks/<int:task_id>", methods=["GET", "POST"])
@login_required
def task(task_id: int) -> Any:
    actor = _actor()
    # The engine's own check for acting on the task: 404 when the task is not visible, 403 when
    # the actor may see but not do it, 409 when it is completed or taken by someone else.
    cases.eligible_colleagues(db(), task_id, actor)
    task = cases.get_task(db(), task_id, actor)
    form = task.get("form") or {}
    schema = form.get("schema") or EMPTY_SCHEMA
    ui = form.get("ui") or {}
    values: dict[str, Any] = dict(task.get("data") or {})
    errors: dict[str, str] = {}
    problem = None
    status = 200
    if request.method == "POST":
        if _row_action():
            values = _with_row_action(schema)
        else:
            data = formrender.parse(schema, request.form)
            try:
                cases.complete_task(db(), task_id, data, actor)
            except InvalidData as error:
                values, errors, status = data, dict(error.errors), 422
            except Conflict as error:
                values, problem, status = data, error.message, 409
            else:
                flash(_("Oppgaven er fullført."), "success")
                return redirect(_done_url(actor))
    return _render("task.html", status, schema, ui, values, errors, task=task,
                   form_title=form.get("title") or task["name"], problem=problem,
                   context=_case_context(task), back_url=_done_url(actor),
                   overdue=_overdue(task))


def _overdue(task: dict[str, Any]) -> bool:
    due = task.get("due_at")
    if not due:
        return False
    return datetime.fromisoformat(due) < clock.now()


# ---------------------------------------------------------------- the report form


def _start_form() -> tuple[dict[str, Any], dict[str, Any], str]:
    info = deploy.get_process(db(), PROCESS)
    form = info.start_form or {}
    with db().reading() as session:
        schema = forms.with_sources(form.get("schema") or EMPTY_SCHEMA,
                                    {"service_areas": service_areas(session)})
    return schema, form.get("ui") or {}, form.get("title") or _("Meld behov")


@bp.route("/report", methods=["GET", "POST"])
@login_required
def report() -> Any:
    """Melding om behov: anyone with a role in the procedure may report a need."""
    actor = _actor()
    if not any(actor.has_role(role) for role in PROCEDURE_ROLES):
        abort(403)
    schema, ui, title = _start_form()
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "GET" and not actor.is_staff and actor.nin:
        values = {"citizen_name": actor.full_name, "citizen_nin": actor.nin,
                  "reported_by": "innbygger"}
    if request.method == "POST":
        if _row_action():
            values = _with_row_action(schema)
        else:
            data = formrender.parse(schema, request.form)
            try:
                case_id = cases.start_case(db(), PROCESS, data, actor)
            except InvalidData as error:
                values, errors, status = data, dict(error.errors), 422
            else:
                flash(_("Meldingen er registrert. Koordinerende enhet vurderer den."), "success")
                target = case_url(case_id) if actor.is_staff else None
                return redirect(target or _done_url(actor))
    return _render("report.html", status, schema, ui, values, errors, form_title=title)
