"""Staff whose roles and service areas come from the identity provider's group claim.

Where a municipality configures a group claim and a mapping from its groups to ipflow roles
(``webapp.oidc``: ``IPFLOW_OIDC_STAFF_GROUPS_CLAIM``, ``IPFLOW_OIDC_STAFF_GROUP_ROLES``), the
identity provider is the source of truth for who works in ipflow and with which roles: each
staff login sets the user's roles to exactly what their groups map to, through the same code as
the leder's change (``logins.replace_roles``, recorded in ``user_change`` by
``oidc:<provider>``), and someone whose groups map to a role but who has no user yet gets one
(waiting for a leder to make an account the provider already vouches for would only delay the
work, and a leder's account would be overwritten at the first login anyway). A person whose
groups map to no role is refused and nothing is changed. A user a leder deactivated stays
refused (the provider cannot reactivate anyone), and a citizen's user is never made staff.

Without the mapping, :func:`engine.runtime.logins.staff_login` applies: roles stay managed in
ipflow.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping

from sqlalchemy import select

from engine.features.user_admin import RoleGrant, check_grants, record_change
from engine.kernel.db import Database
from engine.kernel.models import Membership, User
from engine.kernel.vocabulary import Role
from engine.runtime import logins, users

GroupRoles = Mapping[str, tuple[RoleGrant, ...]]
_NAME_LENGTH = 80  # app_user.username
_ENTRY = re.compile(r"\s*(?P<group>.+?)\s*=\s*(?P<role>[a-z]+)(?:@(?P<area>[\w-]+))?\s*")


def parse_group_roles(text: str) -> dict[str, tuple[RoleGrant, ...]]:
    """``GROUP=ROLE`` or ``GROUP=ROLE@AREA`` entries, separated by ``;`` or new lines; a group
    may be named in several entries. Wrong entries and unknown roles are refused (ValueError)
    when the configuration is read, not at someone's login; service areas are checked at login,
    against the database."""
    found: dict[str, list[RoleGrant]] = {}
    for entry in filter(str.strip, re.split(r"[;\n]", text)):
        match = _ENTRY.fullmatch(entry)
        if match is None:
            raise ValueError(f"not GROUP=ROLE or GROUP=ROLE@AREA: {entry.strip()!r}")
        role = match["role"]
        if role not in users.ROLES or role == Role.INNBYGGER:
            raise ValueError(f"not a staff role: {role!r} (in {entry.strip()!r})")
        found.setdefault(match["group"], []).append((role, match["area"]))
    return {group: tuple(dict.fromkeys(grants)) for group, grants in found.items()}


def grants_for(groups: Iterable[str], mapping: GroupRoles) -> list[RoleGrant]:
    """The roles the groups map to, each once, in the mapping's order."""
    held = set(groups)
    return list(dict.fromkeys(grant for group, grants in mapping.items() if group in held
                              for grant in grants))


def staff_login(db: Database, source: str, username: str, groups: Iterable[str],
                mapping: GroupRoles, *, full_name: str = "",
                email: str | None = None) -> logins.Login:
    """The employee the provider ``source`` (``oidc:staff``) vouched for by ``username``, with
    the roles ``groups`` map to: made when new, their roles set when changed, refused (an empty
    Login) when the groups map to nothing or the user is inactive or a citizen's.
    ``InvalidData`` when the mapping names a service area that does not exist."""
    grants = grants_for(groups, mapping)
    if not grants or not 0 < len(username) <= _NAME_LENGTH or not username.isprintable() \
            or any(c.isspace() for c in username):
        return logins.Login()
    with db.transaction() as session:
        check_grants(session, grants)
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            user = User(username=username, full_name=full_name.strip()[:200] or username,
                        email=email if email and len(email) <= 200 else None, active=True,
                        password_hash=users.hash_password(secrets.token_urlsafe(32)))
            user.memberships = [Membership(role=role, service_area=area)
                                for role, area in grants]
            session.add(user)
            session.flush()
            record_change(session, source, user, "created")
        elif not user.active or Role.INNBYGGER in {m.role for m in user.memberships}:
            return logins.Login()
        elif logins.replace_roles(session, user, grants):
            record_change(session, source, user, "roles_changed")
        return logins.Login(users.actor_for(user), user.session_version)
