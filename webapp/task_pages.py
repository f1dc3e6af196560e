"""Task pages and the report form: JSON Schema forms rendered and validated on the server.

``GET /tasks/<id>`` shows the task's form beside what the case needs to be understood;
``POST`` either adds or removes a row (``_action``) and shows the form again with everything
typed kept, or completes the task. The engine validates; its Norwegian messages are shown
next to each field and in a summary at the top. ``/report`` ("Meld behov") starts a case from
the start form of the IP process the same way.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    request,
    url_for,
)
from flask_babel import gettext as _

from engine.features import case_queries, case_start, drafts, notices, task_actions
from engine.features.snapshots import TaskDetail
from engine.kernel import clock
from engine.kernel.errors import DuplicateReport, TaskTaken
from engine.runtime.users import Actor, people
from webapp import plan_view, task_holding
from webapp.auth import db, login_required, signed_in_actor
from webapp.edge import whole_id
from webapp.form_page import (
    DraftButtons,
    PageAction,
    in_page_language,
    render_form,
    submit_form,
)
from webapp.formatting import age_on, answer_text, as_date, local_today
from webapp.labels import choice_labeller

bp = Blueprint("tasks", __name__)

PROCESS = "ip_koordinator"
EMPTY_SCHEMA: dict[str, Any] = {"type": "object", "properties": {}}


def case_url(case_id: int) -> str:
    return url_for("cases.case", case_id=case_id)


def _done_url(actor: Actor) -> str:
    """Where a person goes after completing: staff to their inbox, citizens to their cases."""
    return url_for("inbox.inbox") if actor.is_staff else url_for("cases.mine")


# ---------------------------------------------------------------- the task page


def _case_context(task: TaskDetail) -> dict[str, Any]:
    """What the person needs beside the form: who the case is about and what was asked."""
    data = task.data
    label = choice_labeller(task.choices)
    who = people(db())
    areas = who.areas
    coordinator = None
    if data.get("coordinator"):
        coordinator = who.names.get(str(data["coordinator"]), str(data["coordinator"]))
    birth_date = data.get("citizen_birth_date")
    age = age_on(as_date(str(birth_date)[:10]) if birth_date else None, local_today())
    under_16 = data.get("citizen_under_16")
    if under_16 is None and age is not None:
        under_16 = age < 16
    area = data.get("service_area") or task.facts.service_area
    return {
        "citizen_name": data.get("citizen_name"),
        "citizen_nin": data.get("citizen_nin"),
        "birth_date": birth_date,
        "age": age,
        "under_16": under_16,
        "service_area": areas.get(area, area) if area else None,
        "coordinator": coordinator,
        "requests": [label("requests", r) for r in data.get("requests") or []],
        "reported_by": label("reported_by", data.get("reported_by")),
        "need_description": data.get("need_description"),
        "case_url": case_url(task.facts.case_id),
    }


def _answers(task: TaskDetail) -> dict[str, dict[str, Any]]:
    """Each ``answers:<form>`` section as that form names it in the page's language: its title
    and (field title, answer) rows in the form's order, answered fields only."""
    shown = {}
    for name, answers in (task.context.answers or {}).items():
        form = in_page_language(dict(answers.form))
        schema, ui = form.get("schema") or EMPTY_SCHEMA, form.get("ui") or {}
        properties = schema.get("properties") or {}
        order = [*(ui.get("order") or []), *properties]
        rows = [(str(properties[key].get("title") or key), answer_text(answers.values[key]))
                for key in dict.fromkeys(order) if key in properties and key in answers.values]
        shown[name] = {"title": form.get("title") or name,
                       "rows": [(label, text) for label, text in rows if text]}
    return shown


class _PageButtons:
    """The task page's own buttons: take, give back, save or delete a draft. Each posts the
    whole form, so whatever it does, what was typed stays on the page."""

    def __init__(self, task_id: int, actor: Actor) -> None:
        self.task_id = task_id
        self.actor = actor
        self.taken = False
        self.drafts = DraftButtons(
            lambda typed: drafts.save_draft(db(), task_id, typed, actor),
            lambda: drafts.delete_draft(db(), task_id, actor))

    def actions(self) -> dict[str, PageAction]:
        return {"take": self.take, "release": self.give_back, **self.drafts.actions()}

    def take(self, _typed: dict[str, Any]) -> None:
        task_actions.claim_task(db(), self.task_id, self.actor)
        self.taken = True
        flash(_("Du har tatt oppgaven. Kollegene ser at du arbeider med den."), "success")

    def give_back(self, _typed: dict[str, Any]) -> None:
        task_actions.unclaim_task(db(), self.task_id, self.actor)
        flash(_("Oppgaven er lagt tilbake til gruppen."), "success")



@bp.route("/tasks/<int:task_id>", methods=["GET", "POST"])
@login_required
def task(task_id: int) -> Any:
    actor = signed_in_actor()
    # 404 when the task is not visible, 403 when the actor may see but not do it. A task done
    # or held by someone else is shown read-only, saying by whom and since when.
    task_actions.ensure_in_reach(db(), task_id, actor)
    task = case_queries.get_task(db(), task_id, actor)
    notices.open_task(db(), task_id, actor)
    form = in_page_language(dict(task.form))
    schema = form.get("schema") or EMPTY_SCHEMA
    names = people(db()).names
    draft = drafts.load_draft(db(), task_id, actor)
    buttons = _PageButtons(task_id, actor)
    # Sending the form takes a group task nobody holds (its button says so); one held by
    # someone else, or done meanwhile, is refused with who and when, the typed text kept.
    form_state = submit_form(
        schema, dict(draft.data) if draft else dict(task.prefill),
        lambda data: task_actions.complete_task(db(), task_id, data, actor, take=True),
        task.previous.values if task.previous else None, buttons.actions())
    form_state.focus_start = buttons.taken  # taken: on to the form's first field
    if form_state.done:
        flash(_("Oppgaven er fullført."), "success")
        return redirect(_done_url(actor))
    if buttons.drafts.discarded:
        return redirect(url_for("tasks.task", task_id=task_id))
    if isinstance(form_state.refusal, TaskTaken):
        now_held = task_holding.after_refusal(form_state.refusal, actor, names)
    elif request.method == "POST":  # taken, given back or changed meanwhile: as it stands now
        now_held = task_holding.holding(
            case_queries.get_task(db(), task_id, actor).facts, actor, names)
    else:
        now_held = task_holding.holding(task.facts, actor, names)
    if form_state.refusal is not None and now_held.hold == task_holding.Hold.DONE \
            and now_held.by_me:
        # The same form sent twice: the first one completed the task, nothing was lost.
        flash(_("Oppgaven er allerede fullført av deg."), "success")
        return redirect(_done_url(actor))
    return render_form("task.html", schema, form.get("ui") or {}, form_state, task=task,
                   form_title=form.get("title") or task.facts.name, holding=now_held,
                   draft=buttons.drafts.saved or draft,
                   typed=request.method == "POST" or draft is not None,
                   context=_case_context(task), answers=_answers(task),
                   back_url=_done_url(actor),
                   overdue=task.facts.due_at is not None and task.facts.due_at < clock.now(),
                   plan=plan_view.plan_content(task.plan["content"]) if task.plan else None,
                   open_items=plan_view.item_rows([dict(item) for item in task.open_action_items],
                                                  local_today()))


# ---------------------------------------------------------------- the report form


def _start_form() -> tuple[dict[str, Any], dict[str, Any], str]:
    form = in_page_language(case_start.start_form(db(), PROCESS))
    return (form.get("schema") or EMPTY_SCHEMA, form.get("ui") or {},
            form.get("title") or _("Meld behov"))


@bp.route("/report", methods=["GET", "POST"])
@login_required
def report() -> Any:
    """Melding om behov: anyone with a role in the procedure may report a need."""
    actor = signed_in_actor()
    if not actor.may_report:
        abort(403)
    schema, ui, title = _start_form()
    values: dict[str, Any] = {}
    if not actor.is_staff and actor.nin:
        values = {"citizen_name": actor.full_name, "citizen_nin": actor.nin,
                  "reported_by": "innbygger"}
    started: list[int] = []
    duplicates: list[int] = []
    attach_to = request.form.get("attach_to", type=whole_id)
    reason = request.form.get("duplicate_reason") if request.form.get("proceed") else None

    def save(data: dict[str, Any]) -> None:
        try:
            started.append(case_start.start_case(db(), PROCESS, data, actor, attach_to=attach_to,
                                                 duplicate_reason=reason))
        except DuplicateReport as error:
            duplicates.extend(error.open_cases)
            raise

    form_state = submit_form(schema, values, save)
    if form_state.done and attach_to is not None:
        flash(_("Meldingen er knyttet til sak %(id)s.", id=started[0]), "success")
        return redirect(case_url(started[0]))
    if form_state.done:
        flash(_("Meldingen er registrert. Koordinerende enhet vurderer den."), "success")
        return redirect(case_url(started[0]) if actor.is_staff else _done_url(actor))
    return render_form("report.html", schema, ui, form_state, form_title=title,
                   duplicates=[(case_id, case_url(case_id)) for case_id in duplicates],
                   may_decide=actor.is_staff)
