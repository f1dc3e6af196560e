"""A person's own settings: how the worker tells them of notices, letters and reminders.

The choice is the person's own (``/profil``), so every signed-in user may read and change their
own and nobody else's; the e-mail address itself is the administrator's (``app_user.email``)
and is only shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.kernel.db import Database
from engine.kernel.errors import InvalidData, NotFound
from engine.kernel.models import User
from engine.kernel.vocabulary import NoticeChoice
from engine.runtime.users import Actor


@dataclass(frozen=True)
class Profile:
    """What the profile page shows: the address mails go to, and the person's choice."""

    email: str | None
    notices: NoticeChoice


def _user(session: Session, actor: Actor) -> User:
    user = session.scalar(select(User).where(User.username == actor.username, User.active))
    if user is None:
        raise NotFound("Brukeren finnes ikke.")
    return user


def profile(db: Database, actor: Actor) -> Profile:
    with db.reading() as session:
        user = _user(session, actor)
        return Profile(user.email, NoticeChoice(user.notices))


def set_notices(db: Database, actor: Actor, choice: str) -> None:
    """Keep the person's choice; anything but a known choice is refused, naming the field."""
    if choice not in set(NoticeChoice):
        raise InvalidData({"notices": "ukjent valg"})
    with db.transaction() as session:
        _user(session, actor).notices = choice
