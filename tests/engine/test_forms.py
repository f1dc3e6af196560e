"""Form-level normalisation (``x-normalize``): applied before validation, checked at deploy."""

from __future__ import annotations

from engine.features import form_rules
from engine.runtime import forms
from processes import load_form

SCHEMA = {
    "type": "object",
    "properties": {
        "nin": {"type": "string", "x-normalize": "remove-spaces"},
        "name": {"type": "string"},
        "guardians": {"type": "array", "items": {
            "type": "object",
            "properties": {"nin": {"type": "string", "x-normalize": "remove-spaces"},
                           "name": {"type": "string"}}}},
    },
}


def test_spaces_are_removed_where_the_schema_asks_for_it() -> None:
    data = {"nin": " 150585 10170 ", "name": "Kari  Nordmann",
            "guardians": [{"nin": "150585\u00a010170", "name": "Mor  Berg"}], "extra": " x "}
    assert forms.normalized(data, SCHEMA) == {
        "nin": "15058510170", "name": "Kari  Nordmann",
        "guardians": [{"nin": "15058510170", "name": "Mor  Berg"}], "extra": " x "}


def test_values_that_are_not_text_are_left_to_the_schema_check() -> None:
    data = {"nin": 15058510170, "guardians": "not a list"}
    assert forms.normalized(data, SCHEMA) == data
    assert set(forms.schema_errors(forms.normalized(data, SCHEMA), SCHEMA)) == {"nin",
                                                                                  "guardians"}


def test_an_unknown_normalizer_is_refused_at_deploy() -> None:
    schema = {"type": "object", "properties": {
        "rows": {"type": "array", "items": {"type": "object", "properties": {
            "code": {"type": "string", "x-normalize": "upper"}}}}}}
    assert forms.unknown_normalizers(schema) == ["/rows/items/code: upper"]
    problem = form_rules.form_problem({"title": "T", "schema": schema})
    assert problem is not None and "x-normalize" in problem and "remove-spaces" in problem


def test_the_shipped_report_form_removes_spaces_from_the_number() -> None:
    report = load_form("report")
    assert form_rules.form_problem(report) is None
    assert forms.normalized({"citizen_nin": "150585 101 70"},
                            report["schema"]) == {"citizen_nin": "15058510170"}


def test_a_stored_choice_is_named_by_the_versions_own_form_in_each_language() -> None:
    version_forms = {name: load_form(name) for name in ("report", "consent")}
    fields = forms.choice_fields(version_forms)
    # Codes inside lists (requests) and inside rows (consent_given_by[].relation) are found.
    assert {"reported_by", "requests", "relation"} <= set(fields)
    norwegian, english = forms.choice_labels(fields, "nb"), forms.choice_labels(fields, "en")
    assert norwegian["requests"]["barnekoordinator"] == "Barnekoordinator"
    assert english["requests"]["barnekoordinator"].startswith("Child coordinator")
    assert (norwegian["relation"]["foresatt"], english["relation"]["foresatt"]) == (
        "Foresatt", "Guardian")
    # A designer's new choice reaches the pages with its label, without code.
    version_forms["report"]["schema"]["properties"]["reported_by"]["enum"].append("nav")
    version_forms["report"]["schema"]["properties"]["reported_by"]["x-enumNames"].append("NAV")
    assert forms.choice_labels(forms.choice_fields(version_forms), "nb")["reported_by"][
        "nav"] == "NAV"
