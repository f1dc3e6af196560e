"""Logging in and ending sessions: the lock-out after failed logins and the session version.

A session (a page cookie or an API token) is valid only while the user's
``session_version`` is the one it was issued with (tokens are deleted outright): logout, a new
password, fewer roles and deactivation raise it, so every session of that user ends at once,
wherever it was captured. Failed logins are counted per username, known or not, so a lock-out
looks the same for a name that does not exist; while a name is locked, even the right password
is refused, and the lock lifts by itself after :data:`LOCK_PERIOD`.

A login through OpenID Connect (``webapp.oidc``) has been vouched for by the identity provider
and is matched here: a citizen by fødselsnummer (:func:`citizen_login`), an employee by
username (:func:`staff_login`). The lock-out guards passwords only and does not apply. Such a
login is remembered (:func:`remember_provider_login`) so that the provider's back-channel
logout, which names the login by its ``sid`` or the person by ``sub``, can end the user's
sessions (:func:`end_provider_login`).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.kernel import clock
from engine.kernel.db import Database
from engine.kernel.errors import NotFound
from engine.kernel.models import (
    ApiToken,
    Case,
    LoginThrottle,
    Membership,
    OidcLogin,
    User,
)
from engine.kernel.vocabulary import Role
from engine.runtime import users

MAX_FAILURES = 5  # failed logins in a row for one username before it is locked
LOCK_PERIOD = timedelta(minutes=15)
_NAME_LENGTH = 80  # app_user.username: a longer name, or one with NUL, is no user's
_NIN = re.compile(r"[0-9]{11}")


@dataclass(frozen=True)
class Login:
    """The outcome of a login: the actor and session version when it succeeded; ``locked``
    when the username is locked out (whatever the password was)."""

    actor: users.Actor | None = None
    session_version: int = 0
    locked: bool = False


def attempt(db: Database, username: str, password: str) -> Login:
    """Check the password unless ``username`` is locked out; count the failure, or clear the
    count on success. The password is hashed in every case, so time tells nothing."""
    now = clock.now()
    countable = 0 < len(username) <= _NAME_LENGTH and "\x00" not in username
    with db.transaction() as session:
        throttle = session.get(LoginThrottle, username) if countable else None
        user = session.scalar(select(User).where(User.username == username, User.active)) \
            if countable else None
        if throttle is not None and throttle.locked_until and throttle.locked_until > now:
            users.password_matches(None, password)  # the same work as a real attempt
            return Login(locked=True)
        if users.password_matches(user, password):
            assert user is not None
            if throttle is not None:
                session.delete(throttle)
            return Login(users.actor_for(user), user.session_version)
        if not countable:
            return Login()
        if throttle is None:
            throttle = LoginThrottle(username=username, failures=0)
            session.add(throttle)
        throttle.failures += 1
        if throttle.failures >= MAX_FAILURES:  # this one is answered as wrong, the next locked
            throttle.failures, throttle.locked_until = 0, now + LOCK_PERIOD
        return Login()


def citizen_login(db: Database, nin: str) -> Login:
    """The citizen whom the identity provider vouched for by ``nin`` (ID-porten's ``pid``).

    The active user with that number is theirs when it holds the citizen role only (a staff
    account is never entered through the citizens' login). When there is none yet, one is made
    (citizen role, the name on their newest case, a random username and an unknowable
    password), but only when the municipality has a case for that number: nobody else's
    fødselsnummer is stored for having logged in. Refused (an empty :class:`Login`) otherwise.
    """
    if not _NIN.fullmatch(nin):
        return Login()
    with db.transaction() as session:
        user = session.scalar(select(User).where(User.nin == nin))
        if user is None:
            name = session.scalar(select(Case.citizen_name).where(Case.citizen_nin == nin)
                                  .order_by(Case.id.desc()).limit(1))
            if name is None:
                return Login()
            user = User(username=f"innbygger-{secrets.token_hex(6)}", full_name=name, nin=nin,
                        password_hash=users.hash_password(secrets.token_urlsafe(32)))
            user.memberships = [Membership(role=Role.INNBYGGER, service_area=None)]
            session.add(user)
            session.flush()
        elif not user.active or {m.role for m in user.memberships} != {Role.INNBYGGER}:
            return Login()
        return Login(users.actor_for(user), user.session_version)


def staff_login(db: Database, username: str) -> Login:
    """The employee whom the staff's identity provider vouched for by ``username``: an active
    user with a role other than the citizen's. No account is made: who works in ipflow, and
    with which roles, is decided in ipflow."""
    if not 0 < len(username) <= _NAME_LENGTH or "\x00" in username:
        return Login()
    with db.reading() as session:
        user = session.scalar(select(User).where(User.username == username, User.active))
        if user is None or not {m.role for m in user.memberships} - {Role.INNBYGGER}:
            return Login()
        return Login(users.actor_for(user), user.session_version)


def session_actor(db: Database, username: str, version: int) -> users.Actor | None:
    """The active user ``username`` while ``version`` is still their session version."""
    with db.reading() as session:
        user = session.scalar(select(User).where(User.username == username, User.active))
        if user is None or user.session_version != version:
            return None
        return users.actor_for(user)


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"ukjent bruker: {username}")
    return user


def end_user_sessions(session: Session, user: User) -> None:
    """End every page session and API token of ``user``, in the caller's transaction."""
    user.session_version += 1
    session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))


def end_sessions(db: Database, username: str) -> None:
    """Log ``username`` out everywhere: every page session and every API token."""
    with db.transaction() as session:
        end_user_sessions(session, _user(session, username))


def set_password(db: Database, username: str, password: str) -> None:
    """A new password; every session begun with the old one ends."""
    with db.transaction() as session:
        user = _user(session, username)
        user.password_hash = users.hash_password(password)
        end_user_sessions(session, user)


def set_roles(db: Database, username: str, roles: list[tuple[str, str | None]]) -> None:
    """The user's roles become exactly ``roles``; their sessions end when any was taken away."""
    users.check_roles(roles)
    with db.transaction() as session:
        replace_roles(session, _user(session, username), roles)


def replace_roles(session: Session, user: User, roles: list[tuple[str, str | None]]) -> bool:
    """The user's roles become exactly ``roles`` (already checked), in the caller's
    transaction; their sessions end when any was taken away. Whether anything changed."""
    wanted = set(roles)
    before = {(m.role, m.service_area) for m in user.memberships}
    if before == wanted:
        return False
    user.memberships = [m for m in user.memberships if (m.role, m.service_area) in wanted] \
        + [Membership(role=role, service_area=area) for role, area in dict.fromkeys(roles)
           if (role, area) not in before]
    if before - wanted:
        end_user_sessions(session, user)
    return True


def deactivate(db: Database, username: str) -> None:
    """The user can no longer log in, and every session they have ends."""
    with db.transaction() as session:
        user = _user(session, username)
        user.active = False
        end_user_sessions(session, user)


def remember_provider_login(db: Database, provider: str, sub: str, sid: str | None,
                            username: str, longest: timedelta) -> None:
    """Keep which user the provider's ``sub`` and ``sid`` logged in as; rows older than
    ``longest`` (the longest a session lasts) go, since no session of theirs is left to end."""
    now = clock.now()
    with db.transaction() as session:
        session.execute(delete(OidcLogin).where(OidcLogin.at < now - longest))
        session.add(OidcLogin(provider=provider, sub=sub[:255], sid=sid[:255] if sid else None,
                              username=username, at=now))


def end_provider_login(db: Database, provider: str, sub: str | None,
                       sid: str | None) -> list[str]:
    """The provider ended the login ``sid`` (or, without one, every login of ``sub``): every
    session of the users it was is ended (a user has one session counter, so their other
    sessions end too), and the logins are forgotten. The usernames, for the log."""
    if not sid and not sub:
        return []
    query = select(OidcLogin).where(OidcLogin.provider == provider)
    if sid:
        query = query.where(OidcLogin.sid == sid)
    if sub:
        query = query.where(OidcLogin.sub == sub)
    with db.transaction() as session:
        rows = list(session.scalars(query))
        names = sorted({row.username for row in rows})
        for user in session.scalars(select(User).where(User.username.in_(names))):
            end_user_sessions(session, user)
        session.execute(delete(OidcLogin).where(OidcLogin.id.in_([row.id for row in rows])))
        return names
