"""The engine's rules for phases drawn as sub-processes and legal events caught on them.

A small diagram (tests/engine/phase_diagram.bpmn) has one phase with its own lanes, a repeating
reminder, a non-interrupting "change" boundary event that merges its result back, and a
late-appeal style window marked ``case_status: closed``.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from engine.kernel import clock, spiff, spiff_messages, spiff_scripts
from tests.support.clock import T0

DIAGRAM = (Path(__file__).parent / "phase_diagram.bpmn").read_bytes()


@pytest.fixture()
def workflow() -> Any:
    parser, _keys = spiff.parse_process(spiff.parse_xml(DIAGRAM))
    spec = spiff.compile_spec(parser, "phases")
    engine = spiff_scripts.HandlerScriptEngine(lambda task, name, params: None)
    with clock.frozen_at(T0):
        flow = spiff.new_workflow(SimpleNamespace(checksum="phase-test", spec_json=spec), engine)
        flow.get_tasks(state=spiff.TaskState.READY)[0].data.update({"coordinator": None})
        spiff.engine_steps(flow)
        yield flow


def _ready(flow: Any) -> dict[str, Any]:
    return {t.task_spec.bpmn_id: t for t in spiff.ready_user_tasks(flow)}


def test_tasks_in_a_phase_take_their_role_from_the_phase_lanes(workflow: Any) -> None:
    assert {k: t.task_spec.lane for k, t in _ready(workflow).items()} == {"appoint": "fagleder"}


def test_a_boundary_event_gets_the_current_data_before_it_is_caught(workflow: Any) -> None:
    task = _ready(workflow)["appoint"]
    task.data["coordinator"] = "kari"
    task.run()
    spiff.engine_steps(workflow)
    [catcher] = [m.task for m in spiff_messages.waiting_messages(workflow) if m.name == "change"]
    assert catcher.data["coordinator"] is None  # a copy from when the phase began
    assert spiff.case_data(workflow)["coordinator"] == "kari"
    spiff.refresh_catchers(workflow)
    assert catcher.data["coordinator"] == "kari"


def test_a_side_branch_merges_back_the_facts_it_names(workflow: Any) -> None:
    task = _ready(workflow)["appoint"]
    task.data["coordinator"] = "kari"
    task.run()
    spiff.engine_steps(workflow)
    spiff.refresh_catchers(workflow)
    workflow.catch(spiff.message_event("change", {"to": "per"}))

    spiff.engine_steps(workflow, spiff.merge_back)
    assert _ready(workflow)["work"].data["coordinator"] == "per"
    assert spiff.case_data(workflow)["coordinator"] == "per"


def test_a_caught_boundary_event_goes_on_with_the_current_data(workflow: Any) -> None:
    """Spiff hands a firing boundary event the data of the split before its host, a copy from
    when the phase began: refreshing must reach that split too."""
    task = _ready(workflow)["appoint"]
    task.data.update({"coordinator": "kari", "plan_established": True})
    task.run()
    spiff.engine_steps(workflow)
    spiff.refresh_catchers(workflow)
    workflow.catch(spiff.message_event("change", {"to": "per"}))
    ended: list[dict[str, Any]] = []
    spiff.engine_steps(workflow, lambda t: ended.append(dict(t.data))
                       if t.task_spec.bpmn_id == "changed" else None)
    assert [(d["coordinator"], d["plan_established"]) for d in ended] == [("per", True)]


def test_a_repeating_timer_runs_on_the_engine_clock(workflow: Any) -> None:
    [(timer, due)] = list(spiff.waiting_timers(workflow))
    assert due == T0 + timedelta(days=30)
    fired = []
    for days in (31, 61, 91):
        with clock.frozen_at(T0 + timedelta(days=days)):
            workflow.refresh_timers()
            spiff.engine_steps(workflow, lambda t: fired.append(t.task_spec.bpmn_id))
    assert fired.count("reminded") == 2  # R2: twice, then it stops
    assert "appoint" in _ready(workflow)


def test_a_case_waiting_only_for_a_closed_window_counts_as_closed(workflow: Any) -> None:
    for name in ("appoint", "work"):
        _ready(workflow)[name].run()
        spiff.engine_steps(workflow)
    assert spiff.only_closed_waits(workflow)
    workflow.catch(spiff.message_event("late", {"text": "klage"}))
    spiff.engine_steps(workflow)
    assert workflow.is_completed()


def test_an_open_task_means_the_case_is_not_closed(workflow: Any) -> None:
    assert not spiff.only_closed_waits(workflow)
