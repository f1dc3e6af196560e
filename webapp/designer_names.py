"""The designer's table of the diagram's names in English (``/designer/drafts/<id>/names``).

The same table as a form's English texts: each named step, event, gateway, flow and phase of
the draft with its bokmål name and an input for its English one, written into the diagram
(``name_en``, :mod:`engine.features.diagram_translations`), so the pages show a designer's new
step in English once the draft is deployed. One engine call per action.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from engine.features import designer, diagram_translations
from webapp.auth import db, signed_in_actor
from webapp.designer_pages import designer_required

bp = Blueprint("designer_names", __name__, url_prefix="/designer")
LOCALE = "en"


@bp.get("/drafts/<int:draft_id>/names")
@designer_required
def names(draft_id: int) -> str:
    view = designer.get_draft(db(), draft_id, signed_in_actor())
    return render_template("designer/names.html", draft=view,
                           names=diagram_translations.names(view.bpmn_xml, LOCALE))


@bp.post("/drafts/<int:draft_id>/names")
@designer_required
def save(draft_id: int) -> Any:
    answers = {key[len("en:"):]: value for key, value in request.form.items()
               if key.startswith("en:")}
    missing = len(designer.save_names(db(), draft_id, LOCALE, answers, signed_in_actor()))
    flash(_("De engelske navnene i diagrammet er lagret.") + " " + (
        ngettext("%(num)s navn mangler engelsk.", "%(num)s navn mangler engelsk.", missing)
        if missing else _("Alle navnene har engelsk.")))
    return redirect(url_for("designer_names.names", draft_id=draft_id))
