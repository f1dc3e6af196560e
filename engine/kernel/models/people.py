"""Who works in ipflow: users, their roles in service areas, and their API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.kernel.models.base import Base


class ServiceArea(Base):
    """A tjenesteområde: coordinators come from one, its fagleder appoints them."""

    __tablename__ = "service_area"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class User(Base):
    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    nin: Mapped[str | None] = mapped_column(String(11), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # How a citizen reaches this caseworker; letters print the unit's when empty.
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    # Whether the worker e-mails this user each notice (:class:`NoticeChoice`), set on /profil.
    notices: Mapped[str] = mapped_column(String(10), default="now", server_default="now")
    # Raised when the user's sessions must end (logout, new password, fewer roles, deactivated):
    # a session cookie remembers the number it was given and is void once they differ.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin")


class Membership(Base):
    """A user holds a role, optionally within one service area."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "role", "service_area"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(40))
    service_area: Mapped[str | None] = mapped_column(ForeignKey("service_area.code"))
    user: Mapped[User] = relationship(back_populates="memberships")


class ApiToken(Base):
    """A bearer token (its hash): it ends at ``expires_at``, or when unused for the idle time
    (``used_at`` is moved on at most once a minute, so a busy client does not write on every
    request)."""

    __tablename__ = "api_token"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class LoginThrottle(Base):
    """Failed logins in a row for one username (known or not, so a lock-out tells nothing about
    whether the user exists), and until when further attempts are refused."""

    __tablename__ = "login_throttle"
    username: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]


class UserChange(Base):
    """Append-only record of a change to a user by the leder (created, roles changed,
    deactivated, reactivated), or by the staff's identity provider's groups (``actor``
    ``oidc:staff``): who did it, when, and what the user then had."""

    __tablename__ = "user_change"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(80))
    username: Mapped[str] = mapped_column(String(80), index=True)
    what: Mapped[str] = mapped_column(String(30))
    data: Mapped[dict[str, Any]]


class OidcLogin(Base):
    """A login through an OpenID provider, kept for the provider's back-channel logout: the
    provider's logout token names the login by ``sid`` (its session) or the person by ``sub``,
    and ipflow needs the user. Kept no longer than a session can last."""

    __tablename__ = "oidc_login"
    __table_args__ = (Index("ix_oidc_login_sid", "provider", "sid"),
                      Index("ix_oidc_login_sub", "provider", "sub"))
    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(20))
    sub: Mapped[str] = mapped_column(String(255))
    sid: Mapped[str | None] = mapped_column(String(255))
    username: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(index=True)
