"""The person's own page (``/profil``): the e-mail address ipflow has for them, and whether the
worker e-mails them each notice, letter and reminder, one digest a day, or none. Every
signed-in user has one and sees only their own; :mod:`engine.features.profile` keeps it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine.features import profile
from engine.kernel.errors import InvalidData
from engine.kernel.vocabulary import NoticeChoice
from webapp.auth import db, login_required, signed_in_actor

bp = Blueprint("profile", __name__, url_prefix="/profil")

CHOICES = ((NoticeChoice.NOW, _l("Send meg en e-post for hver ny melding, hvert brev og "
                                 "hver påminnelse")),
           (NoticeChoice.DAILY, _l("Send meg én e-post om dagen, om morgenen, når det er noe "
                                   "nytt")),
           (NoticeChoice.NONE, _l("Ingen e-post: jeg ser nye meldinger når jeg logger inn")))


def _page(status: int = 200, error: str | None = None) -> Any:
    mine = profile.profile(db(), signed_in_actor())
    return render_template("profile.html", profile=mine, choices=CHOICES, error=error), status


@bp.get("")
@login_required
def show() -> Any:
    return _page()


@bp.post("")
@login_required
def save() -> Any:
    try:
        profile.set_notices(db(), signed_in_actor(), request.form.get("notices", ""))
    except InvalidData:
        return _page(422, _("Velg hvordan du vil få beskjed."))
    flash(_("Valget ditt er lagret."), "success")
    return redirect(url_for("profile.show"))
