"""0011_oidc_logins on a database written before it: the table of remembered provider logins
(for back-channel logout) appears with its lookups by sid and by sub, and goes on downgrade;
the users already there are untouched."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, inspect, text

from tests.support.migrations import upgraded_but

OIDC = "0011_oidc_logins"


def test_the_table_of_provider_logins_comes_and_goes_with_its_indexes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    config = upgraded_but(url, OIDC)
    raw = create_engine(url)
    assert "oidc_login" not in inspect(raw).get_table_names()
    with raw.begin() as connection:
        connection.execute(text(
            "INSERT INTO app_user (id, username, full_name, password_hash, active, "
            "session_version) VALUES (7, 'koordinator', 'Kari Koordinator', 'x', 1, 3)"))
    command.upgrade(config, OIDC)
    schema = inspect(raw)
    assert {c["name"]: c["nullable"] for c in schema.get_columns("oidc_login")} == {
        "id": False, "provider": False, "sub": False, "sid": True, "username": False,
        "at": False}
    assert {i["name"]: i["column_names"] for i in schema.get_indexes("oidc_login")} == {
        "ix_oidc_login_sid": ["provider", "sid"], "ix_oidc_login_sub": ["provider", "sub"],
        "ix_oidc_login_at": ["at"]}
    with raw.begin() as connection:
        connection.execute(text(
            "INSERT INTO oidc_login (provider, sub, sid, username, at) "
            "VALUES ('staff', 'abc', 'sid-1', 'koordinator', '2026-03-02 09:00:00')"))
        assert connection.execute(text(
            "SELECT username, session_version FROM app_user")).one() == ("koordinator", 3)
    command.downgrade(config, "0011_oidc_logins@-1")
    assert "oidc_login" not in inspect(raw).get_table_names()
    raw.dispose()
