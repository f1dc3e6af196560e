"""The workflow state and the letters' text packed (``PackedJson``, ``PackedText``,
0009_bytes): what was written as text before the migration reads back the same (a state's
keys in their order), and the downgrade gives the text back."""

from __future__ import annotations

import json
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, select, text

from engine.kernel.models import Case, Document
from engine.kernel.models.base import pack, unpack
from tests.support.migrations import upgraded_but

BYTES = "0009_bytes"
# Spiff restores tasks in the stored order: the keys must come back as written.
LETTER = "Du får individuell plan og koordinator. Med vennlig hilsen\nÆrlig Ødegård"
STATE = {"tasks": {"b": {"id": "b", "state": 64}, "a": {"id": "a", "state": 16}},
         "data": {"citizen_name": "Åse Ødegård"}, "last_task": "a"}


def test_pack_keeps_the_keys_order_and_letters() -> None:
    packed = pack(STATE)
    assert unpack(packed) == STATE
    assert list(unpack(packed)["tasks"]) == ["b", "a"]
    assert len(packed) < len(json.dumps(STATE))


def test_old_states_are_packed_and_unpacked_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    config = upgraded_but(url, BYTES)
    raw = create_engine(url)  # without the app's foreign key check: no process version needed
    with raw.begin() as connection:
        connection.execute(text(
            "INSERT INTO case_ (id, process_version_id, status, citizen_name, citizen_nin, state,"
            " version, created_by, created_at, updated_at) VALUES (1, 1, 'open', 'Åse Ødegård',"
            " '01010112345', :state, 1, 'system', '2026-01-05 09:00:00',"
            " '2026-01-05 09:00:00')"), {"state": json.dumps(STATE)})
        connection.execute(text(
            "INSERT INTO document (id, case_id, kind, title, body, recipients, created_at) "
            "VALUES (5, 1, 'letter', 'Vedtak', :body, '[]', '2026-01-05 09:00:00')"),
            {"body": LETTER})
        config.attributes["connection"] = connection
        command.upgrade(config, BYTES)
        assert connection.scalar(select(Case.state)) == STATE
        assert list(connection.scalar(select(Case.state))["tasks"]) == ["b", "a"]
        assert connection.scalar(select(Document.body)) == LETTER
        command.downgrade(config, f"{BYTES}@{BYTES}-1")
        assert json.loads(connection.scalar(text("SELECT state FROM case_"))) == STATE
        assert connection.scalar(text("SELECT body FROM document")) == LETTER
