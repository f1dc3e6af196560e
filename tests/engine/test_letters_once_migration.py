"""0007_letters_once on a database written before it: a letter's copy in the outbox becomes
a reference to its document where the two match; a row matching no document keeps its text."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, text

from tests.support.migrations import upgraded_but

LETTER = "0007_letters_once"
AFTER = "0009_bytes"  # depends on it: upgrading that head would run it first


def test_old_copies_refer_to_their_document_and_strays_keep_their_text(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    config = upgraded_but(url, LETTER, AFTER)
    raw = create_engine(url)  # without the app's foreign key check: no case rows needed
    with raw.begin() as connection:
        connection.execute(text(
            "INSERT INTO document (id, case_id, kind, title, body, recipients, created_at) "
            "VALUES (5, 1, 'letter', 'Vedtak', 'Du får plan.', '[]', '2026-01-05 09:00:00')"))
        connection.execute(text(
            "INSERT INTO outbox (id, case_id, kind, recipient, subject, body, created_at, "
            "attempts) VALUES (1, 1, 'letter', 'Kari', 'Vedtak', 'Du får plan.', "
            "'2026-01-05 09:00:00', 0), (2, 1, 'letter', 'Ola', 'Vedtak', 'Skrevet for hånd.', "
            "'2026-01-05 09:00:00', 0), (3, 1, 'notification', 'Per', 'Vedtak', "
            "'Du får plan.', '2026-01-05 09:00:00', 0)"))
        config.attributes["connection"] = connection
        command.upgrade(config, LETTER)
        rows = connection.execute(text(
            "SELECT id, document_id, body FROM outbox ORDER BY id")).all()
    assert [tuple(row) for row in rows] == [(1, 5, None), (2, None, "Skrevet for hånd."),
                                            (3, None, "Du får plan.")]
