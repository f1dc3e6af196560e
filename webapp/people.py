"""Who is who on a page: display names of users, their roles and the service areas.

One engine read per request gives the names; pages show names, never usernames or area codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from engine.runtime import users
from webapp.auth import db
from webapp.labels import role_label
from webapp.translation import gettext as _


@dataclass(frozen=True)
class Directory:
    """Display names of users and service areas for this request."""

    names: Mapping[str, str]
    roles: Mapping[str, tuple[str, ...]]
    areas: Mapping[str, str]

    def name(self, username: str | None) -> str:
        if not username:
            return ""
        if username == users.SYSTEM.username:
            return _("Systemet (automatisk)")
        return self.names.get(username, username)

    def role(self, username: str | None) -> str:
        """The user's roles, labelled, e.g. ``Koordinator``."""
        return ", ".join(role_label(role) for role in self.roles.get(username or "", ()))

    def area(self, code: str | None) -> str:
        return self.areas.get(code, code) if code else ""


def directory() -> Directory:
    who = users.people(db())
    return Directory(who.names, who.roles, who.areas)
