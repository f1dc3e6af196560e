"""webapp.formrender and webapp.formparse on their own: the shipped forms as fields, and posted
strings back as JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

import processes
from webapp.formparse import apply_action, parse
from webapp.formrender import Field, error_summary, fields


def load(name: str) -> dict[str, Any]:
    return json.loads((processes.PROCESSES_DIR / "forms" / f"{name}.json").read_text("utf-8"))


def by_name(form_fields: list[Field]) -> dict[str, Field]:
    return {f.name: f for f in form_fields}


def posted(pairs: list[tuple[str, str]]) -> MultiDict[str, str]:
    return MultiDict(pairs)


def post_of(form_fields: list[Field]) -> list[tuple[str, str]]:
    """What a browser posts for the rendered fields when nothing is changed."""
    pairs: list[tuple[str, str]] = []
    for f in form_fields:
        if f.kind == "checkboxes":
            pairs += [(f.name, value) for value in f.values]
        elif f.kind in ("list", "rows"):
            pairs.append((f.name + "-_rows", str(len(f.rows))))
            for row in f.rows:
                pairs += post_of(row.fields)
        elif f.kind == "group":
            pairs += post_of(f.children)
        elif f.kind == "boolean":
            if f.value:
                pairs.append((f.name, f.value))
        else:
            pairs.append((f.name, f.value))
    return pairs


# ---------------------------------------------------------------- fields


def test_fields_follow_ui_order_and_pick_a_widget_per_type() -> None:
    form = load("report")
    result = fields(form["schema"], form["ui"], {}, {})
    assert [f.name for f in result] == form["ui"]["order"]
    kinds = {f.name: f.kind for f in result}
    assert kinds == {"citizen_name": "text", "citizen_nin": "text", "guardians": "rows",
                     "reported_by": "select", "reporter_name": "text", "reporter_contact": "text",
                     "copy_to_reporter": "boolean", "requests": "checkboxes",
                     "expecting_child": "boolean", "need_description": "textarea"}
    report = by_name(result)
    assert report["citizen_name"].label == "Innbyggerens navn"
    assert report["citizen_name"].required and not report["reporter_name"].required
    assert report["citizen_nin"].hint == ("Fødselsnummer eller D-nummer "
                                          "(11 siffer, mellomrom er tillatt)")
    assert report["reported_by"].options[1] == ("parorende", "Pårørende")
    assert report["requests"].options == [("ip", "Individuell plan"),
                                          ("koordinator", "Koordinator"),
                                          ("barnekoordinator", "Barnekoordinator")]


def test_booleans_dates_and_date_times() -> None:
    assessment = by_name(fields(load("assessment")["schema"], load("assessment")["ui"],
                                {"approved": False, "long_term_need": True}, {}))
    assert assessment["approved"].kind == "boolean"
    assert assessment["approved"].value == "false"
    assert assessment["long_term_need"].value == "true"
    assert assessment["citizen_wants"].value == ""  # unanswered stays unanswered
    assert assessment["approved"].anchor == "f-approved-true"

    summons = load("startup_summons")
    at = by_name(fields(summons["schema"], summons["ui"],
                        {"startup_meeting_at": "2026-03-09T09:00:00+00:00"}, {}))
    assert at["startup_meeting_at"].kind == "datetime"
    assert at["startup_meeting_at"].value == "2026-03-09T10:00"  # shown in Norwegian time
    naive = by_name(fields(summons["schema"], summons["ui"],
                           {"startup_meeting_at": "2026-03-09T10:30:00"}, {}))
    assert naive["startup_meeting_at"].value == "2026-03-09T10:30"

    consent = by_name(fields(load("consent")["schema"], load("consent")["ui"],
                             {"consent_date": "2026-03-02"}, {}))
    assert consent["consent_date"].kind == "date"
    assert consent["consent_date"].value == "2026-03-02"


def test_textarea_comes_from_ui_widgets() -> None:
    appointment = load("appointment")
    kinds = {f.name: f.kind for f in fields(appointment["schema"], appointment["ui"], {}, {})}
    assert kinds == {"coordinator": "text", "citizen_wishes": "textarea",
                     "appointment_note": "textarea"}


def test_enum_labels_from_one_of_and_x_source_filled_enums() -> None:
    schema = {"type": "object", "properties": {
        "level": {"type": "integer", "title": "Nivå",
                  "oneOf": [{"const": 1, "title": "Lav"}, {"const": 2, "title": "Høy"}]},
        "area": {"type": "string", "title": "Område", "enum": ["helse"],
                 "x-enumNames": ["Helse og omsorg"]}}}
    result = by_name(fields(schema, None, {"level": 2}, {}))
    assert result["level"].kind == "select"
    assert result["level"].options == [("1", "Lav"), ("2", "Høy")]
    assert result["level"].value == "2"
    assert parse(schema, posted([("level", "2"), ("area", "helse")])) == {"level": 2,
                                                                          "area": "helse"}


def test_array_of_objects_gets_a_fieldset_per_row_with_indexed_names() -> None:
    meeting = load("meeting")
    values = {"action_items": [{"description": "Søke BPA", "owner": "Kim", "status": "pagar"},
                               {"description": "Ringe NAV"}]}
    items = by_name(fields(meeting["schema"], meeting["ui"], values, {}))["action_items"]
    assert items.kind == "rows"
    assert items.add_action == "add:action_items"
    assert [row.label for row in items.rows] == ["Oppgave 1", "Oppgave 2"]
    assert [row.remove_action for row in items.rows] == ["remove:action_items:0",
                                                         "remove:action_items:1"]
    first = by_name(items.rows[0].fields)
    assert list(first) == ["action_items-0-description", "action_items-0-owner",
                           "action_items-0-deadline", "action_items-0-status"]
    assert first["action_items-0-description"].value == "Søke BPA"
    assert first["action_items-0-description"].required
    assert first["action_items-0-deadline"].kind == "date"
    assert first["action_items-0-status"].value == "pagar"
    second = by_name(items.rows[1].fields)
    assert second["action_items-1-status"].value == "apen"  # the schema's default


def test_array_of_strings_gets_a_row_per_item_and_one_empty_row_to_start() -> None:
    meeting = load("meeting")
    empty = by_name(fields(meeting["schema"], meeting["ui"], {}, {}))
    assert empty["meeting_participants"].kind == "list"
    assert len(empty["meeting_participants"].rows) == 1
    assert len(empty["action_items"].rows) == 1
    filled = by_name(fields(meeting["schema"], meeting["ui"],
                            {"meeting_participants": ["Kari", "Fastlege"]}, {}))
    rows = filled["meeting_participants"].rows
    assert [(r.fields[0].name, r.fields[0].value, r.fields[0].label) for r in rows] == [
        ("meeting_participants-0", "Kari", "Navn og rolle 1"),
        ("meeting_participants-1", "Fastlege", "Navn og rolle 2")]
    none_left = by_name(fields(meeting["schema"], meeting["ui"], {"action_items": []}, {}))
    assert none_left["action_items"].rows == []
    assert none_left["action_items"].anchor == "f-action_items-add"


def test_errors_go_next_to_their_field_also_inside_rows() -> None:
    meeting = load("meeting")
    errors = {"minutes": "Feltet må fylles ut.",
              "action_items.0.description": "Feltet må fylles ut.",
              "action_items": "Hver oppgave må ha ansvarlig og frist: oppgave 1 mangler frist."}
    result = by_name(fields(meeting["schema"], meeting["ui"],
                            {"action_items": [{"owner": "Kim"}]}, errors))
    assert result["minutes"].error == "Feltet må fylles ut."
    assert result["minutes"].described_by == "f-minutes-hint f-minutes-error"
    assert result["action_items"].error.startswith("Hver oppgave må ha ansvarlig")
    description = by_name(result["action_items"].rows[0].fields)["action_items-0-description"]
    assert description.error == "Feltet må fylles ut."
    assert description.described_by == "f-action_items-0-description-error"

    summary = error_summary(list(result.values()), errors)
    assert summary == [
        {"anchor": "f-minutes", "label": "Referat", "message": "Feltet må fylles ut."},
        {"anchor": "f-action_items-0-description", "label": "Oppgaver",
         "message": errors["action_items"]},
        {"anchor": "f-action_items-0-description", "label": "Oppgave 1: Oppgave",
         "message": "Feltet må fylles ut."},
    ]


def test_errors_without_an_input_go_to_the_closest_field_or_the_form() -> None:
    report = load("report")
    errors = {"requests.1": "Velg en av verdiene i listen.", "_form": "Noe gikk galt."}
    result = fields(report["schema"], report["ui"], {}, errors)
    assert by_name(result)["requests"].error == "Velg en av verdiene i listen."
    summary = error_summary(result, errors)
    assert {"anchor": "f-requests-0", "label": "Det meldes behov for",
            "message": "Velg en av verdiene i listen."} in summary
    assert {"anchor": "form-top", "label": "", "message": "Noe gikk galt."} in summary
    assert len(summary) == 2


# ---------------------------------------------------------------- parse


def test_parse_converts_strings_to_json_types_and_drops_empty_values() -> None:
    assessment = load("assessment")["schema"]
    data = parse(assessment, posted([
        ("long_term_need", "true"), ("two_or_more_services", "false"), ("approved", "true"),
        ("service_area", "helse"), ("assessment_reasoning", "  Vilkårene er oppfylt.  "),
        ("approved_ip", ""), ("not_in_form", "x"), ("csrf_token", "t")]))
    assert data == {"long_term_need": True, "two_or_more_services": False, "approved": True,
                    "service_area": "helse", "assessment_reasoning": "Vilkårene er oppfylt."}


def test_parse_dates_and_date_times() -> None:
    schema = {"type": "object", "properties": {
        "day": {"type": "string", "format": "date"},
        "norwegian": {"type": "string", "format": "date"},
        "at": {"type": "string", "format": "date-time"},
        "nonsense": {"type": "string", "format": "date-time"}}}
    data = parse(schema, posted([("day", "2026-03-02"), ("norwegian", "9.3.2026"),
                                 ("at", "2026-03-09T10:00"), ("nonsense", "i morgen")]))
    assert data == {"day": "2026-03-02", "norwegian": "2026-03-09",
                    "at": "2026-03-09T10:00:00", "nonsense": "i morgen"}


def test_parse_checkboxes_and_numbers() -> None:
    report = load("report")["schema"]
    assert parse(report, posted([("requests", "ip"), ("requests", "koordinator")]))[
        "requests"] == ["ip", "koordinator"]
    assert "requests" not in parse(report, posted([]))
    schema = {"type": "object", "properties": {"count": {"type": "integer"},
                                               "share": {"type": "number"},
                                               "bad": {"type": "integer"}}}
    assert parse(schema, posted([("count", "3"), ("share", "2,5"), ("bad", "tre")])) == {
        "count": 3, "share": 2.5, "bad": "tre"}


def test_parse_rebuilds_arrays_from_indexed_names_and_drops_empty_rows() -> None:
    consent = load("consent")["schema"]
    form = posted([
        ("consent_given_by-_rows", "3"),
        ("consent_given_by-0-name", "Mor"), ("consent_given_by-0-relation", "foresatt"),
        ("consent_given_by-2-name", "Far"), ("consent_given_by-2-relation", "foresatt"),
        ("consent_given_by-1-name", ""), ("consent_given_by-1-relation", ""),
        ("sharing_consents-_rows", "1"),
        ("sharing_consents-0-participant", "Skolen"), ("sharing_consents-0-scope", "Alt"),
        ("sharing_consents-0-valid_until", ""),
    ])
    data = parse(consent, form)
    assert data["consent_given_by"] == [{"name": "Mor", "relation": "foresatt"},
                                        {"name": "Far", "relation": "foresatt"}]
    assert data["sharing_consents"] == [{"participant": "Skolen", "scope": "Alt"}]

    meeting = load("meeting")["schema"]
    only_defaults = posted([("action_items-_rows", "1"), ("action_items-0-description", ""),
                            ("action_items-0-status", "apen"), ("meeting_participants-0", ""),
                            ("meeting_participants-1", "Kari")])
    data = parse(meeting, only_defaults)
    assert "action_items" not in data  # a row holding only its default is an empty row
    assert data["meeting_participants"] == ["Kari"]


def test_parse_keep_rows_keeps_empty_rows_for_re_rendering() -> None:
    meeting = load("meeting")["schema"]
    form = posted([("action_items-_rows", "2"), ("action_items-0-description", "Søke"),
                   ("action_items-1-description", ""), ("action_items-1-status", "apen"),
                   ("meeting_participants-_rows", "0")])
    data = parse(meeting, form, keep_rows=True)
    assert data["action_items"] == [{"description": "Søke"}, {"status": "apen"}]
    assert data["meeting_participants"] == []


@pytest.mark.parametrize("name", ["report", "assessment", "appeal_reassessment", "appointment",
                                  "coordinator_training", "startup_summons", "consent", "plan",
                                  "meeting", "evaluation"])
def test_every_shipped_form_round_trips(name: str) -> None:
    form = load(name)
    values = {
        "report": {"citizen_name": "Kari Nordmann", "citizen_nin": "15058510170",
                   "reported_by": "parorende", "requests": ["koordinator"]},
        "assessment": {"long_term_need": True, "two_or_more_services": False,
                       "citizen_wants": True, "approved": False,
                       "assessment_reasoning": "Linje 1\nLinje 2"},
        "appeal_reassessment": {"appeal_upheld": True, "appeal_reasoning": "Ny vurdering"},
        "appointment": {"coordinator": "koordinator"},
        "coordinator_training": {"training_ensured": True},
        "startup_summons": {"startup_meeting_at": "2026-03-09T10:00:00",
                            "startup_meeting_place": "Rådhuset"},
        "consent": {"consent_date": "2026-03-02",
                    "consent_given_by": [{"name": "Mor", "relation": "foresatt"},
                                         {"name": "Far", "relation": "verge"}],
                    "consent_to_plan": True, "wants_ip": False, "plan_medium": "ipflow",
                    "sharing_consents": [{"participant": "Skolen", "scope": "Alt",
                                          "valid_until": "2026-12-31"}]},
        "plan": {"plan_goals": "Mål", "plan_start": "2026-03-02", "revision_date": "2027-03-02",
                 "plan_participants": [{"name": "Kari", "role": "innbygger"}],
                 "plan_measures": [{"description": "Fysioterapi", "responsible": "Fysio",
                                    "implementation": "Hjemme\nto ganger i uken"}],
                 "plan_interpreter_needed": True, "plan_language": "Polsk"},
        "meeting": {"meeting_date": "2026-04-01", "meeting_participants": ["Kari", "Kim"],
                    "minutes": "Referat", "action_items": [
                        {"description": "Søke", "owner": "Kim", "deadline": "2026-05-01",
                         "status": "utfort"}]},
        "evaluation": {"evaluation_summary": "Bra", "continue_plan": True},
    }[name]
    rendered = fields(form["schema"], form["ui"], values, {})
    assert parse(form["schema"], posted(post_of(rendered))) == values


# ---------------------------------------------------------------- rows without JavaScript


def test_add_and_remove_rows() -> None:
    consent = load("consent")["schema"]
    values: dict[str, Any] = {"consent_given_by": [{"name": "Mor"}]}
    values = apply_action(consent, values, "add:consent_given_by")
    assert values["consent_given_by"] == [{"name": "Mor"}, {}]
    values = apply_action(consent, values, "remove:consent_given_by:0")
    assert values["consent_given_by"] == [{}]
    values = apply_action(consent, values, "add:sharing_consents")
    assert values["sharing_consents"] == [{}]
    meeting = load("meeting")["schema"]
    assert apply_action(meeting, {}, "add:meeting_participants") == {
        "meeting_participants": [""]}
    unchanged = {"minutes": "x"}
    for action in ("add:minutes", "remove:action_items:x", "drop:action_items", "add:nothing",
                   "remove:action_items:5"):
        assert apply_action(meeting, dict(unchanged), action) == unchanged
