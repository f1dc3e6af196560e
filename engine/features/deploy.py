"""Deploy diagrams into immutable, numbered process versions, and read them back.

Every deploy runs :func:`engine.features.diagram_rules.validate` first; a diagram that fails is
refused with the element's label and id and a message a process designer understands, and
nothing is stored.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.features.diagram_names import parse_quietly, rejected
from engine.features.diagram_rules import error, validate
from engine.features.form_rules import FormSource
from engine.kernel import clock, spiff
from engine.kernel.db import Database
from engine.kernel.errors import DeployRejected, Forbidden, NotFound
from engine.kernel.models import ProcessVersion, VersionNote
from engine.kernel.paging import Page, Paging, read_page
from engine.kernel.vocabulary import Role
from engine.runtime.users import Actor


@dataclass(frozen=True)
class VersionInfo:
    key: str
    version: int
    name: str
    deployed_by: str
    deployed_at: str
    start_form: dict[str, Any] | None


def deploy(db: Database, bpmn_xml: str | bytes, actor: Actor, *,
           forms: FormSource | None = None, key: str | None = None,
           new_process: bool = False, note: str | None = None) -> list[VersionInfo]:
    """Validate and store a diagram; an unchanged diagram (and forms) keeps its version.

    ``key``: the diagram is a new version of that process (a designer's draft); it must still
    hold that process, and may not take over another existing process's id. ``new_process``:
    every process in the file must be new (the "new process" upload). Without either, each
    process in the file becomes the next version of the process with its id (API, CLI).
    ``forms`` are a draft's own forms; the version stores every form it uses either way.
    """
    if not actor.has_role(Role.DESIGNER) and actor.username != "system":
        raise Forbidden("bare prosessdesignere kan ta i bruk diagrammer")
    parsed, used_forms, errors = validate(bpmn_xml, forms)
    if errors:
        raise DeployRejected(errors)
    text = bpmn_xml.decode() if isinstance(bpmn_xml, bytes) else bpmn_xml
    checksum = hashlib.sha256(text.encode()).hexdigest()
    deployed = []
    with db.transaction() as session:
        clashes = key_clashes(session, [p.key for p in parsed], key=key, new_process=new_process)
        if clashes:
            raise rejected(parse_quietly(bpmn_xml), clashes)
        for process in parsed:
            latest = _latest(session, process.key)
            if latest is None or latest.checksum != checksum or latest.forms != used_forms:
                latest = ProcessVersion(
                    key=process.key, version=(latest.version + 1 if latest else 1),
                    name=process.name, bpmn_xml=text, checksum=checksum,
                    spec_json=process.spec_json, forms=used_forms,
                    deployed_by=actor.username, deployed_at=clock.now())
                session.add(latest)
                session.flush()
                if note and note.strip():
                    session.add(VersionNote(process_version_id=latest.id, note=note.strip()))
            deployed.append(_info(latest))
    return deployed


def key_clashes(session: Session, keys: list[str], *, key: str | None = None,
                new_process: bool = False) -> list[dict[str, str]]:
    """Process ids in a diagram that belong to another process than the one meant.

    A draft of ``key`` must keep ``key`` and may not hold another existing process; a new
    process may not reuse any existing id. Ids that exist are compared exactly.
    """
    existing = set(session.scalars(select(ProcessVersion.key).where(
        ProcessVersion.key.in_(keys)).distinct())) if keys else set()
    errors = []
    if key is not None and key not in keys:
        errors.append(error(keys[0] if keys else "fil",
                             f"utkastet gjelder prosessen {key!r}, men diagrammet har ingen "
                             f"prosess med den id-en; prosess-id-en kan ikke endres"))
    for other in keys:
        if other in existing and (new_process or (key is not None and other != key)):
            errors.append(error(other, f"prosess-id-en {other!r} er allerede i bruk av en "
                                        "annen prosess; velg en ny id eller last opp filen "
                                        "som ny versjon av den prosessen"))
    return errors


def _latest(session: Session, key: str) -> ProcessVersion | None:
    return session.scalar(select(ProcessVersion).where(ProcessVersion.key == key)
                          .order_by(ProcessVersion.version.desc()).limit(1))


def latest_version(session: Session, key: str) -> ProcessVersion:
    version = _latest(session, key)
    if version is None:
        raise NotFound(f"ukjent prosess: {key}")
    return version


def start_form_name(version: ProcessVersion) -> str | None:
    """The form on the start event of the version's process."""
    return spiff.start_properties(version).get("form")


def _info(version: ProcessVersion) -> VersionInfo:
    form_name = start_form_name(version)
    return VersionInfo(version.key, version.version, version.name, version.deployed_by,
                       version.deployed_at.isoformat(),
                       version.forms.get(form_name) if form_name else None)


def list_processes(db: Database, paging: Paging) -> Page[VersionInfo]:
    """The deployed processes by key, each at its newest version, a page at a time."""
    with db.reading() as session:
        keys = select(ProcessVersion.key).distinct().order_by(ProcessVersion.key)
        return read_page(session, keys, paging, lambda row: _info(latest_version(session,
                                                                                 row.key)))


def get_process(db: Database, key: str) -> VersionInfo:
    with db.reading() as session:
        return _info(latest_version(session, key))


def version_row(session: Session, key: str, version: int) -> ProcessVersion:
    """Version ``version`` of process ``key``; NotFound names both."""
    row = session.scalar(select(ProcessVersion).where(ProcessVersion.key == key,
                                                      ProcessVersion.version == version))
    if row is None:
        raise NotFound(f"Versjon {version} av {key} finnes ikke.")
    return row


def get_bpmn(db: Database, key: str, version: int | None = None) -> str:
    with db.reading() as session:
        if version is None:
            return latest_version(session, key).bpmn_xml
        return version_row(session, key, version).bpmn_xml


def version_count(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count(ProcessVersion.id))) or 0
