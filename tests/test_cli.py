"""The ``ipflow`` command line, run with click's CliRunner on a fresh SQLite file.

Each test gets its own database file through ``DATABASE_URL``, as an operator would set it.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select

from cli.main import cli
from engine.demo import CITIZENS, PASSWORD, USERNAMES
from engine.features.kpr import COLUMNS
from engine.kernel import clock
from engine.kernel.db import Database
from engine.kernel.models import AccessLog, Case, Document, ProcessVersion, Timer, User
from engine.runtime import logins, users


@pytest.fixture()
def database_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'ipflow.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture()
def demo_db(database_file: str) -> Database:
    result = run("init", "--demo")
    assert result.exit_code == 0, result.output
    return Database(database_file)


def _count(db: Database, model: type) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_init_demo_creates_schema_process_users_and_cases(database_file: str) -> None:
    result = run("init", "--demo")
    assert result.exit_code == 0, result.output
    assert "Prosess ip_koordinator versjon 1 er tatt i bruk." in result.stdout
    assert "4 demosaker opprettet." in result.stdout
    # the warning about the well-known demo password goes to stderr
    assert "ADVARSEL" in result.stderr and f"'{PASSWORD}'" in result.stderr
    assert all(name in result.stderr for name in USERNAMES)
    db = Database(database_file)
    assert _count(db, ProcessVersion) == 1
    assert _count(db, Case) == 4
    with db.reading() as session:
        assert set(USERNAMES) <= set(session.scalars(select(User.username)))


def test_init_without_demo_creates_no_users_or_cases(database_file: str) -> None:
    result = run("init")
    assert result.exit_code == 0, result.output
    assert "ADVARSEL" not in result.output
    db = Database(database_file)
    assert (_count(db, ProcessVersion), _count(db, Case), _count(db, User)) == (1, 0, 0)


def test_init_twice_is_safe(demo_db: Database) -> None:
    with demo_db.reading() as session:
        cases_before = [(c.id, c.version, c.status) for c in session.scalars(select(Case))]
    users_before = _count(demo_db, User)
    again = run("init", "--demo")
    assert again.exit_code == 0, again.output
    assert "versjon 1" in again.stdout and "versjon 2" not in again.stdout
    assert "0 demosaker opprettet." in again.stdout and "ADVARSEL" in again.stderr
    assert _count(demo_db, ProcessVersion) == 1
    assert _count(demo_db, User) == users_before
    with demo_db.reading() as session:
        cases_after = [(c.id, c.version, c.status) for c in session.scalars(select(Case))]
    assert cases_after == cases_before, "a second init --demo must not add or change cases"


def test_worker_fires_the_assessment_deadline(demo_db: Database, tmp_path: Path) -> None:
    with demo_db.reading() as session:
        waiting = session.scalar(select(Timer.case_id).where(
            Timer.bpmn_id == "assessment_deadline", Timer.fired_at.is_(None)))
    assert waiting is not None
    outbox = tmp_path / "utboks"
    now = (datetime.now(UTC) + timedelta(days=31)).isoformat()
    result = run("worker", "--once", "--now", now, "--outbox-dir", str(outbox))
    assert result.exit_code == 0, result.output
    assert "1 saker med tidsfrister kjørt" in result.stdout

    with demo_db.reading() as session:
        letters = list(session.scalars(select(Document).where(
            Document.case_id == waiting, Document.bpmn_id == "send_interim_reply")))
        timer = session.scalar(select(Timer).where(Timer.case_id == waiting,
                                                   Timer.bpmn_id == "assessment_deadline"))
    assert letters and letters[0].title.startswith("Foreløpig svar")
    assert timer is not None and timer.fired_at is not None and not timer.cancelled
    files = sorted(outbox.glob("*.txt"))
    interim = [f for f in files if "Foreløpig svar" in f.read_text(encoding="utf-8")]
    assert len(interim) == 1
    assert f"Sak: {waiting}" in interim[0].read_text(encoding="utf-8")

    # the next round has nothing due and nothing left to deliver
    again = run("worker", "--once", "--now", now, "--outbox-dir", str(outbox))
    assert again.exit_code == 0
    assert "0 saker med tidsfrister kjørt, 0 meldinger levert" in again.stdout
    assert sorted(outbox.glob("*.txt")) == files


def test_worker_rejects_a_bad_time(database_file: str) -> None:
    assert run("init").exit_code == 0
    result = run("worker", "--once", "--now", "i morgen")
    assert result.exit_code != 0
    assert "ISO 8601" in result.output


def test_kpr_export_lists_the_demo_coordinators(demo_db: Database) -> None:
    result = run("kpr", "export", "--format", "csv", "--no-mark")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == ("format,versjon,periode,fodselsnummer,tjeneste,startdato,sluttdato,"
                        "kommunenummer,sak")
    assert tuple(lines[0].split(",")) == COLUMNS
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    with demo_db.reading() as session:
        with_coordinator = {(c.citizen_nin, str(c.id)) for c in session.scalars(
            select(Case).where(Case.coordinator.is_not(None)))}
    assert len(with_coordinator) == 2
    coordinator_rows = {(r["fodselsnummer"], r["sak"]) for r in rows
                        if r["tjeneste"] == "koordinator"}
    assert coordinator_rows == with_coordinator
    for row in rows:
        assert (row["format"], row["versjon"], row["kommunenummer"]) == ("ipflow-kpr", "1",
                                                                         "9999")
        assert row["fodselsnummer"] in CITIZENS
        assert date.fromisoformat(row["startdato"]) <= clock.today()
        assert row["sluttdato"] == ""
    assert {r["tjeneste"] for r in rows} == {"koordinator", "individuell_plan"}
    assert f"{len(rows)} perioder skrevet, 0 merket som rapportert" in result.stderr


def test_kpr_export_to_a_file_marks_what_it_wrote(demo_db: Database, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IPFLOW_MUNICIPALITY_NUMBER", "4601")
    target = tmp_path / "kpr.json"
    result = run("kpr", "export", "--output", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    document = json.loads(target.read_text(encoding="utf-8"))
    assert (document["format"], document["versjon"], document["kommunenummer"]) == (
        "ipflow-kpr", 1, "4601")
    written = len(document["perioder"])
    assert written >= 3 and f"{written} merket som rapportert" in result.stderr
    again = run("kpr", "export")
    assert json.loads(again.stdout)["perioder"] == [], "everything was reported"
    everything = json.loads(run("kpr", "export", "--all", "--no-mark").stdout)
    assert len(everything["perioder"]) == written


def test_kpr_export_refuses_a_wrong_municipality_number(demo_db: Database,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IPFLOW_MUNICIPALITY_NUMBER", "46")
    result = run("kpr", "export")
    assert result.exit_code != 0 and "IPFLOW_MUNICIPALITY_NUMBER" in result.output


def test_deploy_check(database_file: str, tmp_path: Path) -> None:
    import processes

    diagram = (processes.PROCESSES_DIR / "ip_koordinator.bpmn").read_text(encoding="utf-8")
    good = run("deploy", "--check", str(processes.PROCESSES_DIR / "ip_koordinator.bpmn"))
    assert good.exit_code == 0 and "OK: ip_koordinator" in good.stdout

    broken = tmp_path / "broken.bpmn"
    broken.write_text(diagram.replace('id="letters.interim_reply"', 'id="letters.borte"'),
                      encoding="utf-8")
    result = run("deploy", "--check", str(broken))
    assert result.exit_code != 0
    # Each problem names its element by its label, the id after it.
    assert ('"Send foreløpig svar" (send_interim_reply): ukjent handler \'letters.borte\''
            in result.output)

    not_xml = tmp_path / "tekst.bpmn"
    not_xml.write_text("dette er ikke XML", encoding="utf-8")
    result = run("deploy", "--check", str(not_xml))
    assert result.exit_code != 0 and "Filen: ikke gyldig BPMN-XML" in result.output

    # --check stores nothing; a real deploy of the broken file is refused too
    assert run("init").exit_code == 0
    db = Database(database_file)
    refused = run("deploy", str(broken))
    assert refused.exit_code != 0 and '"Send foreløpig svar" (send_interim_reply)' in \
        refused.output
    assert _count(db, ProcessVersion) == 1
    changed = tmp_path / "changed.bpmn"
    changed.write_text(diagram.replace('name="Vurder og avgjør"', 'name="Vurder saken"'),
                       encoding="utf-8")
    deployed = run("deploy", str(changed))
    assert deployed.exit_code == 0 and "versjon 2" in deployed.stdout


def test_incident_retry_of_an_unknown_incident_fails_clearly(database_file: str) -> None:
    assert run("init").exit_code == 0
    result = run("incident", "retry", "999")
    assert result.exit_code != 0
    assert "Feil: Hendelsen finnes ikke." in result.stderr
    assert "Traceback" not in result.output
    listed = run("incident", "list")
    assert listed.exit_code == 0 and listed.stdout == ""


def test_backup_and_restore_commands_round_trip_into_an_empty_database(
        demo_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    file = tmp_path / "ipflow.backup"
    result = run("backup", str(file))
    assert result.exit_code == 0, result.output
    assert "Sikkerhetskopi skrevet" in result.stdout
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'restored.sqlite'}")
    restored = run("restore", str(file))
    assert restored.exit_code == 0, restored.output
    again = CliRunner().invoke(cli, ["restore", str(file)])
    assert again.exit_code == 1 and "ikke tom" in again.stderr
    target = Database(f"sqlite:///{tmp_path / 'restored.sqlite'}")
    assert _count(target, Case) == _count(demo_db, Case) == 4
    assert _count(target, Document) == _count(demo_db, Document)


def test_retention_run_names_the_period_and_the_cases(
        demo_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IPFLOW_RETENTION_YEARS", "3")
    result = run("retention", "run", "--dry-run", "--now", "2040-01-01T00:00:00+00:00")
    assert result.exit_code == 0, result.output
    # the demo's cases are all open: none is due, however late it is
    assert "Saker avsluttet før 2037-01-01 (3 års oppbevaringstid) ville blitt anonymisert: " \
           "ingen" in result.stdout


def test_export_citizen_writes_one_zip_and_logs_it(demo_db: Database, tmp_path: Path) -> None:
    nin = next(iter(CITIZENS))
    file = tmp_path / "innsyn.zip"
    result = run("export-citizen", nin, str(file))
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(file) as archive:
        content = json.loads(archive.read("innsyn.json"))
    assert content["nin"] == nin and content["cases"]
    with demo_db.reading() as session:
        assert session.scalar(select(AccessLog.username).where(AccessLog.what == "innsyn")) \
            == "system"
    refused = CliRunner().invoke(cli, ["export-citizen", "12", str(file)])
    assert refused.exit_code == 1 and "11 sifre" in refused.stderr


def test_user_commands_end_every_session(demo_db: Database) -> None:
    def session_lives(username: str, login: logins.Login) -> bool:
        return logins.session_actor(demo_db, username, login.session_version) is not None

    token = users.issue_token(demo_db, "koordinator")
    before = logins.attempt(demo_db, "koordinator", PASSWORD)
    result = run("user", "logout", "koordinator")
    assert result.exit_code == 0 and "avsluttet" in result.stdout
    assert users.actor_for_token(demo_db, token) is None
    assert not session_lives("koordinator", before)

    changed = CliRunner().invoke(cli, ["user", "password", "fagleder"],
                                 input="nytt-passord\nnytt-passord\n", catch_exceptions=False)
    assert changed.exit_code == 0, changed.output
    assert "nytt-passord" not in changed.stdout  # asked for, not echoed
    assert logins.attempt(demo_db, "fagleder", PASSWORD).actor is None
    assert logins.attempt(demo_db, "fagleder", "nytt-passord").actor is not None

    before = logins.attempt(demo_db, "leder", PASSWORD)
    assert run("user", "roles", "leder", "leder", "koordinator:helse").exit_code == 0
    assert session_lives("leder", before)  # a role added: the session lives on
    assert run("user", "roles", "leder", "koordinator:helse").exit_code == 0
    assert not session_lives("leder", before)
    assert users.get_actor(demo_db, "leder").roles == {"koordinator": frozenset({"helse"})}

    assert run("user", "deactivate", "designer").exit_code == 0
    assert logins.attempt(demo_db, "designer", PASSWORD).actor is None
    unknown = run("user", "logout", "ingen")
    assert unknown.exit_code == 1 and "ukjent bruker: ingen" in unknown.stderr
    refused = run("user", "roles", "leder", "sjef")
    assert refused.exit_code == 1 and "ukjent rolle: sjef" in refused.stderr
