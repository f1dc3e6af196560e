"""``ipflow bench http``: completed tasks per second through the production server, per
number of gunicorn workers, with client, server and database on one machine.

Each client logs in over the JSON API as a coordinator of its own and, until the time is up,
reads its inbox and holds the follow-up meeting it finds there (a complete task request, the
engine's heaviest common write). ``scaling`` is tasks per second with 2 workers over 1; 409s
are counted apart, as the answer the API gives a lost race, and should not occur here since no
two clients share a case.
"""

from __future__ import annotations

import statistics
from typing import Any

import click

from cli.bench import cpu_use, http_load
from cli.bench.group import bench
from cli.bench.report import progress, show
from cli.serve import free_port


def _worker_counts(_ctx: Any, _param: Any, value: str) -> list[int]:
    try:
        counts = [int(part) for part in value.split(",")]
    except ValueError:
        raise click.BadParameter("skriv antall, skilt med komma, f.eks. 1,2") from None
    if not counts or min(counts) < 1:
        raise click.BadParameter("hvert antall må være minst 1")
    return counts


@bench.command(name="http")
@click.option("--workers", "worker_counts", default="1,2", show_default=True,
              callback=_worker_counts, help="gunicorn worker counts to measure, comma-separated.")
@click.option("--clients", default=8, show_default=True, type=click.IntRange(min=1),
              help="Concurrent clients, each with its own user and case.")
@click.option("--seconds", default=30.0, show_default=True, type=click.FloatRange(min=0.5),
              help="How long the clients work per worker count.")
@click.option("--database-url", default=http_load.DEFAULT_URL, show_default=True,
              help="A PostgreSQL database to create (and a copy named …_seed); both are "
                   "dropped afterwards.")
@click.option("--json", "as_json", is_flag=True, help="End with the figures as one JSON line.")
def http_bench(worker_counts: list[int], clients: int, seconds: float, database_url: str,
               as_json: bool) -> None:
    """Tasks completed per second over HTTP with 1, 2, ... gunicorn workers on PostgreSQL."""
    rows, per_workers, errors, conflicts, examples = [], {}, 0, 0, []
    with http_load.scratch_databases(database_url) as (seed_url, fresh):
        with progress("Oppretter brukere og saker", clients) as advance:
            http_load.seed(seed_url, clients, advance)
        for workers in worker_counts:
            port = free_port()
            with http_load.served(fresh(), workers, port) as server_pid:
                tally, elapsed, cores = http_load.drive(port, server_pid, clients, seconds)
            per_workers[str(workers)] = round(tally.completed / elapsed, 2)
            errors, conflicts = errors + tally.errors, conflicts + tally.conflicts
            examples += tally.examples
            rows.append((workers, tally.completed, tally.completed / elapsed,
                         _ms(tally.latencies, 50), _ms(tally.latencies, 95),
                         *_cores(cores), tally.conflicts, tally.errors))
    for example in examples:
        click.echo(f"Feil: {example}", err=True)
    scaling = (round(per_workers["2"] / per_workers["1"], 2)
               if per_workers.get("1") and "2" in per_workers else None)
    show(f"HTTP: {clients} klienter, {seconds:g} s per antall workere; skalering 2/1: "
         f"{scaling if scaling is not None else '–'}; kjerner brukt av server, klient, resten",
         ["workere", "oppgaver", "per s", "median ms", "p95 ms", "server", "klient", "resten",
          "409", "feil"], rows,
         {"tasks_per_s": per_workers, "scaling": scaling, "errors": errors,
          "conflicts": conflicts, "clients": clients, "seconds": seconds}, as_json)


def _ms(latencies: list[float], percent: int) -> int:
    """The ``percent`` percentile of the completions in whole milliseconds (0 without any)."""
    if len(latencies) < 2:
        return round(1000 * latencies[0]) if latencies else 0
    return round(1000 * statistics.quantiles(latencies, n=100)[percent - 1])


def _cores(use: cpu_use.CpuUse | None) -> tuple[Any, Any, Any]:
    """Cores used on average by the server, the clients and the rest (the database, and what
    else the machine runs): with two workers on two cores the server can only use more than
    one when the rest leaves it room (``CPU resten``)."""
    return ("–", "–", "–") if use is None else (use.server, use.clients, use.rest)
