"""The provider logins kept for back-channel logout (``engine.runtime.logins``): which user a
logout token's ``sid`` or ``sub`` ends, and that a login is forgotten once no session of it can
be left."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from engine.kernel import clock
from engine.kernel.db import Database
from engine.kernel.models import OidcLogin, User
from engine.runtime import logins
from tests.support.clock import T0

DAY = timedelta(hours=12)


def _versions(db: Database) -> dict[str, int]:
    with db.reading() as session:
        return {u.username: u.session_version for u in session.scalars(select(User))}


def _kept(db: Database) -> list[tuple[str, str | None]]:
    with db.reading() as session:
        return sorted((row.sub, row.sid) for row in session.scalars(select(OidcLogin)))


def test_a_sid_ends_its_users_sessions_and_a_sub_alone_every_login_of_that_person(
        db: Database) -> None:
    with clock.frozen_at(T0):
        logins.remember_provider_login(db, "staff", "k-sub", "s1", "koordinator", DAY)
        logins.remember_provider_login(db, "staff", "k-sub", "s2", "koordinator", DAY)
        logins.remember_provider_login(db, "staff", "f-sub", "s3", "fagleder", DAY)
        logins.remember_provider_login(db, "citizen", "k-sub", "s1", "innbygger", DAY)
    before = _versions(db)
    assert logins.end_provider_login(db, "staff", None, "s1") == ["koordinator"]
    after = _versions(db)
    assert after["koordinator"] == before["koordinator"] + 1
    assert after["fagleder"] == before["fagleder"] and after["innbygger"] == before["innbygger"]
    assert _kept(db) == [("f-sub", "s3"), ("k-sub", "s1"), ("k-sub", "s2")]  # the citizen's s1

    assert logins.end_provider_login(db, "staff", "k-sub", None) == ["koordinator"]
    assert logins.end_provider_login(db, "staff", "unknown", "s9") == []
    assert logins.end_provider_login(db, "staff", None, None) == []
    assert _kept(db) == [("f-sub", "s3"), ("k-sub", "s1")]


def test_a_login_older_than_the_longest_session_is_forgotten_at_the_next_login(
        db: Database) -> None:
    with clock.frozen_at(T0):
        logins.remember_provider_login(db, "staff", "old", "s1", "koordinator", DAY)
    with clock.frozen_at(T0 + DAY + timedelta(seconds=1)):
        logins.remember_provider_login(db, "staff", "new", "s2", "fagleder", DAY)
    assert _kept(db) == [("new", "s2")]
