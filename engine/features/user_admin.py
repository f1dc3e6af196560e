"""The leder's administration of users: who they are, their roles in service areas, and
whether they may log in.

Only a leder may do any of it (:func:`_require_leder`). Each change and its record in
``user_change`` (who changed whom, when, and what the user then had) are one transaction, so
the record cannot miss a change. Taking a role away or deactivating a user ends their page
sessions and API tokens at once (``logins.end_user_sessions``); a deactivated user can neither
log in nor use a token until reactivated. A leder cannot deactivate themselves or take away
their own leder role, so the municipality is never left without someone who can undo it.
Where the staff's identity provider is the source of truth for roles, ``staff_groups`` changes
them through the same ``logins.replace_roles`` and :func:`record_change`, recorded as
``oidc:staff``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.kernel import clock
from engine.kernel.db import Database
from engine.kernel.errors import Forbidden, InvalidData, NotFound
from engine.kernel.models import Membership, User, UserChange
from engine.kernel.vocabulary import Role
from engine.runtime import logins, users
from engine.runtime.users import Actor

RoleGrant = tuple[str, str | None]  # (role, service area or None for every area)
MIN_PASSWORD = 12
RECENT_CHANGES = 20


@dataclass(frozen=True)
class UserRow:
    """A user as the administration page lists them (no fødselsnummer, no password)."""

    id: int
    username: str
    full_name: str
    email: str | None
    phone: str | None
    active: bool
    roles: tuple[RoleGrant, ...]


@dataclass(frozen=True)
class Change:
    """One recorded change: who changed ``username``, when, and how."""

    at: datetime
    actor: str
    username: str
    what: str
    data: dict[str, object]


def _require_leder(actor: Actor) -> None:
    if not actor.has_role(Role.LEDER):
        raise Forbidden("Bare leder kan administrere brukere.")


def _grants(user: User) -> tuple[RoleGrant, ...]:
    return tuple(sorted(((m.role, m.service_area) for m in user.memberships),
                        key=lambda grant: (grant[0], grant[1] or "")))


def _row(user: User) -> UserRow:
    return UserRow(user.id, user.username, user.full_name, user.email, user.phone, user.active,
                   _grants(user))


def record_change(session: Session, by: str, user: User, what: str) -> None:
    """The change in ``user_change``, in the caller's transaction: ``by`` is the leder's
    username, or ``oidc:<provider>`` for a change the identity provider's groups made."""
    session.add(UserChange(at=clock.now(), actor=by, username=user.username,
                           what=what, data={"active": user.active,
                                            "roles": [list(g) for g in _grants(user)]}))


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"ukjent bruker: {user_id}")
    return user


def check_grants(session: Session, roles: list[RoleGrant]) -> None:
    """Known roles in known service areas, at least one (``InvalidData`` otherwise)."""
    if not roles:
        raise InvalidData({"roles": "velg minst én rolle"})
    users.check_roles(roles)
    areas = users.service_areas(session)
    unknown = sorted({area for _role, area in roles if area is not None and area not in areas})
    if unknown:
        raise InvalidData({"roles": f"ukjent tjenesteområde: {', '.join(unknown)}"})


def user_list(db: Database, actor: Actor) -> list[UserRow]:
    """Every user, active first, by name."""
    _require_leder(actor)
    with db.reading() as session:
        rows = session.scalars(select(User).order_by(User.active.desc(), User.full_name,
                                                     User.username))
        return [_row(user) for user in rows]


def get_user(db: Database, actor: Actor, user_id: int) -> UserRow:
    _require_leder(actor)
    with db.reading() as session:
        return _row(_user(session, user_id))


def create(db: Database, actor: Actor, username: str, full_name: str, password: str,
           roles: list[RoleGrant], *, email: str | None = None,
           phone: str | None = None) -> UserRow:
    """A new active user with ``roles``; the password is the first one they log in with."""
    _require_leder(actor)
    username, full_name = username.strip(), full_name.strip()
    problems = {}
    if not username or len(username) > 80 or not username.replace("_", "").replace(
            ".", "").replace("-", "").isalnum():
        problems["username"] = "brukernavnet kan ha bokstaver, tall, punktum, - og _"
    if not full_name:
        problems["full_name"] = "navnet mangler"
    if len(password) < MIN_PASSWORD:
        problems["password"] = f"passordet må ha minst {MIN_PASSWORD} tegn"
    if problems:
        raise InvalidData(problems)
    with db.transaction() as session:
        check_grants(session, roles)
        if session.scalar(select(User.id).where(User.username == username)) is not None:
            raise InvalidData({"username": "brukernavnet er i bruk"})
        user = User(username=username, full_name=full_name, email=email or None,
                    phone=phone or None, password_hash=users.hash_password(password),
                    active=True)
        user.memberships = [Membership(role=role, service_area=area)
                            for role, area in dict.fromkeys(roles)]
        session.add(user)
        session.flush()
        record_change(session, actor.username, user, "created")
        return _row(user)


def set_roles(db: Database, actor: Actor, user_id: int, roles: list[RoleGrant]) -> UserRow:
    """The user's roles become exactly ``roles``; their sessions end when any was taken away."""
    _require_leder(actor)
    with db.transaction() as session:
        check_grants(session, roles)
        user = _user(session, user_id)
        if user.username == actor.username and not any(role == Role.LEDER
                                                       for role, _area in roles):
            raise InvalidData({"roles": "du kan ikke ta fra deg selv rollen leder"})
        if logins.replace_roles(session, user, roles):
            record_change(session, actor.username, user, "roles_changed")
        return _row(user)


def set_active(db: Database, actor: Actor, user_id: int, active: bool) -> UserRow:
    """Deactivate (no login, no token, every session ended) or reactivate the user."""
    _require_leder(actor)
    with db.transaction() as session:
        user = _user(session, user_id)
        if user.username == actor.username and not active:
            raise InvalidData({"username": "du kan ikke deaktivere deg selv"})
        if user.active == active:
            return _row(user)
        user.active = active
        if not active:
            logins.end_user_sessions(session, user)
        record_change(session, actor.username, user, "reactivated" if active else "deactivated")
        return _row(user)


def recent_changes(db: Database, actor: Actor, username: str | None = None,
                   limit: int = RECENT_CHANGES) -> list[Change]:
    """The newest recorded changes, to one user or to anyone."""
    _require_leder(actor)
    query = select(UserChange).order_by(UserChange.at.desc(), UserChange.id.desc()).limit(limit)
    if username is not None:
        query = query.where(UserChange.username == username)
    with db.reading() as session:
        return [Change(c.at, c.actor, c.username, c.what, dict(c.data))
                for c in session.scalars(query)]


def service_areas(db: Database) -> dict[str, str]:
    """The service areas by code, for choosing where a role applies."""
    with db.reading() as session:
        return users.service_areas(session)
