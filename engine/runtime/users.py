"""Users, roles, passwords (argon2) and API tokens.

``Actor`` is the engine's view of whoever acts: the webapp turns a session or a token into an
Actor and passes it to every engine call, which checks permissions itself.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, and_, delete, exists, func, or_, select, true, update
from sqlalchemy.orm import Session

from engine.kernel import clock
from engine.kernel.db import Database
from engine.kernel.errors import InvalidData, NotFound
from engine.kernel.models import ApiToken, Case, Membership, ServiceArea, User
from engine.kernel.vocabulary import RUNNING_CASE_STATES, Role

ROLES = tuple(Role)
# Role sets, named by what they let a person do; every check in the engine and the pages
# takes its set from here.
# The lanes a diagram's user tasks may name: who takes part in the procedure.
PROCEDURE_ROLES = (Role.INNBYGGER, Role.SYSTEMKOORDINATOR, Role.FAGLEDER, Role.KOORDINATOR)
# Staff who work on cases in their service areas (tjenstlig behov).
CASEWORK_ROLES = (Role.SYSTEMKOORDINATOR, Role.FAGLEDER, Role.KOORDINATOR)
# Everyone who works for the municipality (has an inbox), as opposed to a citizen.
STAFF_ROLES = (*CASEWORK_ROLES, Role.LEDER)
# Oversight: see every case, the monitor and its actions, retrying failed steps.
OVERSIGHT_ROLES = (Role.LEDER, Role.SYSTEMKOORDINATOR)
TOKEN_LIFETIME = timedelta(hours=12)
TOKEN_IDLE = timedelta(minutes=30)  # like a page session; the API passes its configured idle time
TOKEN_USE_STEP = timedelta(minutes=1)  # how stale used_at may be before it is moved on
_hasher = PasswordHasher()
# Verified against when the username is unknown, so a miss costs as much time as a hit.
_DUMMY_HASH = _hasher.hash("ipflow-no-such-user")


@dataclass(frozen=True)
class Actor:
    """Who is acting, with roles as ``{role: {service areas}}`` (None: every area), and the
    contact letters print when they are the caseworker (read with the user, not per call)."""

    username: str
    full_name: str
    roles: dict[str, frozenset[str | None]] = field(default_factory=dict)
    nin: str | None = None
    phone: str | None = None
    email: str | None = None

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def has_any_role(self, roles: tuple[str, ...]) -> bool:
        return any(role in self.roles for role in roles)

    @property
    def is_staff(self) -> bool:
        """Works cases for the municipality (has an inbox), as opposed to a citizen."""
        return self.has_any_role(STAFF_ROLES)

    @property
    def may_report(self) -> bool:
        """Anyone with a role in the procedure may report a need (melding om behov)."""
        return self.has_any_role(PROCEDURE_ROLES)

    def in_area(self, role: str, service_area: str | None) -> bool:
        """True when the actor holds ``role`` for ``service_area`` (or for every area)."""
        areas = self.roles.get(role)
        if areas is None:
            return False
        return None in areas or (service_area is not None and service_area in areas)


SYSTEM = Actor(username="system", full_name="ipflow", roles={})


def actor_for(user: User) -> Actor:
    roles: dict[str, set[str | None]] = {}
    for membership in user.memberships:
        roles.setdefault(membership.role, set()).add(membership.service_area)
    return Actor(user.username, user.full_name,
                 {role: frozenset(areas) for role, areas in roles.items()}, user.nin,
                 user.phone, user.email)


def create_service_area(db: Database, code: str, name: str) -> None:
    with db.transaction() as session:
        if session.get(ServiceArea, code) is None:
            session.add(ServiceArea(code=code, name=name))


def service_areas(session: Session) -> dict[str, str]:
    return {a.code: a.name for a in session.scalars(select(ServiceArea).order_by(ServiceArea.name))}


def check_roles(roles: list[tuple[str, str | None]]) -> None:
    """Refuse roles the engine does not know."""
    unknown = [role for role, _area in roles if role not in ROLES]
    if unknown:
        raise InvalidData({"roles": f"ukjent rolle: {', '.join(unknown)}"})


def hash_password(password: str) -> str:
    """The argon2 hash that is stored instead of the password."""
    return _hasher.hash(password)


def create_user(db: Database, username: str, password: str, full_name: str,
                roles: list[tuple[str, str | None]], nin: str | None = None, *,
                phone: str | None = None, email: str | None = None) -> Actor:
    """Create a user with ``roles`` as (role, service area or None) pairs; ``phone`` and
    ``email`` are the contact letters print when this user is the caseworker."""
    check_roles(roles)
    with db.transaction() as session:
        if session.scalar(select(User).where(User.username == username)) is not None:
            raise InvalidData({"username": "brukernavnet er i bruk"})
        user = User(username=username, full_name=full_name, nin=nin, phone=phone, email=email,
                    password_hash=hash_password(password))
        user.memberships = [Membership(role=role, service_area=area) for role, area in roles]
        session.add(user)
        session.flush()
        return actor_for(user)


def find_actor(session: Session, username: str) -> Actor | None:
    user = session.scalar(select(User).where(User.username == username, User.active))
    return actor_for(user) if user else None


def all_actors(session: Session) -> list[Actor]:
    return [actor_for(u) for u in session.scalars(select(User).where(User.active)
                                                  .order_by(User.full_name))]


@dataclass(frozen=True)
class Colleague:
    """Someone work may be given to, with the active cases they coordinate: who carries less
    can be seen before choosing."""

    username: str
    full_name: str
    active_cases: int


def _coordinated_open_case(coordinator: ColumnElement[bool]) -> ColumnElement[bool]:
    """What a coordinator's count of open cases counts, in one place for every list of
    coordinators: the cases still running that ``coordinator`` picks out."""
    return and_(coordinator, Case.status.in_(RUNNING_CASE_STATES))


def with_case_counts(session: Session, actors: list[Actor]) -> list[Colleague]:
    """``actors`` as colleagues, each with the number of open cases they coordinate: counted
    in ``ix_case_coordinator_status`` alone, for the listed people only."""
    rows = session.execute(
        select(Case.coordinator, func.count())
        .where(_coordinated_open_case(Case.coordinator.in_([a.username for a in actors])))
        .group_by(Case.coordinator)).all()
    counts = {str(username): int(count) for username, count in rows}
    return [Colleague(a.username, a.full_name, counts.get(a.username, 0)) for a in actors]


def coordinators(session: Session, service_area: str | None) -> list[Colleague]:
    """The active users with role koordinator in ``service_area`` (or in every area), by name;
    every coordinator when no service area is decided yet. One query, with each one's count of
    the open cases they coordinate."""
    in_area = (or_(Membership.service_area.is_(None), Membership.service_area == service_area)
               if service_area else true())
    active_cases = (select(func.count())  # not count(id): the index alone answers it
                    .where(_coordinated_open_case(Case.coordinator == User.username))
                    .correlate(User).scalar_subquery())
    rows = session.execute(
        select(User.username, User.full_name, active_cases)
        .where(User.active, exists().where(Membership.user_id == User.id,
                                           Membership.role == Role.KOORDINATOR, in_area))
        .order_by(User.full_name))
    return [Colleague(username, full_name, int(count)) for username, full_name, count in rows]


@dataclass(frozen=True)
class People:
    """Who is who, for showing names instead of usernames and codes on a page."""

    names: dict[str, str]
    roles: dict[str, tuple[str, ...]]
    areas: dict[str, str]
    # Everyone active, by name: a page that also asks who may act on its tasks asks them.
    actors: tuple[Actor, ...] = ()


def people(db: Database) -> People:
    """Every active user's name and roles, and the service areas, in one read."""
    with db.reading() as session:
        actors = all_actors(session)
        return People({a.username: a.full_name for a in actors},
                      {a.username: tuple(sorted(a.roles)) for a in actors},
                      service_areas(session), tuple(actors))


def get_actor(db: Database, username: str) -> Actor:
    with db.reading() as session:
        actor = find_actor(session, username)
    if actor is None:
        raise NotFound(f"ukjent bruker: {username}")
    return actor


def password_matches(user: User | None, password: str) -> bool:
    """Whether ``password`` is ``user``'s; for no user a dummy hash is verified, so a miss costs
    as much time as a hit."""
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return user is not None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(db: Database, username: str) -> str:
    """A bearer token; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    with db.transaction() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"ukjent bruker: {username}")
        session.execute(delete(ApiToken).where(ApiToken.expires_at < now))
        session.add(ApiToken(token_hash=_token_hash(token), user_id=user.id, created_at=now,
                             expires_at=now + TOKEN_LIFETIME, used_at=now))
    return token


def actor_for_token(db: Database, token: str, idle: timedelta = TOKEN_IDLE) -> Actor | None:
    """The token's user, while the token lives: before its end, and used within ``idle``."""
    now = clock.now()
    with db.reading() as session:
        row = session.get(ApiToken, _token_hash(token))
        if row is None or row.expires_at < now or (row.used_at or row.created_at) < now - idle:
            return None
        user = session.get(User, row.user_id)
        if not (user and user.active):
            return None
        actor = actor_for(user)
        stale = (row.used_at or row.created_at) < now - TOKEN_USE_STEP
    if stale:
        with db.transaction() as session:
            session.execute(update(ApiToken).where(ApiToken.token_hash == row.token_hash)
                            .values(used_at=now))
    return actor
