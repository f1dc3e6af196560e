"""The accessibility statement (tilgjengelighetserklæring) at ``/tilgjengelighet``.

Norway's universal design regulation asks public-sector web solutions to publish one: which
rules apply, how far the solution meets them, what is known not to, where to give feedback and
where to complain. It is public (no login) and linked from the footer of every page.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from engine.features.municipality import contact

bp = Blueprint("statement", __name__)


@bp.get("/tilgjengelighet")
def statement() -> str:
    return render_template("statement.html", contact=contact())
