"""The living plan on the case and task pages: the plan as it stands, its revisions (who,
when, what changed) and the meetings' action items with their status buttons; and the two
posts those buttons make.

Field names in "what changed" are the plan form's own titles, read from the case's version.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from io import BytesIO
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import lazy_gettext as _l

from engine.features import documents, drafts, plans
from engine.kernel.errors import EngineError
from webapp.auth import db, login_required, signed_in_actor
from webapp.edge import whole_id
from webapp.form_page import DraftButtons, render_form, submit_form
from webapp.formatting import local_today
from webapp.redirects import local_path
from webapp.translation import gettext as _

bp = Blueprint("plan", __name__)

ITEM_STATUS_LABELS = {"apen": _l("Åpen"), "pagar": _l("Pågår"), "utfort": _l("Utført"),
                      "lukket": _l("Lukket")}
# The status buttons an item shows, by its status: what it can sensibly move to.
ITEM_MOVES = {"apen": ("pagar", "utfort", "lukket"), "pagar": ("utfort", "apen", "lukket"),
              "utfort": ("apen",), "lukket": ("apen",)}
ITEM_MOVE_LABELS = {"apen": _l("Åpne igjen"), "pagar": _l("Marker som pågår"),
                    "utfort": _l("Marker som utført"), "lukket": _l("Lukk")}
SOURCE_LABELS = {"task": _l("skrevet i oppgaven"), "revision": _l("revidert"),
                 "proposal": _l("innbyggerens forslag, tatt inn")}
PROPOSAL_STATUS_LABELS = {"pending": _l("Venter på koordinator"), "accepted": _l("Godtatt"),
                          "declined": _l("Ikke tatt inn")}


def field_titles(plan_form: Mapping[str, Any] | None) -> dict[str, str]:
    """Field name → the plan form's title for it."""
    properties = ((plan_form or {}).get("schema") or {}).get("properties") or {}
    return {name: str(prop.get("title") or name) for name, prop in properties.items()}


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def plan_content(content: Mapping[str, Any]) -> dict[str, Any]:
    """The plan's fields shaped for the templates."""
    plan = {
        "goals": _text(content.get("plan_goals")),
        "resources": _text(content.get("plan_resources")),
        "needs": _text(content.get("plan_needs")),
        "coordinator": _text(content.get("plan_coordinator")),
        "contributions": _text(content.get("plan_contributions")),
        "cooperation": _text(content.get("plan_cooperation")),
        "consents": _text(content.get("plan_consents")),
        "language": _text(content.get("plan_language")),
        "interpreter": content.get("plan_interpreter_needed") is True,
        "measures": _dicts(content.get("plan_measures")),
        "participants": _dicts(content.get("plan_participants")),
        "start": content.get("plan_start"), "revision_date": content.get("revision_date"),
    }
    plan["exists"] = bool(plan["goals"] or plan["measures"] or plan["needs"])
    return plan


def _as_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value or "")[:10]) if value else None
    except ValueError:
        return None


def item_rows(items: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    """Action items, open ones first and soonest deadline first, with their buttons."""
    rows = []
    for item in items:
        status = item["status"]
        deadline = _as_date(item.get("deadline"))
        rows.append({**item, "deadline": deadline,
                     "status_label": ITEM_STATUS_LABELS.get(status, status),
                     "overdue": deadline is not None and deadline < today
                     and status in ("apen", "pagar"),
                     "moves": [(target, ITEM_MOVE_LABELS[target])
                               for target in ITEM_MOVES.get(status, ())]})
    rows.sort(key=lambda r: (r["status"] not in ("apen", "pagar"), r["deadline"] or date.max))
    return rows


def history_rows(snapshot: Mapping[str, Any], titles: Mapping[str, str],
                 name: Callable[[str | None], str]) -> list[dict[str, Any]]:
    """The plan's revisions, newest first: number, who, when, how, and what changed."""
    return [{"number": r["number"], "who": name(r["author"]), "at": r["at"],
             "source": SOURCE_LABELS.get(r["source"], r["source"]),
             "changed": [titles.get(field, field) for field in r["changed"]]}
            for r in snapshot.get("revisions") or []]


def proposal_rows(snapshot: Mapping[str, Any], titles: Mapping[str, str],
                  name: Callable[[str | None], str]) -> list[dict[str, Any]]:
    return [{"id": p["id"], "who": name(p["proposed_by"]), "at": p["proposed_at"],
             "note": p["note"], "status": p["status"],
             "status_label": PROPOSAL_STATUS_LABELS.get(p["status"], p["status"]),
             "reason": p["reason"] or "",
             "changes": [(titles.get(field, field), value) for field, value
                         in sorted(p["changes"].items(),
                                   key=lambda kv: list(titles).index(kv[0])
                                   if kv[0] in titles else len(titles))]}
            for p in snapshot.get("proposals") or []]


def pdf_download(content: bytes, filename: str) -> Response:
    """A PDF as a download that no cache keeps: it holds health information."""
    response = send_file(BytesIO(content), mimetype="application/pdf", as_attachment=True,
                         download_name=filename, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/cases/<int:case_id>/plan.pdf")
@login_required
def plan_pdf(case_id: int) -> Any:
    """The plan as it stands, printed: the same plan HTML as the case page, through a print
    stylesheet, as PDF/A (for whoever may see the case; the read is logged as the plan's)."""
    seen = plans.get_plan(db(), case_id, signed_in_actor())
    if not seen["current"]:
        abort(404)
    page = render_template("plan_print.html", plan=plan_content(seen["current"]["content"]),
                           revision=seen["current"], case_id=case_id,
                           citizen_name=seen["citizen_name"], today=local_today(),
                           settings=documents.letterhead())
    return pdf_download(documents.print_pdf(page), f"sak-{case_id}-individuell-plan.pdf")


# ---------------------------------------------------------------- posts


def _back(case_id: int) -> str:
    """Where to go after a button: the page it was pressed on (a path on this site only)."""
    return local_path(request.form.get("next"),
                      url_for("cases.case", case_id=case_id, _anchor="moter"))


@bp.post("/cases/<int:case_id>/action-items/<int:item_id>")
@login_required
def set_item_status(case_id: int, item_id: int) -> Any:
    actor = signed_in_actor()
    status = request.form.get("status", "")
    try:
        plans.set_item_status(db(), case_id, item_id, status, actor)
    except EngineError as error:
        flash(error.message, "error")
    else:
        flash(_("Oppgaven er markert: %(status)s.",
                status=ITEM_STATUS_LABELS.get(status, status)), "success")
    return redirect(_back(case_id))


@bp.post("/cases/<int:case_id>/plan/proposals/<int:proposal_id>")
@login_required
def decide_proposal(case_id: int, proposal_id: int) -> Any:
    actor = signed_in_actor()
    decision = request.form.get("decision", "")
    try:
        plans.decide_proposal(db(), case_id, proposal_id, decision, actor,
                              request.form.get("reason"))
    except EngineError as error:
        flash(getattr(error, "errors", {}).get("reason") or error.message, "error")
    else:
        flash(_("Forslaget er tatt inn i planen.") if decision == "accepted"
              else _("Forslaget er ikke tatt inn i planen."), "success")
    return redirect(url_for("cases.case", case_id=case_id, _anchor="plan"))


@bp.route("/cases/<int:case_id>/plan", methods=["GET", "POST"])
@login_required
def revise(case_id: int) -> Any:
    """The plan form opened with the plan as it stands: the coordinator saves a revision, the
    citizen sends a proposal. The revision it was opened from travels in the form's address,
    so a plan changed meanwhile is refused (409) instead of overwritten. A draft keeps what
    was typed, with that revision, and is opened again in its place until the plan is saved."""
    actor = signed_in_actor()
    if not plans.may_change_plan(db(), case_id, actor):
        abort(403)  # before the plan is read: a refusal is no read of it
    seen = plans.get_plan(db(), case_id, actor)
    if not (seen["may_revise"] or seen["may_propose"]) or not seen["form"]:
        abort(403)
    schema, ui = seen["form"]["schema"], seen["form"].get("ui") or {}
    current = seen["current"]
    number = current["number"] if current else 0
    draft = drafts.load_plan_draft(db(), case_id, actor)
    base = request.args.get("base", type=whole_id)
    if base is None:  # a draft goes on from the revision it was typed on
        base = draft.base if draft and draft.base is not None else number

    def save(data: dict[str, Any]) -> None:
        changes = {name: data.get(name, "") for name in schema.get("properties", {})}
        plans.revise_plan(db(), case_id, changes, base, actor)

    buttons = DraftButtons(lambda typed: drafts.save_plan_draft(db(), case_id, typed, base, actor),
                           lambda: drafts.delete_plan_draft(db(), case_id, actor))
    initial = dict(draft.data) if draft else dict(current["content"]) if current else {}
    state = submit_form(schema, initial, save, actions=buttons.actions())
    if state.done:
        flash(_("Planen er revidert.") if seen["may_revise"]
              else _("Forslaget er sendt til koordinatoren."), "success")
        return redirect(url_for("cases.case", case_id=case_id, _anchor="plan"))
    if buttons.discarded:
        return redirect(url_for("plan.revise", case_id=case_id))
    for name in ("plan", "base"):
        if name in state.errors:
            state.problem = state.errors.pop(name)
    title = _("Revider planen") if seen["may_revise"] else _("Foreslå endringer i planen")
    return render_form("plan_edit.html", schema, ui, state, case_id=case_id, form_title=title,
                       action=url_for("plan.revise", case_id=case_id, base=base),
                       draft=buttons.saved or draft, base=base, current_number=number)
