"""Routes of the legal events a case can take at any time: an appeal (also one received by
post, with its letter), Statsforvalteren's decision, a change of coordinator, an end, a
withdrawn consent, an early evaluation.

The page asks the engine which events the case can take now for this person
(:func:`engine.features.case_events.available_events`, the same question the API asks),
shows the chosen event's form and what will happen, and sends it only when the person has
confirmed that they have read it. A refusal comes back in Norwegian with what was typed kept.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, flash, redirect, request, url_for
from flask_babel import gettext as _

from engine.features import attachments, case_events, case_messages
from engine.kernel.errors import InvalidData
from webapp.auth import db, login_required, signed_in_actor
from webapp.form_page import in_page_language, render_form, submit_form, uploaded_file
from webapp.labels import CITIZEN_ACTIONS
from webapp.procedure_texts import step_name

bp = Blueprint("events", __name__)

CONFIRM = "confirm"


def staff_only_removed(form: dict[str, Any], staff: bool) -> dict[str, Any]:
    """The form without the fields its ``ui.staff_only`` lists, for a citizen (the date an
    appeal came by post is the municipality's to register)."""
    hidden = set((form.get("ui") or {}).get("staff_only") or [])
    if staff or not hidden:
        return form
    schema = dict(form.get("schema") or {})
    schema["properties"] = {k: v for k, v in (schema.get("properties") or {}).items()
                            if k not in hidden}
    schema["required"] = [k for k in schema.get("required") or [] if k not in hidden]
    return {**form, "schema": schema}


def _refusal_text(refused: case_events.RefusedEvent | None) -> str:
    """Why the event is not taken now: the diagram's words when it has them, else the event
    named by its label, in the page's language."""
    if refused is None:
        return _("Saken kan ikke ta imot denne hendelsen nå.")
    return refused.because or _("Saken kan ikke ta imot «%(event)s» nå: vilkåret for "
                                "hendelsen er ikke oppfylt.", event=step_name(refused.label))


@bp.app_context_processor
def events_of_case() -> dict[str, Any]:
    """``case_events_of(case_id)`` for ``_case_events.html``: what the signed-in person may
    send to the case now, asked of the engine as the API asks it."""

    def case_events_of(case_id: int) -> case_events.CaseEvents:
        return case_events.available_events(db(), case_id, signed_in_actor())

    return {"case_events_of": case_events_of, "citizen_actions": CITIZEN_ACTIONS}


@bp.route("/cases/<int:case_id>/events/<message>", methods=["GET", "POST"])
@login_required
def event(case_id: int, message: str) -> Any:
    """One event: its form and what will happen; sent once confirmed."""
    actor = signed_in_actor()
    offered = case_events.available_events(db(), case_id, actor)
    chosen = offered.get(message)
    if chosen is None:
        flash(_refusal_text(offered.refusal_of(message)), "error")
        return redirect(url_for("cases.case", case_id=case_id, _anchor=f"hendelser-na-{case_id}"))
    form = staff_only_removed(in_page_language(dict(chosen.form)), actor.is_staff)
    schema = form.get("schema") or {}

    def send(data: dict[str, Any]) -> None:
        if request.form.get(CONFIRM) != "yes":
            raise InvalidData({CONFIRM: _("Bekreft at du har lest hva som skjer, og at "
                                          "hendelsen skal registreres.")})
        case_messages.send_message(db(), case_id, message, data, actor, uploaded_file())

    state = submit_form(schema, {}, send)
    if state.done:
        flash(_("Registrert: %(event)s.", event=chosen.label), "success")
        return redirect(url_for("cases.case", case_id=case_id, _anchor="hendelser"))
    return render_form("event.html", schema, form.get("ui") or {}, state, case_id=case_id,
                       chosen=chosen, offered=offered, form_title=form.get("title"),
                       attachment=form.get("attachment") if chosen.takes_attachment else None,
                       errors=state.errors)


@bp.get("/cases/<int:case_id>/attachments/<int:attachment_id>")
@login_required
def attachment(case_id: int, attachment_id: int) -> Any:
    """A stored file of the case, for those who may see the case (the read is logged)."""
    stored = attachments.read(db(), case_id, attachment_id, signed_in_actor())
    return Response(stored.content, mimetype=stored.media_type, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(stored.filename, safe='')}"})
