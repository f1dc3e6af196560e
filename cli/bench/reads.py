"""``ipflow bench reads``: the inbox, the case read and the monitor at 100,000 cases.

Seeds a scratch database (a temporary SQLite file, or a PostgreSQL database the command
creates and drops) with a sample of cases the engine runs to every step, copied in bulk
(:mod:`engine.features.bench_copy`), then times each read through the Flask test client with a
signed-in session (pages) or a bearer token (API), in this process: the figures are the
application's and the database's, without a network or a WSGI server in between.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
from flask.testing import FlaskClient
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url

import processes
from cli.bench.group import bench
from cli.bench.report import progress, show
from cli.bench.scratch import kept_sqlite, new_postgresql, temporary_sqlite
from engine import demo
from engine.features import bench_copy, deploy, monitor_snapshot
from engine.kernel import clock
from engine.kernel.db import Database
from engine.kernel.models import Case
from engine.runtime.users import SYSTEM, get_actor
from webapp import create_app

SCRATCH_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/ipflow_bench_reads"
AREAS = tuple(demo.SERVICE_AREAS)
# Where a sample case is left: each step of the diagram's main path, and a refusal (the case
# then waits for the appeal deadline). A case is started this many days before now.
STAGES = ("assess_report", "appoint_coordinator", "ensure_training", "summon_startup_meeting",
          "give_consent", "describe_goals", "establish_plan", "follow_up", "refused")


def scratch(kind: str, url: str | None, keep: Path | None = None) -> AbstractContextManager[
        Database]:
    """A new, empty database that is removed afterwards; never an existing one (the default
    PostgreSQL name is the benchmark's own, so one a killed run left is replaced). With
    ``keep``, the SQLite file of that name instead, made if missing and kept afterwards."""
    if keep is not None:
        if kind != "sqlite" or url:
            raise click.UsageError("--keep: bare med --db sqlite.")
        return kept_sqlite(keep)
    if kind == "sqlite" and not url:
        return temporary_sqlite(unsynced=True)
    target = make_url(url or SCRATCH_PG)
    if target.get_backend_name() != "postgresql":
        raise click.UsageError("--database-url: en PostgreSQL-database som ikke finnes ennå.")
    return new_postgresql(target, replace=not url, unsynced=True)


def run_sample(db: Database, size: int, advance: Callable[[int], None]) -> None:
    """Deploy the diagrams, make the demo users and run ``size`` cases: one to each stage per
    service area (every stage in the first area first), each started a different number of
    days ago (so ages and deadlines vary)."""
    db.migrate()
    for path in processes.diagram_paths():
        deploy.deploy(db, path.read_bytes(), SYSTEM)
    demo.seed_users(db)
    staff = {name: get_actor(db, name) for name in ("systemkoordinator", "fagleder",
                                                     "koordinator")}
    people = bench_copy.citizens()
    now = clock.now()
    chosen = [(stage, area) for area in AREAS for stage in STAGES][:size]
    for index, (stage, area) in enumerate(chosen):
        with clock.frozen_at(now - timedelta(days=3 + 7 * index)):
            nin, name = next(people)
            case_id = demo.report(db, staff["koordinator"], nin, name=name)
            if stage == "refused":
                demo.do(db, staff["systemkoordinator"], case_id, "assess_report", {
                    "long_term_need": False, "two_or_more_services": True,
                    "citizen_wants": True, "approved": False, "approved_ip": False,
                    "assessment_reasoning": "Behovet er ikke langvarig."})
            else:
                _advance_to(db, staff, case_id, stage, area)
        advance(1)


def _advance_to(db: Database, staff: dict[str, Any], case_id: int, stage: str,
                area: str) -> None:
    """Complete the steps before ``stage`` as the demo's people do (each rung names the step
    the case waits at once it is done)."""
    sk = staff["systemkoordinator"]
    meeting = (clock.now() + timedelta(days=7)).replace(microsecond=0).isoformat()
    ladder: list[tuple[str, Callable[[], None]]] = [
        ("appoint_coordinator", lambda: demo.approve(db, staff, case_id, area)),
        ("ensure_training", lambda: demo.do(db, staff["fagleder"], case_id,
                                            "appoint_coordinator",
                                            {"coordinator": "koordinator",
                                             "citizen_wishes": "Fast kontaktperson."})),
        ("summon_startup_meeting", lambda: demo.do(db, sk, case_id, "ensure_training",
                                                   {"training_ensured": True})),
        ("give_consent", lambda: demo.do(db, sk, case_id, "summon_startup_meeting", {
            "startup_meeting_at": meeting, "startup_meeting_place": "Rådhuset"})),
        ("describe_goals", lambda: demo.consent(db, staff["koordinator"], case_id, True)),
        ("establish_plan", lambda: demo.describe_goals(db, case_id)),
        ("follow_up", lambda: demo.establish_plan(db, staff["koordinator"], case_id)),
    ]
    for reached, step in ladder:
        if STAGES.index(stage) < STAGES.index(reached):
            return
        if not (reached == "establish_plan" and stage == "follow_up"):  # done with the plan
            step()


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def _time(client: FlaskClient, urls: list[str], headers: dict[str, str]) -> tuple[float, float]:
    """p50 and p95 in milliseconds over ``urls``; every answer must be 200. The first
    request is not timed (caches fill: parsed diagrams, translations, the planner's)."""
    client.get(urls[0], headers=headers)
    samples = []
    for url in urls:
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise click.ClickException(f"{url}: {response.status_code}")
    return _percentiles(samples)


def _page_client(app: Any, username: str) -> FlaskClient:
    client: FlaskClient = app.test_client()
    response = client.post("/login", data={"username": username, "password": demo.PASSWORD})
    if response.status_code != 302:
        raise click.ClickException(f"login {username}: {response.status_code}")
    return client


def _bearer(client: FlaskClient, username: str) -> dict[str, str]:
    response = client.post("/api/v1/login", json={"username": username,
                                                  "password": demo.PASSWORD})
    if response.status_code != 200 or response.json is None:
        raise click.ClickException(f"API login {username}: {response.status_code}")
    return {"Authorization": f"Bearer {response.json['token']}"}


def measure(db: Database, requests: int, plans: list[str] | None = None) -> tuple[
        list[tuple[str, float, float]], dict[str, float]]:
    """Each read ``requests`` times: rows (read, p50, p95) and the worst p95 per key; with
    ``plans``, the query plans of each read's first request are added to it."""
    app = create_app(db.url, {"TESTING": True, "WTF_CSRF_ENABLED": False,
                              "RATELIMIT_ENABLED": False, "SECRET_KEY": "bench-reads"})
    picker = random.Random(12)
    with db.reading() as session:
        chosen = session.execute(select(Case.id, Case.citizen_nin).order_by(func.random())
                                 .limit(requests)).all()
    case_ids = [picker.choice(chosen).id for _ in range(requests)]
    nins = [picker.choice(chosen).citizen_nin for _ in range(requests)]
    api = app.test_client()
    rows: list[tuple[str, float, float]] = []
    worst: dict[str, float] = {}

    def timed(key: str, label: str, client: FlaskClient, urls: list[str],
              headers: dict[str, str] | None = None) -> None:
        if plans is not None:
            plans.extend(query_plans(app, client, urls[0], headers or {}))
        p50, p95 = _time(client, urls, headers or {})
        rows.append((label, p50, p95))
        worst[key] = max(worst.get(key, 0.0), p95)

    for username in ("koordinator", "systemkoordinator"):
        pages, token = _page_client(app, username), _bearer(api, username)
        timed("inbox_p95_ms", f"GET /api/v1/tasks ({username})", api,
              ["/api/v1/tasks"] * requests, token)
        for view in ("mine", "group"):
            timed("inbox_page_p95_ms", f"GET /inbox?view={view} ({username})", pages,
                  [f"/inbox?view={view}"] * requests)
    staff, token = _page_client(app, "systemkoordinator"), _bearer(api, "systemkoordinator")
    timed("search_p95_ms", "GET /cases?q=<fødselsnummer>", staff,
          [f"/cases?q={nin}" for nin in nins])
    timed("case_p95_ms", "GET /cases/<id>", staff, [f"/cases/{i}" for i in case_ids])
    timed("case_p95_ms", "GET /api/v1/cases/<id>", api, [f"/api/v1/cases/{i}" for i in case_ids],
          token)
    leder, token = _page_client(app, "leder"), _bearer(api, "leder")
    timed("monitor_p95_ms", "GET /api/v1/monitor/stuck", api,
          ["/api/v1/monitor/stuck"] * requests, token)
    # The worker's computation of the monitor's figures, once; the page reads its result.
    started = time.perf_counter()
    monitor_snapshot.refresh(db, every=timedelta(0))
    computed = (time.perf_counter() - started) * 1000
    rows.append(("monitor figures (the worker, every few minutes)", computed, computed))
    worst["monitor_snapshot_ms"] = computed
    timed("monitor_page_p95_ms", "GET /monitor", leder, ["/monitor"] * requests)
    return rows, worst


def query_plans(app: Any, client: FlaskClient, url: str, headers: dict[str, str]) -> list[str]:
    """The plan of every query one request makes that reads ``task`` or ``case_`` (EXPLAIN
    QUERY PLAN on SQLite, EXPLAIN ANALYZE on PostgreSQL), to choose and check indexes by."""
    engine = app.extensions["ipflow_db"].engine
    seen: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and (
                " task" in statement or "case_" in statement):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        client.get(url, headers=headers)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    prefix = ("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " if engine.dialect.name == "postgresql"
              else "EXPLAIN QUERY PLAN ")
    plans = []
    with engine.connect() as connection:
        for statement, parameters in seen:
            rows = connection.exec_driver_sql(prefix + statement, parameters).all()
            plan = "\n".join(str(row[-1]) for row in rows)
            plans.append(f"-- {url}\n{statement}\n{plan}")
    return plans


@bench.command(name="reads")
@click.option("--cases", default=100_000, show_default=True, type=click.IntRange(1),
              help="Cases in the scratch database.")
@click.option("--db", "kind", type=click.Choice(["sqlite", "postgresql"]), default="sqlite",
              show_default=True, help="A temporary SQLite file, or a PostgreSQL database "
              "(ipflow_bench_reads on 127.0.0.1) made and dropped for the run.")
@click.option("--database-url", default=None,
              help="A PostgreSQL database that does not exist yet (made and dropped).")
@click.option("--sample", default=len(STAGES) * len(AREAS), show_default=True,
              type=click.IntRange(1, len(STAGES) * len(AREAS)),
              help="Cases run through the engine (each stage in each service area).")
@click.option("--requests", default=100, show_default=True, type=click.IntRange(1),
              help="Requests timed per read.")
@click.option("--keep", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="A SQLite file to seed and keep, or, when it exists, to time again "
              "without seeding (migrated first).")
@click.option("--explain", is_flag=True, help="First print the plan of each read's queries.")
@click.option("--json", "as_json", is_flag=True, help="End with one line of JSON.")
def reads(cases: int, kind: str, database_url: str | None, sample: int, requests: int,
          keep: Path | None, explain: bool, as_json: bool) -> None:
    """Seed CASES cases over every step, then time the inbox, the case and the monitor."""
    reused = keep is not None and keep.exists()
    with scratch(kind, database_url, keep) as db:
        started = time.perf_counter()
        if reused:
            db.migrate()
        else:
            sample = min(sample, cases)
            with progress("Saker gjennom motoren", sample) as advance:
                run_sample(db, sample, advance)
            with progress("Saker kopiert", max(0, cases - sample)) as advance:
                bench_copy.copy_cases(db, cases, advance)
        seeded = time.perf_counter() - started
        with db.reading() as session:
            count = session.scalar(select(func.count(Case.id))) or 1
            open_cases = session.scalar(select(func.count(Case.id))
                                        .where(Case.closed_at.is_(None))) or 0
        sizes = bench_copy.bytes_by_table(db)
        plans: list[str] | None = [] if explain else None
        rows, worst = measure(db, requests, plans)
    for plan in plans or []:
        click.echo(plan + "\n")
    stored = sum(sizes.values())
    figures: dict[str, Any] = {
        **{key: round(value, 2) for key, value in worst.items()},
        "cases": count, "open_share": round(open_cases / count, 3),
        "seed_seconds": round(seeded, 1), "db_bytes_per_case": round(stored / count),
        "db_bytes_by_table": {name: size for name, size in sorted(sizes.items()) if size},
        "database": kind if not database_url else "postgresql",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    table: list[tuple[str, float, float | str]] = [(label, p50, p95) for label, p50, p95 in rows]
    table += [("seeding (s)", round(seeded, 1), ""), ("bytes per case", stored // count, "")]
    show(f"Reads at {count:,} cases ({figures['database']})", ("read", "p50 ms", "p95 ms"),
         table, figures, as_json)
