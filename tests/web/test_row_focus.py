"""After a row is added or removed the form opens with the focus where the person works:
the new row's first input, or the row that took the removed one's place (webapp.formrender)."""

from __future__ import annotations

import json
from typing import Any

import processes
from webapp.formparse import apply_action
from webapp.formrender import Field, fields, focus_after


def _meeting() -> dict[str, Any]:
    form = json.loads((processes.PROCESSES_DIR / "forms" / "meeting.json").read_text("utf-8"))
    return dict(form["schema"])


def _focused(form_fields: list[Field]) -> list[str]:
    found: list[str] = []
    for f in form_fields:
        if f.autofocus:
            found.append(f.id)
        if f.add_autofocus:
            found.append(f.id + "-add")
        for row in f.rows:
            found += _focused(row.fields)
        found += _focused(f.children)
    return found


def _after(values: dict[str, Any], action: str) -> list[str]:
    schema = _meeting()
    changed = apply_action(schema, values, action)
    form_fields = fields(schema, {}, changed, {})
    focus_after(form_fields, action)
    return _focused(form_fields)


def test_the_new_row_of_a_list_takes_the_focus() -> None:
    assert _after({"meeting_participants": ["Kari"]}, "add:meeting_participants") == [
        "f-meeting_participants-1"]


def test_the_new_row_of_a_table_focuses_its_first_input() -> None:
    assert _after({"action_items": [{"description": "Søke"}]}, "add:action_items") == [
        "f-action_items-1-description"]


def test_a_removed_row_gives_the_focus_to_the_row_that_took_its_place() -> None:
    three = {"meeting_participants": ["Kari", "Nina", "Ola"]}
    assert _after(dict(three), "remove:meeting_participants:0") == ["f-meeting_participants-0"]
    assert _after(dict(three), "remove:meeting_participants:2") == ["f-meeting_participants-1"]


def test_removing_the_last_row_focuses_the_add_button() -> None:
    assert _after({"action_items": [{"description": "Søke"}]}, "remove:action_items:0") == [
        "f-action_items-add"]


def test_no_row_action_focuses_nothing() -> None:
    assert _after({"meeting_participants": ["Kari"]}, "") == []
