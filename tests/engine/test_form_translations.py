"""Every text a person reads in a shipped form has English beside the Norwegian.

A form node's ``title``, ``description``, choice labels (``x-enumNames``) and its own
validation messages (``x-errorMessages``) are shown on the task page; in English the page
takes them from the node's ``x-translations.en`` (``engine.runtime.forms.localized``), and a
node without one stays Norwegian on an English page. This fails for the form and the text that
lacks its English, so a new field is translated with it; the designer translates a draft's
forms with the same list (``engine.runtime.form_texts``).
"""

from __future__ import annotations

import pytest

from engine.runtime.form_texts import texts, untranslated, with_translations
from engine.runtime.forms import TRANSLATIONS, localized
from processes import form_names, load_form

FORM = {"title": "Skjema", TRANSLATIONS: {"en": {"title": "Form"}}, "schema": {
    "type": "object", "properties": {
        "status": {"title": "Status", "enum": ["a", "b"], "x-enumNames": ["Åpen", "Lukket"],
                   TRANSLATIONS: {"en": {"title": "Status", "x-enumNames": ["Open"]}}},
        "description": {"title": "Oppgave", TRANSLATIONS: {"en": {"title": "Task"}}},
        "note": {"title": "Merknad", "description": "Fritt"},
        "name": {"title": "Navn", "x-errorMessages": {"required": "Skriv navnet."},
                 TRANSLATIONS: {"en": {"title": "Name"}}}}}}


def test_a_text_without_english_is_found_with_where_it_is() -> None:
    gaps = [(text.ref, text.where, text.text) for text in untranslated(FORM)]
    assert gaps == [
        ("schema/properties/status|x-enumNames|1", "Status", "Lukket"),
        ("schema/properties/note|title", "Merknad", "Merknad"),
        ("schema/properties/note|description", "Merknad", "Fritt"),
        ("schema/properties/name|x-errorMessages|required", "Navn", "Skriv navnet."),
    ]
    assert len(texts(FORM)) == 9, "a property called description is a field, not a text"


def test_translations_typed_in_are_written_into_the_form() -> None:
    answers = {"schema/properties/status|x-enumNames|1": "Closed",
               "schema/properties/note|title": "Note",
               "schema/properties/name|x-errorMessages|required": "Write the name.",
               "schema/properties/description|title": " "}
    translated = with_translations(FORM, "en", answers)
    english = localized(translated, "en")["schema"]["properties"]
    assert english["status"]["x-enumNames"] == ["Open", "Closed"]
    assert english["note"]["title"] == "Note" and english["note"]["description"] == "Fritt"
    assert english["name"]["x-errorMessages"] == {"required": "Write the name."}
    assert english["description"]["title"] == "Oppgave", "an empty answer removes it"
    assert [text.ref for text in untranslated(translated)] == [
        "schema/properties/description|title", "schema/properties/note|description"]
    assert FORM["schema"]["properties"]["note"].get(TRANSLATIONS) is None, "a copy"


@pytest.mark.parametrize("name", sorted(form_names()))
def test_every_text_of_a_shipped_form_has_english(name: str) -> None:
    form = load_form(name)
    gaps = [f"{text.ref} ({text.text})" for text in untranslated(form)]
    assert gaps == [], f"processes/forms/{name}.json lacks English"
    english = localized(form, "en")
    assert english["title"] != form["title"]
