"""Every text a person reads in a shipped form has English beside the Norwegian.

A form node's ``title``, ``description``, choice labels (``x-enumNames``) and its own
validation messages (``x-errorMessages``) are shown on the task page; in English the page
takes them from the node's ``x-translations.en`` (``engine.runtime.forms.localized``), and a
node without one stays Norwegian on an English page.
This fails for the form and the node that lacks its English, so a new field is translated with it.
"""

from __future__ import annotations

from typing import Any

import pytest

from engine.runtime.forms import ERROR_MESSAGES, TRANSLATED, TRANSLATIONS, localized
from processes import form_names, load_form


def untranslated(node: Any, path: str = "") -> list[str]:
    """``path: key`` of each text in ``node`` (and below) without its English translation."""
    if isinstance(node, list):
        return [gap for i, item in enumerate(node) for gap in untranslated(item, f"{path}[{i}]")]
    if not isinstance(node, dict):
        return []
    english = (node.get(TRANSLATIONS) or {}).get("en") or {}
    gaps = []
    for key in TRANSLATED:
        kinds = (str, list, dict) if key == ERROR_MESSAGES else (str, list)
        if not isinstance(node.get(key), kinds):  # a property may be called "description"
            continue
        text = english.get(key)
        if not text or (isinstance(node[key], list | dict) and len(text) != len(node[key])):
            gaps.append(f"{path or '/'}: {key}")
    return gaps + [gap for key, value in node.items() if key != TRANSLATIONS
                   for gap in untranslated(value, f"{path}/{key}")]


def test_a_text_without_english_is_found() -> None:
    form = {"title": "Skjema", TRANSLATIONS: {"en": {"title": "Form"}}, "schema": {
        "type": "object", "properties": {
            "status": {"title": "Status", "enum": ["a", "b"], "x-enumNames": ["Åpen", "Lukket"],
                       TRANSLATIONS: {"en": {"title": "Status", "x-enumNames": ["Open"]}}},
            "description": {"title": "Oppgave", TRANSLATIONS: {"en": {"title": "Task"}}},
            "note": {"title": "Merknad", "description": "Fritt"},
            "name": {"title": "Navn", "x-errorMessages": {"required": "Skriv navnet."},
                     TRANSLATIONS: {"en": {"title": "Name"}}}}}}
    assert untranslated(form) == ["/schema/properties/status: x-enumNames",
                                  "/schema/properties/note: title",
                                  "/schema/properties/note: description",
                                  "/schema/properties/name: x-errorMessages"]


@pytest.mark.parametrize("name", sorted(form_names()))
def test_every_text_of_a_shipped_form_has_english(name: str) -> None:
    form = load_form(name)
    assert untranslated(form) == [], f"processes/forms/{name}.json lacks English"
    english = localized(form, "en")
    assert english["title"] != form["title"]
