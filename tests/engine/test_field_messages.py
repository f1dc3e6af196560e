"""A refused form field is told by its name: the sentence is composed from the field's title
(the kind of input decides the verb), or is the form's own (``x-errorMessages``), in the
form's language."""

from __future__ import annotations

from typing import Any

from engine.runtime.forms import FieldProblem, localized, schema_errors, schema_problems, worded

FORM: dict[str, Any] = {
    "type": "object",
    "required": ["name", "area", "agrees", "kinds", "people", "goals", "nin"],
    "properties": {
        "name": {"type": "string", "title": "Innbyggerens navn", "minLength": 1,
                 "x-translations": {"en": {"title": "The citizen's name"}}},
        "area": {"type": "string", "title": "Tjenesteområde", "enum": ["helse"]},
        "agrees": {"type": "boolean", "title": "Samtykker"},
        "kinds": {"type": "array", "title": "Behov", "minItems": 1,
                  "items": {"type": "string", "enum": ["ip"]}},
        "people": {"type": "array", "title": "Deltakere", "minItems": 1,
                   "items": {"type": "object", "required": ["who"], "properties": {
                       "who": {"type": "string", "title": "Navn"}}}},
        "goals": {"type": "string", "title": "Hva vil du oppnå?"},
        "nin": {"type": "string", "title": "Fødselsnummer", "pattern": "^[0-9]{11}$",
                "x-errorMessages": {"required": "Skriv inn fødselsnummeret.",
                                    "pattern": "Fødselsnummeret skal ha 11 siffer."},
                "x-translations": {"en": {"title": "National identity number",
                                          "x-errorMessages": {
                                              "required": "Enter the number.",
                                              "pattern": "The number has 11 digits."}}}},
        "kpr": {"type": "string", "title": "KPR-nummer", "maxLength": 3},
    },
}


def test_an_empty_field_is_named_with_the_verb_its_input_needs() -> None:
    assert schema_errors({}, FORM) == {
        "name": "Skriv inn innbyggerens navn.",
        "area": "Velg tjenesteområde.",
        "agrees": "Svar på «Samtykker».",
        "kinds": "Velg minst ett alternativ i «Behov».",
        "people": "Legg til minst én rad i «Deltakere».",
        "goals": "Svar på «Hva vil du oppnå?».",
        "nin": "Skriv inn fødselsnummeret.",
    }


def test_other_problems_name_the_field_as_written() -> None:
    errors = schema_errors({"name": "", "area": "nord", "people": [{}], "nin": "12",
                            "kpr": "KPR-1"}, FORM)
    assert errors["name"] == "Skriv inn innbyggerens navn.", "an empty text is an empty field"
    assert errors["area"] == "«Tjenesteområde»: velg et av alternativene i listen."
    assert errors["people.0.who"] == "Skriv inn navn.", "a row's field by its own title"
    assert errors["nin"] == "Fødselsnummeret skal ha 11 siffer.", "the form's own wording"
    assert errors["kpr"] == "«KPR-nummer» er for lang.", "an abbreviation keeps its capitals"


def test_the_problems_in_english_come_from_the_translated_form() -> None:
    english = localized(FORM, "en")
    problems = schema_problems({"nin": "12"}, english)
    assert problems["name"] == FieldProblem("enter", "The citizen's name")
    assert worded(problems["name"], {"Skriv inn %(field)s.": "Enter %(field)s."}.get) == (
        "Enter the citizen's name.")
    assert worded(problems["nin"]) == "The number has 11 digits."
