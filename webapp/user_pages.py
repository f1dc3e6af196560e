"""User administration for the leder (``/users``): every user with roles and service areas,
a form to create one, and per user the roles and deactivation.

Only a leder gets here (403 for everyone else; the engine checks again). The writes and their
record in ``user_change`` are :mod:`engine.features.user_admin`'s; this module reads the forms
and shows the outcome. A role is chosen per service area or for every area: each checkbox
posts ``role:area`` (``role:*`` for every area), the membership as the engine stores it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response as Redirect

from engine.features import user_admin
from engine.kernel.clock import MUNICIPAL_TZ
from engine.kernel.errors import Conflict
from engine.kernel.vocabulary import Role
from engine.runtime.users import ROLES, Actor
from webapp.auth import current_actor, db, login_required, signed_in_actor
from webapp.error_pages import flash_outcome
from webapp.labels import role_label
from webapp.oidc import roles_from_provider

bp = Blueprint("users", __name__, url_prefix="/users")
EVERY_AREA = "*"
CHANGE_LABELS = {"created": _l("Opprettet"), "roles_changed": _l("Roller endret"),
                 "deactivated": _l("Deaktivert"), "reactivated": _l("Aktivert igjen")}


@bp.before_request
def leder_only() -> None:
    """Everybody but the leder gets 403 (nobody logged in goes to the login page, by
    ``login_required`` on each view)."""
    actor = current_actor()
    if actor is not None and not actor.has_role(Role.LEDER):
        abort(403)


def _posted_roles() -> list[user_admin.RoleGrant]:
    """The checked ``role:area`` boxes as (role, area or None)."""
    grants = []
    for value in request.form.getlist("roles"):
        role, _sep, area = value.partition(":")
        grants.append((role, None if area in ("", EVERY_AREA) else area))
    return grants


def _grant_text(grant: user_admin.RoleGrant, areas: dict[str, str]) -> str:
    role, area = grant
    where = areas.get(area, area) if area else _("alle områder")
    return _("%(role)s (%(where)s)", role=role_label(role), where=where)


def _page_context() -> dict[str, Any]:
    areas = user_admin.service_areas(db())
    return {"areas": areas, "roles": ROLES, "role_label": role_label, "every": EVERY_AREA,
            "grant_text": lambda grant: _grant_text(grant, areas),
            "change_labels": CHANGE_LABELS, "tz": MUNICIPAL_TZ,
            "roles_from_provider": roles_from_provider()}


@bp.get("")
@login_required
def index() -> Any:
    actor = signed_in_actor()
    return render_template("users.html", users=user_admin.user_list(db(), actor),
                           changes=user_admin.recent_changes(db(), actor), **_page_context())


@bp.post("")
@login_required
def create() -> Redirect:
    actor = signed_in_actor()
    form = request.form

    def action() -> str:
        made = user_admin.create(db(), actor, form.get("username", ""),
                                 form.get("full_name", ""), form.get("password", ""),
                                 _posted_roles(), email=form.get("email", "").strip(),
                                 phone=form.get("phone", "").strip())
        return _("Brukeren %(name)s er opprettet.", name=made.username)

    flash_outcome(action)
    return redirect(url_for("users.index"))


@bp.get("/<int:user_id>")
@login_required
def user(user_id: int) -> Any:
    actor = signed_in_actor()
    row = user_admin.get_user(db(), actor, user_id)
    return render_template("user.html", user=row, granted=set(row.roles),
                           changes=user_admin.recent_changes(db(), actor, row.username),
                           **_page_context())


def _change_user(user_id: int, change: Callable[[Actor], str]) -> Redirect:
    """Make one change to a user as the signed-in leder, say how it went, and go back to the
    user's page."""
    actor = signed_in_actor()
    flash_outcome(lambda: change(actor))
    return redirect(url_for("users.user", user_id=user_id))


@bp.post("/<int:user_id>/roles")
@login_required
def roles(user_id: int) -> Redirect:
    def change(actor: Actor) -> str:
        if roles_from_provider():
            raise Conflict(_("Rollene kommer fra identitetsleverandøren og settes ved hver "
                             "innlogging; endre gruppene der."))
        row = user_admin.set_roles(db(), actor, user_id, _posted_roles())
        return _("Rollene til %(name)s er lagret.", name=row.username)

    return _change_user(user_id, change)


@bp.post("/<int:user_id>/deactivate")
@login_required
def deactivate(user_id: int) -> Redirect:
    def change(actor: Actor) -> str:
        row = user_admin.set_active(db(), actor, user_id, False)
        return _("%(name)s er deaktivert og logget ut overalt.", name=row.username)

    return _change_user(user_id, change)


@bp.post("/<int:user_id>/reactivate")
@login_required
def reactivate(user_id: int) -> Redirect:
    def change(actor: Actor) -> str:
        row = user_admin.set_active(db(), actor, user_id, True)
        return _("%(name)s kan logge inn igjen.", name=row.username)

    return _change_user(user_id, change)
