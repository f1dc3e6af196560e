"""``ipflow bench engine``: ipflow's engine against plain SpiffWorkflow on the shipped diagram's
happy path (the measuring is :mod:`engine.features.bench_engine`; this module sets up the
database and prints)."""

from __future__ import annotations

import os
import uuid
from contextlib import AbstractContextManager

import click
from sqlalchemy.engine import make_url

from cli.bench.group import bench
from cli.bench.report import progress, show
from cli.bench.scratch import new_postgresql, temporary_sqlite
from engine import demo
from engine.features import bench_engine
from engine.kernel.db import Database

PG_ENV = "IPFLOW_BENCH_POSTGRESQL_URL"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@bench.command(name="engine")
@click.option("--cases", default=30, show_default=True, help="Cases on each side.")
@click.option("--db", "kind", type=click.Choice(["sqlite", "postgresql"]), default="sqlite",
              show_default=True)
@click.option("--url", default=None,
              help=f"A PostgreSQL server to make a scratch database on (default ${PG_ENV} or "
                   f"{PG_DEFAULT}); it is dropped afterwards.")
@click.option("--long-case", is_flag=True,
              help="Also store a case after 100 follow-up meetings and 5 renewals, and give "
                   "its size (long_case_state_bytes).")
@click.option("--statements", is_flag=True,
              help="Also print the SQL each engine call of the last case sent.")
@click.option("--json", "as_json", is_flag=True, help="End with the figures as one JSON line.")
def engine_bench(cases: int, kind: str, url: str | None, long_case: bool, statements: bool,
                 as_json: bool) -> None:
    """The happy path (report, nine tasks, the revision timer) in SpiffWorkflow alone and
    through ipflow's engine on a fresh database, case by case in turn."""
    with _scratch_database(kind, url) as db:
        with progress("Oppretter databasen", 2) as advance:
            bench_engine.prepare(db)
            advance()
            demo.seed_users(db)
            advance()
        with progress("Saker", cases) as advance:
            result = bench_engine.run(db, cases, advance)
        figures = result.figures()
        if long_case:
            with progress("Sak over fem planperioder", 1) as advance:
                figures["long_case_state_bytes"] = bench_engine.long_running_state_bytes(db)
                advance()
    calls = len(result.sql_per_call)
    if statements:
        for name, sql in result.statements_of_last_case:
            click.echo(f"{name}: {len(sql)}")
            for statement in sql:
                click.echo(f"    {_abridged(statement)}")
    show(f"ipflow bench engine ({figures['db']}, {cases} saker hver)",
         ["", "saker/s", "SQL per sak", "state (byte)"],
         [["SpiffWorkflow alene", figures["raw_cases_per_s"], "–", figures["raw_state_bytes"]],
          ["ipflow", figures["ipflow_cases_per_s"], figures["sql_per_case"],
           figures["ipflow_state_bytes"]],
          ["forhold (ipflow / Spiff)", figures["ratio"], "", ""],
          [f"SQL per kall ({calls} kall)", figures["sql_per_call_mean"],
           f"høyst {figures['sql_per_call_max']}", ""],
          *([["etter 100 møter og 5 fornyelser", "", "", figures["long_case_state_bytes"]]]
            if long_case else [])],
         figures, as_json)


def _abridged(statement: str, width: int = 150) -> str:
    """A statement on one line, its middle (the column lists) left out when long."""
    line = " ".join(statement.split())
    return line if len(line) <= width else f"{line[:width - 60]} … {line[-55:]}"


def _scratch_database(kind: str, url: str | None) -> AbstractContextManager[Database]:
    """A temporary SQLite file, or a new database of a random name on the PostgreSQL server."""
    if kind == "sqlite":
        return temporary_sqlite()
    server = make_url(url or os.environ.get(PG_ENV, PG_DEFAULT))
    return new_postgresql(server.set(database=f"ipflow_bench_{uuid.uuid4().hex[:12]}"))
