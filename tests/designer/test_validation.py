"""The server's diagram rules: each one refuses with the offending element, in the API
(``POST /api/v1/processes``), in ``ipflow deploy --check`` and in the engine's ``validate``;
hostile files are refused quickly and nothing is stored; scripts have a time limit."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from engine.features import case_queries, case_start, deploy, diagram_rules, task_actions
from engine.kernel import sandbox, spiff_scripts
from engine.kernel.db import Database
from engine.kernel.errors import DeployRejected
from engine.kernel.models import Incident
from engine.runtime.users import SYSTEM, Actor, get_actor
from tests.designer.diagrams import IP_XML, KEY, script_diagram, small
from tests.hostile_xml import BILLION_LAUGHS, XXE


def errors_of(xml: str, forms: dict | None = None) -> list[dict[str, str]]:
    return diagram_rules.validate(xml, forms)[2]


def refused(api, xml: str) -> dict[str, str]:  # noqa: ANN001
    """POST the diagram as the designer: it must be 422 ``deploy_rejected``, nothing may be
    stored; the problems by element."""
    before = deploy.version_count(api.db)
    body = api.post("/processes", "designer", {"bpmn": xml}, expect=422)
    assert deploy.version_count(api.db) == before
    assert body["code"] == "deploy_rejected"
    return body["errors"]


@pytest.fixture()
def designer_api(api, db: Database):  # noqa: ANN001, ANN201
    api.db = db
    return api


def test_the_shipped_diagram_passes_every_rule() -> None:
    started = time.monotonic()
    assert errors_of(IP_XML) == []
    assert time.monotonic() - started < 2


# ------------------------------------------------------------------ lanes, forms, handlers


def test_a_user_task_outside_every_lane_is_refused_at_the_task(designer_api) -> None:  # noqa: ANN001
    xml = IP_XML.replace("<bpmn:flowNodeRef>assess_report</bpmn:flowNodeRef>", "")
    errors = refused(designer_api, xml)
    assert errors == {"assess_report": (
        '"Vurder og avgjør" (assess_report): brukeroppgaven må ligge i en bane med en kjent '
        "rolle (innbygger, systemkoordinator, fagleder, koordinator), men den ligger ikke i "
        "noen bane")}


def test_a_lane_that_is_no_role_is_refused(designer_api) -> None:  # noqa: ANN001
    errors = refused(designer_api, small(lane="vaktmester"))
    assert list(errors) == ["work"] and "'vaktmester'" in errors["work"]


@pytest.mark.parametrize(("xml", "element", "message"), [
    (small(form="finnes_ikke"), "work", "skjemaet 'finnes_ikke' finnes ikke"),
    (IP_XML.replace('<spiffworkflow:serviceTaskOperator id="letters.decision" />',
                    '<spiffworkflow:serviceTaskOperator id="letters.ukjent" />'),
     "send_decision", "ukjent handler 'letters.ukjent'"),
    (IP_XML.replace('value="validate.assessment"', 'value="validate.ukjent"'),
     "assess_report", "ukjent validator 'validate.ukjent'"),
    (IP_XML.replace('<spiffworkflow:serviceTaskOperator id="letters.decision" />', ""),
     "send_decision", "den automatiske oppgaven mangler handler "
                      "(spiffworkflow:serviceTaskOperator)"),
    (IP_XML.replace('name="due_in" value="P30D"', 'name="due_in" value="30 dager"'),
     "assess_report", "ugyldig frist '30 dager' (ISO 8601, f.eks. P14D)"),
], ids=["form", "handler", "validator", "no-handler", "due-in"])
def test_every_referenced_form_and_handler_must_exist(designer_api, xml: str, element: str,  # noqa: ANN001
                                                      message: str) -> None:
    assert message in refused(designer_api, xml)[element]


def test_a_drafts_own_form_is_used_and_must_be_a_valid_json_schema() -> None:
    form = {"title": "Ny", "schema": {"type": "object", "properties": {"a": {"type": "string"}}}}
    assert errors_of(small(form="ny_form"), {"ny_form": form}) == []
    broken = {"title": "Ny", "schema": {"type": "object", "properties": {"a": {"type": 7}}}}
    [error] = errors_of(small(form="ny_form"), {"ny_form": broken})
    assert error["element"] == "work"
    assert error["message"].startswith("skjemaet 'ny_form': ugyldig JSON Schema ved "
                                       "properties/a/type")
    [error] = errors_of(small(form="ny_form"), {"ny_form": {"title": "uten schema"}})
    assert error["message"] == "skjemaet 'ny_form': skjemaet mangler schema (et JSON Schema-objekt)"


# ------------------------------------------------------------------ timers


@pytest.mark.parametrize(("kind", "expression", "problem"), [
    ("timeDuration", '"P30X"', "ugyldig varighet 'P30X'"),
    ("timeDate", '"neste fredag"', "ugyldig tidspunkt 'neste fredag'"),
    ("timeCycle", '"hver uke"', "ugyldig gjentakelse 'hver uke'"),
    ("timeDuration", '"P30D', "uttrykket kan ikke tolkes"),
    ("timeDuration", "", "tidshendelsen mangler uttrykk"),
])
def test_timer_expressions_must_parse(designer_api, kind: str, expression: str,  # noqa: ANN001
                                      problem: str) -> None:
    timer = (f'<bpmn:{kind} xsi:type="bpmn:tFormalExpression">{expression}</bpmn:{kind}>')
    xml = IP_XML.replace('<bpmn:timeCycle xsi:type="bpmn:tFormalExpression">"R12/P30D"'
                         '</bpmn:timeCycle>', timer)
    errors = refused(designer_api, xml)
    assert list(errors) == ["assessment_deadline"]
    assert problem in errors["assessment_deadline"]


@pytest.mark.parametrize("expression", ['"P2W"', '"PT36H"', '"2027-01-31T09:00:00+01:00"',
                                        "citizen_birth_date",
                                        "citizen_birth_date or '2027-01-01'"])
def test_valid_timer_expressions_pass(expression: str) -> None:
    # A date from the case data must be set before the timer: the birth date is derived from
    # the report before the assessment, whose deadline this timer is.
    kind = "timeDate" if "2027" in expression or "birth" in expression else "timeDuration"
    timer = f'<bpmn:{kind} xsi:type="bpmn:tFormalExpression">{expression}</bpmn:{kind}>'
    xml = IP_XML.replace('<bpmn:timeCycle xsi:type="bpmn:tFormalExpression">"R12/P30D"'
                         '</bpmn:timeCycle>', timer)
    assert errors_of(xml) == []


# ------------------------------------------------------------------ conditions and scripts

CONDITION = '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">decision_granted == True'


@pytest.mark.parametrize(("code", "problem"), [
    ("__import__('os').system('id')", "navnet '__import__' er ikke tillatt"),
    ("().__class__.__bases__[0].__subclasses__()", "tilgang til '__subclasses__' er ikke "
                                                   "tillatt"),
    ("getattr(approved, 'real')", "navnet 'getattr' er ikke tillatt"),
    ("'{0.__class__}' == approved", "tekst med «__» er ikke tillatt i uttrykk"),
    ("'{0.real}'.format(approved) == '1'", "tilgang til 'format' er ikke tillatt"),
    ("[x for x in (1,)].gi_frame", "tilgang til 'gi_frame' er ikke tillatt"),
    ("(lambda: 0).func_globals", "tilgang til 'func_globals' er ikke tillatt"),
    ("len('x' * 10 ** 10) > 0", "potens (**) er ikke tillatt i uttrykk"),
    ("len('x' * 99999999999) > 0", "tall større enn 10 000 000 er ikke tillatt"),
    ("eval('1')", "navnet 'eval' er ikke tillatt"),
    ("approved ==", "uttrykket kan ikke tolkes"),
    ("x = 1", "uttrykket kan ikke tolkes"),
])
def test_conditions_that_try_to_escape_the_sandbox_are_refused(designer_api, code: str,  # noqa: ANN001
                                                               problem: str) -> None:
    xml = IP_XML.replace(CONDITION, CONDITION.replace("decision_granted == True", code.replace(
        "'", "&apos;").replace("<", "&lt;")))
    errors = refused(designer_api, xml)
    assert list(errors)[0] == "flow_approved_gateway_to_send_decision"
    assert problem in errors["flow_approved_gateway_to_send_decision"]


def test_a_script_that_never_stops_is_refused_within_the_time_limit(designer_api) -> None:  # noqa: ANN001
    started = time.monotonic()
    errors = refused(designer_api, script_diagram("while True: pass"))
    assert time.monotonic() - started < 3
    assert errors == {"loop": (
        '"Tell" (loop): diagrammets kode brukte mer enn 0.5 s og ble stoppet på tomme data; '
        "fjern uendelige løkker og store beregninger")}
    assert errors_of(script_diagram("total = sum(range(10))")) == []


def test_a_script_that_loops_on_real_data_is_stopped_and_becomes_an_incident(
        db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """Passes at deploy (it stops on empty data), loops forever on the case's data: stopped by
    the time limit at run time, kept as an incident, and the person's work is not lost."""
    monkeypatch.setattr(sandbox, "EVAL_SECONDS", 0.3)
    xml = script_diagram("while training_ensured: pass").replace("smaaprosess", "loekke")
    assert errors_of(xml) == []
    deploy.deploy(db, xml, SYSTEM)
    actor = get_actor(db, "systemkoordinator")
    case_id = case_start.start_case(db, "loekke", {"laps": 1}, actor)
    task = next(t for t in case_queries.inbox(db, actor) if t["case_id"] == case_id)
    task_actions.claim_task(db, task["id"], actor)
    started = time.monotonic()
    task_actions.complete_task(db, task["id"], {"training_ensured": True}, actor)
    assert time.monotonic() - started < 3
    case = case_queries.get_case(db, case_id, actor)
    assert case["status"] == "error"
    with db.reading() as session:
        incident = session.query(Incident).filter_by(case_id=case_id).one()
    assert incident.bpmn_id == "loop" and "ScriptLimitExceeded" in incident.error


def test_the_time_limit_stops_a_one_line_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "EVAL_SECONDS", 0.2)
    environment = spiff_scripts.RestrictedEnvironment()
    started = time.monotonic()
    with pytest.raises(sandbox.ScriptLimitExceeded):
        environment.execute("while True: pass", {})
    with pytest.raises(sandbox.ScriptLimitExceeded):
        environment.evaluate("[1 for _ in range(9999999) for _ in range(9999999)]", {})
    assert time.monotonic() - started < 1.5
    assert environment.evaluate("a + 1", {"a": 1}) == 2


# ------------------------------------------------------------------ structure


def test_an_unreachable_element_is_refused(designer_api) -> None:  # noqa: ANN001
    xml = IP_XML.replace('<bpmn:sequenceFlow id="flow_notify_coordinator_appointed_to_ensure_'
                         'training" sourceRef="notify_coordinator_appointed" targetRef="ensure_'
                         'training" />', "")
    xml = xml.replace("<bpmn:outgoing>flow_notify_coordinator_appointed_to_ensure_training"
                      "</bpmn:outgoing>", "")
    xml = xml.replace("<bpmn:incoming>flow_notify_coordinator_appointed_to_ensure_training"
                      "</bpmn:incoming>", "")
    errors = refused(designer_api, xml)
    assert "elementet kan ikke nås fra start" in errors["ensure_training"]


def test_an_exclusive_gateway_needs_a_default_or_a_condition_on_every_flow(designer_api) -> None:  # noqa: ANN001
    without_default = IP_XML.replace(' default="flow_approved_gateway_to_send_refusal"', "")
    errors = refused(designer_api, without_default)
    assert errors == {
        "approved_gateway": (
            '"Innvilget noe?" (approved_gateway): den eksklusive porten mangler standardflyt, '
            "og 1 av 2 flyter mangler betingelse: velg en standardflyt eller skriv betingelser "
            "på alle"),
        "flow_approved_gateway_to_send_refusal": (
            '"Nei" (flow_approved_gateway_to_send_refusal): flyten mangler betingelse')}
    # Complete conditions instead of a default: accepted.
    flow = ('<bpmn:sequenceFlow id="flow_approved_gateway_to_send_refusal" name="Nei" '
            'sourceRef="approved_gateway" targetRef="send_refusal">')
    start = without_default.index(flow)
    end = without_default.index("</bpmn:sequenceFlow>", start)
    complete = (without_default[:end] + '<bpmn:conditionExpression xsi:type="bpmn:'
                'tFormalExpression">decision_granted != True</bpmn:conditionExpression>'
                + without_default[end:])
    assert errors_of(complete) == []
    wrong_default = IP_XML.replace('default="flow_approved_gateway_to_send_refusal"',
                                   'default="flow_send_decision_to_decision_sent_merge"')
    assert ('"Innvilget noe?" (approved_gateway): standardflyten '
            "'flow_send_decision_to_decision_sent_merge' går ikke ut fra porten") in [
                e["text"] for e in errors_of(wrong_default)]


def test_flows_and_attached_events_must_point_at_existing_elements(designer_api) -> None:  # noqa: ANN001
    xml = IP_XML.replace('attachedToRef="assess_report"', 'attachedToRef="finnes_ikke"')
    assert ("hendelsen er festet til 'finnes_ikke', som ikke finnes i prosessen"
            in refused(designer_api, xml)["assessment_deadline"])
    xml = IP_XML.replace('sourceRef="report_received" targetRef="initial_facts"',
                         'sourceRef="report_received" targetRef="finnes_ikke"')
    assert ("flyten peker på 'finnes_ikke', som ikke finnes i prosessen"
            in refused(designer_api, xml)["flow_report_received_to_initial_facts"])


def test_a_process_id_must_be_a_plain_name(designer_api) -> None:  # noqa: ANN001
    errors = refused(designer_api, small(pid="1 prosess med mellomrom"))
    assert list(errors)[0] == "1 prosess med mellomrom"
    assert "prosess-id-en må begynne med en bokstav" in errors["1 prosess med mellomrom"]


# ------------------------------------------------------------------ hostile files

@pytest.mark.parametrize(("xml", "message"), [
    ("dette er ikke XML", "ikke gyldig BPMN-XML"),
    ("<bpmn:definitions", "ikke gyldig BPMN-XML"),
    ("<svg xmlns='http://www.w3.org/2000/svg'/>", "rotelementet må være bpmn:definitions"),
    (XXE, "ikke gyldig BPMN-XML"),
    (BILLION_LAUGHS, "ikke gyldig BPMN-XML"),
    (IP_XML.replace("</bpmn:definitions>", "<!--" + "x" * 2_100_000 + "--></bpmn:definitions>"),
     "filen er større enn 2 MB"),
], ids=["text", "truncated", "not-bpmn", "external-entity", "entity-bomb", "too-big"])
def test_hostile_files_are_refused_quickly_and_nothing_is_stored(designer_api, xml: str,  # noqa: ANN001
                                                                 message: str) -> None:
    started = time.monotonic()
    errors = refused(designer_api, xml)
    assert time.monotonic() - started < 2
    assert list(errors) == ["fil"] and message in errors["fil"]
    assert "root:" not in str(errors)  # /etc/passwd was never read


def test_a_request_over_the_upload_limit_is_413_and_nothing_is_stored(designer_api) -> None:  # noqa: ANN001
    before = deploy.version_count(designer_api.db)
    body = designer_api.post("/processes", "designer", {"bpmn": "x" * 5_000_000}, expect=413)
    assert body["error"]
    assert deploy.version_count(designer_api.db) == before


# ------------------------------------------------------------------ process id clashes


def test_a_new_process_may_not_take_an_existing_id(db: Database, designer: Actor) -> None:
    with pytest.raises(DeployRejected) as refusal:
        deploy.deploy(db, IP_XML.replace("P30D", "P20D"), designer, new_process=True)
    assert refusal.value.texts() == [
        '"Individuell plan og koordinator" (ip_koordinator): prosess-id-en \'ip_koordinator\' '
        "er allerede i bruk av en annen prosess; velg en ny id eller last opp filen som ny "
        "versjon av den prosessen"]
    assert deploy.version_count(db) == 1


def test_a_new_version_must_keep_its_process_id(db: Database, designer: Actor) -> None:
    deploy.deploy(db, small(pid="annen"), designer)
    with pytest.raises(DeployRejected) as taken:
        deploy.deploy(db, small(pid="annen", name="Ny navn"), designer, key=KEY)
    messages = [e["message"] for e in taken.value.element_errors]
    assert any("utkastet gjelder prosessen 'ip_koordinator'" in m for m in messages)
    assert any("prosess-id-en 'annen' er allerede i bruk" in m for m in messages)
    assert deploy.version_count(db) == 2


# ------------------------------------------------------------------ the command line


def test_deploy_check_applies_the_same_rules(tmp_path: Path, db: Database) -> None:
    path = tmp_path / "bad.bpmn"
    path.write_text(IP_XML.replace('"R12/P30D"</bpmn:timeCycle>', '"R12/P30X"</bpmn:timeCycle>'),
                    encoding="utf-8")
    result = CliRunner().invoke(cli, ["deploy", "--check", str(path)])
    assert result.exit_code != 0
    assert "assessment_deadline" in result.output
    assert "ugyldig gjentakelse 'R12/P30X'" in result.output
    loop = tmp_path / "loop.bpmn"
    loop.write_text(script_diagram("while True: pass"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["deploy", "--check", str(loop)])
    assert result.exit_code != 0 and "ble stoppet på tomme data" in result.output
