"""``ipflow``: set up, serve, run the worker and administer, all through the engine."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import click

import processes
from cli.bench import bench
from engine.features import (
    archive_status,
    archive_transport,
    archiving,
    backup,
    deploy,
    diagram_rules,
    digital_post,
    incidents,
    innsyn,
    kpr,
    mail,
    retention,
    worker,
)
from engine.kernel.db import Database
from engine.kernel.errors import DeployRejected, EngineError
from engine.kernel.paging import MAX_PAGE, MAX_PER_PAGE, Paging
from engine.runtime import logins
from engine.runtime.users import SYSTEM


def _db() -> Database:
    return Database()


def _fail(error: EngineError) -> None:
    if isinstance(error, DeployRejected):  # each problem names its element by label and id
        click.echo("Feil: diagrammet kan ikke tas i bruk:", err=True)
        for text in error.texts():
            click.echo(f"  {text}", err=True)
        sys.exit(1)
    click.echo(f"Feil: {error.message}", err=True)
    for name, message in (error.details() or {}).items():
        click.echo(f"  {name}: {message}", err=True)
    sys.exit(1)


@click.group()
def cli() -> None:
    """ipflow: individuell plan og koordinator as executable BPMN."""


cli.add_command(bench)


@cli.command()
@click.option("--demo", is_flag=True, help="Also create demo users and demo cases.")
def init(demo: bool) -> None:
    """Create or upgrade the schema and deploy the shipped diagrams."""
    db = _db()
    db.migrate()
    for path in processes.diagram_paths():
        try:
            for version in deploy.deploy(db, path.read_bytes(), SYSTEM):
                click.echo(f"Prosess {version.key} versjon {version.version} er tatt i bruk.")
        except EngineError as error:
            _fail(error)
    if demo:
        from engine import demo as demo_data

        created = demo_data.seed(db)
        click.secho(f"ADVARSEL: demobrukerne {', '.join(demo_data.USERNAMES)} har passordet "
                    f"'{demo_data.PASSWORD}'. Bruk aldri demodata i drift.", fg="yellow", err=True)
        click.echo(f"{created} demosaker opprettet.")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes [default: 2 × cores + 1].")
@click.option("--threads", type=click.IntRange(min=1), default=1, show_default=True,
              help="Threads per worker (more than 1: gunicorn's gthread worker).")
@click.option("--timeout", type=click.IntRange(min=1), default=60, show_default=True,
              help="Seconds a request may take before its worker is restarted.")
@click.option("--dev", is_flag=True,
              help="Flask's development server, restarted when the code changes.")
@click.option("--with-worker", is_flag=True,
              help="Also run `ipflow worker` (timers, letters), stopped with the server.")
@click.option("--outbox-dir", default="outbox", show_default=True, type=click.Path(),
              help="The worker's outbox folder (with --with-worker).")
def serve(host: str, port: int, workers: int | None, threads: int, timeout: int, dev: bool,
          with_worker: bool, outbox_dir: str) -> None:
    """Serve the web pages and the JSON API with gunicorn, on PostgreSQL or SQLite."""
    from contextlib import nullcontext

    from cli import serve as server

    with server.worker_beside(outbox_dir) if with_worker else nullcontext():
        if dev:
            server.run_dev(host, port)
        else:
            server.run(server.ServerSettings(host, port, workers or server.default_workers(),
                                             threads, timeout))


@cli.command(name="worker")
@click.option("--once", is_flag=True, help="Run what is due now and exit.")
@click.option("--now", "now_text", help="Run as if it were this time (ISO 8601).")
@click.option("--interval", default=30, show_default=True, help="Seconds between rounds.")
@click.option("--outbox-dir", default="outbox", show_default=True, type=click.Path(),
              help="Folder where letters and notifications are written (without IPFLOW_SMTP_HOST, "
                   "or for recipients with no e-mail address).")
@click.option("--archive-dir", default="arkiv", show_default=True, type=click.Path(),
              help="Folder where arkivmeldinger are written, one folder each (unless "
                   "IPFLOW_ARCHIVE_AMQP_URL sends them to the archive over AMQP).")
@click.option("--batch-size", default=100, show_default=True, type=click.IntRange(min=1),
              help="Due items read per query (each is then done in its own transaction).")
@click.option("--notice-after-days", type=click.FloatRange(min=0), default=None,
              help="Days after the reminder of an overdue task before the fagleder is told "
                   "[default: IPFLOW_ESCALATION_NOTICE_DAYS or 7].")
def run_worker(once: bool, now_text: str | None, interval: int, outbox_dir: str,
               archive_dir: str, batch_size: int, notice_after_days: float | None) -> None:
    """Fire due timers, escalate overdue tasks, deliver letters and notifications, and
    compute the monitor's figures every IPFLOW_MONITOR_REFRESH_MINUTES (default 5).

    On PostgreSQL run as many workers as you like (rows are claimed with SKIP LOCKED); on
    SQLite run one.
    """
    import time
    from datetime import timedelta

    now = _parse_now(now_text)
    settings = worker.WorkerSettings.from_env(
        batch_size=batch_size,
        notice_after=None if notice_after_days is None else timedelta(days=notice_after_days))
    # Citizens' letters by digital post when IPFLOW_DIGITAL_POST_DIR is set; the rest by
    # e-mail through IPFLOW_SMTP_HOST when it is set; the outbox folder otherwise and for
    # recipients ipflow has no e-mail address for.
    db = _db()
    deliver = digital_post.delivery_from_env(
        mail.delivery_from_env(worker.file_delivery(Path(outbox_dir))))
    archive = archive_transport.from_env(Path(archive_dir))
    while True:
        result = worker.run_once(db, deliver, now, settings, archive)
        click.echo(f"{result.cases_fired} saker med tidsfrister kjørt, {result.delivered} "
                   f"meldinger levert, {result.conflicts} konflikter, "
                   f"{result.failed_deliveries} feilet levering, {result.reminders} "
                   f"påminnelser og {result.notices} varsler til fagleder.")
        if result.anonymised:
            click.echo(f"{result.anonymised} avsluttede saker anonymisert (oppbevaringstid).")
        if result.archived or result.failed_archiving or result.receipts:
            click.echo(f"{result.archived} dokumenter sendt til arkivet, "
                       f"{result.failed_archiving} feilet, {result.receipts} kvitteringer.")
        if result.monitor_refreshed:
            click.echo("Monitorens tall regnet ut på nytt.")
        for error in result.errors:
            click.echo(f"Feil: {error}", err=True)
        if once:
            return
        time.sleep(interval)


def _parse_now(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise click.BadParameter(f"ikke et ISO 8601-tidspunkt: {text}") from exc


@cli.command(name="deploy")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--check", is_flag=True, help="Only validate; store nothing.")
def deploy_command(path: str, check: bool) -> None:
    """Validate and deploy a BPMN file as a new process version."""
    data = Path(path).read_bytes()
    if check:
        parsed, _forms, errors = diagram_rules.validate(data)
        if errors:
            _fail(DeployRejected(errors))
        click.echo(f"OK: {', '.join(p.key for p in parsed)}")
        return
    try:
        for version in deploy.deploy(_db(), data, SYSTEM):
            click.echo(f"Prosess {version.key} versjon {version.version} er tatt i bruk.")
    except EngineError as error:
        _fail(error)


@cli.group()
def incident() -> None:
    """Handlers that raised, and retrying them."""


@incident.command(name="list")
@click.option("--page", type=click.IntRange(1, MAX_PAGE), default=1, show_default=True)
def incident_list(page: int) -> None:
    """The open incidents, oldest first, as many as a page of the API holds at most."""
    found = incidents.list_incidents(_db(), Paging(page, MAX_PER_PAGE))
    for item in found.rows:
        click.echo(f"{item['id']}\tsak {item['case_id']}\t{item['bpmn_id']}\t{item['error']}")
    if found.pages > 1:
        click.echo(f"Side {found.page} av {found.pages} ({found.total} hendelser): --page")


@incident.command(name="retry")
@click.argument("incident_id", type=int)
def incident_retry(incident_id: int) -> None:
    try:
        result = incidents.retry_incident(_db(), incident_id, SYSTEM)
    except EngineError as error:
        _fail(error)
    state = "løst" if result["resolved_at"] else f"feiler fortsatt: {result['error']}"
    click.echo(f"Hendelse {incident_id}: {state}")


@cli.group(name="kpr")
def kpr_group() -> None:
    """KPR reporting."""


@kpr_group.command(name="export")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="File (default: stdout).")
@click.option("--format", "kind", type=click.Choice(["json", "csv"]), default="json",
              show_default=True, help="JSON, or CSV with the same fields.")
@click.option("--all", "everything", is_flag=True,
              help="Every period, not only those not yet reported.")
@click.option("--no-mark", is_flag=True, help="Do not mark the periods as reported.")
def kpr_export(output: str | None, kind: str, everything: bool, no_mark: bool) -> None:
    """Write the KPR periods not yet reported (format ipflow-kpr, docs/integrations.md) and
    mark them reported once written; a period that ends later is reported again."""
    db = _db()
    try:
        result = kpr.export(db, "csv" if kind == "csv" else "json", everything=everything)
    except ValueError as error:  # IPFLOW_MUNICIPALITY_NUMBER is not a kommunenummer
        raise click.ClickException(str(error)) from error
    if output:
        Path(output).write_text(result.text, encoding="utf-8")
    else:
        click.echo(result.text, nl=False)
    marked = 0 if no_mark else kpr.mark_reported(db, result.periods)
    click.echo(f"{len(result.periods)} perioder skrevet, {marked} merket som rapportert",
               err=True)


@cli.group(name="archive")
def archive_group() -> None:
    """The municipality's archive (Fiks Arkiv arkivmeldinger)."""


@archive_group.command(name="export")
@click.argument("case_id", type=int)
@click.option("--output", "-o", default="arkiv-eksport", show_default=True,
              type=click.Path(file_okay=False), help="Folder to write into.")
def archive_export(case_id: int, output: str) -> None:
    """Write the arkivmelding of every record of one case, one folder each (arkivmelding.xml
    and the documents), as the worker's directory target does; nothing is marked sent."""
    try:
        references = archiving.export_case(_db(), case_id, Path(output), SYSTEM.username)
    except EngineError as error:
        _fail(error)
    click.echo(f"{len(references)} arkivmeldinger for sak {case_id} skrevet til {output}.")


@archive_group.command(name="retry")
@click.option("--case", "case_id", type=int, default=None,
              help="Only this case's records (default: every record that waits).")
def archive_retry(case_id: int | None) -> None:
    """Send again the records the worker stopped trying (the monitor's archive page lists
    them with the archive's error): run once the cause is fixed."""
    count = archive_status.retry_given_up(_db(), case_id)
    click.echo(f"{count} dokumenter sendes til arkivet på nytt ved neste runde.")


@cli.command(name="backup")
@click.argument("path", type=click.Path(dir_okay=False))
def backup_command(path: str) -> None:
    """Write the whole database (every table, documents' files included) to one file."""
    manifest = backup.backup(_db(), Path(path))
    rows = sum(t["rows"] for t in manifest["tables"].values())
    click.echo(f"Sikkerhetskopi skrevet til {path}: {len(manifest['tables'])} tabeller, "
               f"{rows} rader.")


@cli.command(name="restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--replace", is_flag=True,
              help="Delete everything in the database first (otherwise it must be empty).")
def restore_command(path: str, replace: bool) -> None:
    """Restore a backup into an empty database at the same schema revision."""
    try:
        manifest = backup.restore(_db(), Path(path), replace=replace)
    except EngineError as error:
        _fail(error)
    rows = sum(t["rows"] for t in manifest["tables"].values())
    click.echo(f"Gjenopprettet {rows} rader fra sikkerhetskopien av {manifest['created_at']}.")


@cli.group(name="retention")
def retention_group() -> None:
    """Anonymising closed cases after the retention period (IPFLOW_RETENTION_YEARS)."""


@retention_group.command(name="run")
@click.option("--dry-run", is_flag=True, help="Only list the cases that are due; change nothing.")
@click.option("--now", "now_text", help="Run as if it were this time (ISO 8601).")
def retention_run(dry_run: bool, now_text: str | None) -> None:
    """Anonymise every closed case whose retention period has run out."""
    result = retention.run(_db(), _parse_now(now_text), dry_run=dry_run)
    ids = ", ".join(str(i) for i in result.case_ids) or "ingen"
    verb = "ville blitt anonymisert" if dry_run else "anonymisert"
    click.echo(f"Saker avsluttet før {result.cutoff.date().isoformat()} "
               f"({result.years} års oppbevaringstid) {verb}: {ids}")


@cli.command(name="export-citizen")
@click.argument("nin")
@click.argument("path", type=click.Path(dir_okay=False))
def export_citizen(nin: str, path: str) -> None:
    """Everything ipflow holds about one person (GDPR art. 15) as one zip; the export is
    written to the access log of each of their cases (as ``system``)."""
    try:
        content = innsyn.export(_db(), nin, SYSTEM)
    except EngineError as error:
        _fail(error)
    Path(path).write_bytes(content)
    click.echo(f"Innsyn skrevet til {path} ({len(content)} byte).")


@cli.group(name="user")
def user_group() -> None:
    """A user's password, roles and sessions; each change that takes something away ends
    every session and API token the user has."""


def _run(change: Callable[[], None], done: str) -> None:
    try:
        change()
    except EngineError as error:
        _fail(error)
    click.echo(done)


@user_group.command(name="password")
@click.argument("username")
@click.password_option(prompt="Nytt passord")
def user_password(username: str, password: str) -> None:
    """Set a new password (asked for twice, never on the command line)."""
    _run(lambda: logins.set_password(_db(), username, password),
         f"Nytt passord for {username}; alle innlogginger er avsluttet.")


@user_group.command(name="roles")
@click.argument("username")
@click.argument("roles", nargs=-1, required=True)
def user_roles(username: str, roles: tuple[str, ...]) -> None:
    """Give exactly ROLES, each ROLE or ROLE:SERVICE_AREA (e.g. koordinator:helse)."""
    pairs = [(role, area or None) for role, _, area in (text.partition(":") for text in roles)]
    _run(lambda: logins.set_roles(_db(), username, pairs), f"Rollene til {username} er satt.")


@user_group.command(name="deactivate")
@click.argument("username")
def user_deactivate(username: str) -> None:
    """The user can no longer log in; every session ends."""
    _run(lambda: logins.deactivate(_db(), username),
         f"{username} er deaktivert; alle innlogginger er avsluttet.")


@user_group.command(name="logout")
@click.argument("username")
def user_logout(username: str) -> None:
    """End every session and API token of the user (a lost laptop, a leaked token)."""
    _run(lambda: logins.end_sessions(_db(), username),
         f"Alle innlogginger for {username} er avsluttet.")


if __name__ == "__main__":  # ``python -m cli.main``: how ipflow starts its own helpers
    cli()
