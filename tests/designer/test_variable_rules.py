"""Deploy refuses code that reads a variable nothing in the process can set, naming the
element by its label with the id after; what forms, scripts, handlers and messages set counts,
and so do the sandbox's builtins and the names code binds itself."""

from __future__ import annotations

import pytest

from engine.features import deploy, variable_rules
from engine.kernel.db import Database
from engine.kernel.errors import DeployRejected
from engine.runtime.users import SYSTEM
from tests.support import incident_diagram as age

NO_AGE_FORMS = {**age.FORMS, "alder_start": {**age.START_FORM, "schema": {
    **age.START_FORM["schema"], "properties": {
        k: v for k, v in age.START_FORM["schema"]["properties"].items() if k != "alder"}}}}


def test_a_condition_reading_a_variable_no_form_sets_is_refused_by_its_label(
        db: Database) -> None:
    with pytest.raises(DeployRejected) as refused:
        deploy.deploy(db, age.diagram(), SYSTEM, forms=NO_AGE_FORMS, key=age.KEY)
    assert [(e["element"], e["message"]) for e in refused.value.element_errors] == [(
        "f_adult", 'Betingelsen på "Voksen" (f_adult) leser «alder», som ingen skjema eller '
        "tidligere steg setter.")]
    # With the field on the start form the same diagram is taken into use.
    assert age.deploy_age_process(db) == 1


def test_a_nameless_flow_is_named_by_the_steps_it_joins(db: Database) -> None:
    xml = age.diagram().replace('id="f_adult" name="Voksen"', 'id="f_adult"')
    with pytest.raises(DeployRejected) as refused:
        deploy.deploy(db, xml, SYSTEM, forms=NO_AGE_FORMS, key=age.KEY)
    [problem] = refused.value.element_errors
    assert problem["message"].startswith(
        'Betingelsen på flyten fra "Er innbyggeren voksen?" til "Følg opp voksen" (f_adult) '
        "leser «alder»")


@pytest.mark.parametrize(("code", "mode", "names"), [
    ("alder >= 18", "eval", {"alder"}),
    ("len([p for p in refused_parts if p]) > 0", "eval", {"refused_parts"}),
    ("end_request.get('what') == 'ip'", "eval", {"end_request"}),
    ("total = 0\nfor item in items:\n    total = total + item\nsum_ = total", "exec",
     {"items"}),
    ("(lambda x: x + bonus)(1)", "eval", {"bonus"}),
])
def test_the_names_code_reads(code: str, mode: str, names: set[str]) -> None:
    assert variable_rules.read_names(code, mode) == names


def test_what_scripts_and_handlers_set_counts() -> None:
    assert variable_rules.assigned_names("a = 1\nb, c = 2, 3") == {"a", "b", "c"}
    # appeal.classify returns the facts it adds to the case: the diagram's conditions read them
    assert {"appeal_late", "late_appeal_taken_up"} <= variable_rules.handler_outputs(
        "appeal.classify")
    assert variable_rules.handler_outputs("no.such.handler") == frozenset()
