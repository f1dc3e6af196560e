"""``ipflow bench engine`` keeps working (run once, tiny), and what it promises that can be
counted rather than timed: SQL statements per engine call, and a long-running case's stored
state staying small because finished tasks are cut out of the workflow."""

from __future__ import annotations

import json

from click.testing import CliRunner
from sqlalchemy import select

from cli.main import cli
from engine.features import bench_engine
from engine.kernel.db import Database
from engine.kernel.models import Case, Event

KEYS = {"raw_cases_per_s", "ipflow_cases_per_s", "ratio", "sql_per_case"}
# Measured on the happy path (docs/benchmarks.md): the most any one call sends, and the mean
# over the eleven calls. The target is 6: a call's new rows, to whatever tables, are one
# statement on both databases (engine.kernel.commit_rows).
MOST_STATEMENTS_PER_CALL = {"sqlite": 6, "postgresql": 6}
MEAN_STATEMENTS_PER_CALL = {"sqlite": 5.8, "postgresql": 5.8}


def test_the_command_prints_a_table_and_its_figures_as_json() -> None:
    result = CliRunner().invoke(cli, ["bench", "engine", "--cases", "1", "--json"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "SpiffWorkflow alene" in result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    assert set(figures) >= KEYS
    assert figures["cases"] == 1 and figures["db"] == "sqlite"
    assert figures["raw_cases_per_s"] > 0 and figures["ipflow_cases_per_s"] > 0
    assert 0 < figures["ratio"] < 100
    # Eleven engine calls per case, each at least a read and a write.
    assert 22 <= figures["sql_per_case"] <= 11 * MOST_STATEMENTS_PER_CALL["sqlite"]
    # The engine stores the instance only; Spiff's own state carries the whole spec.
    assert figures["ipflow_state_bytes"] < figures["raw_state_bytes"]


def test_each_engine_call_of_the_happy_path_sends_few_statements(db: Database) -> None:
    counter = bench_engine.StatementCount(db)
    try:
        bench_engine.IpflowEngine(db, counter).run(bench_engine.happy_path())
    finally:
        counter.close()
    assert len(counter.per_call) == 11  # the start, nine tasks, the timer
    dialect = db.engine.dialect.name
    assert max(counter.per_call) <= MOST_STATEMENTS_PER_CALL[dialect]
    assert sum(counter.per_call) / 11 <= MEAN_STATEMENTS_PER_CALL[dialect]
    # The case row is written once per call, its version check and last progress together.
    assert counter.case_updates_per_call == [1] * 11
    # A task call reads once: the task, its case and version, and the case's open rows.
    completed = counter.statements[6]  # describe_goals: an assigned task, no letter
    assert [sql.split()[0] for sql in completed].count("SELECT") == 1


def test_a_case_that_runs_for_years_keeps_a_small_workflow(db: Database) -> None:
    """Two plan periods of three meetings: the stored tree does not grow with the meetings
    (finished tasks are cut out), only the case's data does, and that is stored once (not again
    in the phase's first task, nor as deletions after each period); the history keeps every
    step."""
    counter = bench_engine.StatementCount(db)
    try:
        engine = bench_engine.IpflowEngine(db, counter)
        first = engine.run(bench_engine.long_running_path(periods=1, meetings_per_period=3),
                           completes=False)
        second = engine.run(bench_engine.long_running_path(periods=2, meetings_per_period=3),
                            completes=False)
    finally:
        counter.close()
    with db.reading() as session:
        states = [session.get(Case, case_id).state for case_id in (first, second)]  # type: ignore[union-attr]
        completed = list(session.scalars(select(Event.bpmn_id).where(
            Event.case_id == second, Event.kind == "task_completed")))
    assert [_stored_tasks(state) for state in states] == [_stored_tasks(states[0])] * 2
    assert completed.count("follow_up") == 6 and completed.count("renew_consent") == 2
    meetings = len(json.dumps(states[1])) - len(json.dumps(states[0]))
    assert meetings < 3 * 500  # three more meetings' minutes (about 420 bytes each), once


def _stored_tasks(state: dict) -> int:  # type: ignore[type-arg]
    return len(state["tasks"]) + sum(len(p["tasks"]) for p in state["subprocesses"].values())
