"""0011_outbox_recipient_nin on a database written before it: the outbox rows already there
keep everything and have no number (they are delivered as before); the column goes on
downgrade with the rows intact."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, inspect, text

from tests.support.migrations import upgraded_but

NIN = "0011_outbox_recipient_nin"
ROW = (1, "letter", "Hanne Lie (foresatt for Sander Lie)", "Vedtak")


def test_old_rows_have_no_number_and_keep_their_content(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    config = upgraded_but(url, NIN)
    raw = create_engine(url)  # without the app's foreign key check: no case rows needed
    assert "recipient_nin" not in {c["name"] for c in inspect(raw).get_columns("outbox")}
    with raw.begin() as connection:
        connection.execute(text(
            "INSERT INTO outbox (id, case_id, kind, recipient, subject, body, created_at, "
            "attempts) VALUES (1, 1, 'letter', 'Hanne Lie (foresatt for Sander Lie)', "
            "'Vedtak', 'Brevet.', '2026-01-05 09:00:00', 0)"))
    command.upgrade(config, NIN)
    columns = {c["name"]: c for c in inspect(raw).get_columns("outbox")}
    assert columns["recipient_nin"]["nullable"]
    with raw.begin() as connection:
        assert tuple(connection.execute(text(
            "SELECT id, kind, recipient, subject, recipient_nin FROM outbox")).one()) == (
            *ROW, None)
    command.downgrade(config, f"{NIN}@-1")
    assert "recipient_nin" not in {c["name"] for c in inspect(raw).get_columns("outbox")}
    with raw.begin() as connection:
        assert tuple(connection.execute(text(
            "SELECT id, kind, recipient, subject FROM outbox")).one()) == ROW
    raw.dispose()
