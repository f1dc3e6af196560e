"""The process designer's drafts: diagrams and their forms, edited until they deploy.

A draft is where a designer edits: it is saved as often as they like, validated by the same
rules as a deploy on every save (the errors come back per element, for the modeler to show
on the diagram), and deployed as a new immutable version when it validates. Hostile input
(not XML, entities, oversized files) and process ids that clash with another process are
refused before anything is stored, on upload and on every save.

Only users with the ``designer`` role get here; every function checks it. The deployed versions,
their history and diffs are :mod:`engine.features.designer_versions`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

import processes
from engine.features import deploy, diagram_rules, diagram_translations, form_rules
from engine.features.diagram_names import labelled, parse_quietly, rejected
from engine.features.diagram_translations import DiagramName
from engine.kernel import clock, spiff
from engine.kernel.db import Database
from engine.kernel.errors import Forbidden, InvalidData, NotFound
from engine.kernel.models import ProcessDraft, ProcessVersion
from engine.kernel.vocabulary import Role
from engine.runtime.users import Actor
from handlers.catalogue import handler_names, validator_names

FORM_NAME = re.compile(r"^[a-z][a-z0-9_]{0,59}$")


def require_designer(actor: Actor) -> None:
    if not actor.has_role(Role.DESIGNER):
        raise Forbidden("Bare prosessdesignere har tilgang til prosessene.")


# ---------------------------------------------------------------- drafts


@dataclass(frozen=True)
class DraftView:
    id: int
    key: str
    base_version: int | None
    is_new: bool
    bpmn_xml: str
    forms: dict[str, Any]
    errors: list[dict[str, str]]
    created_by: str
    updated_by: str
    updated_at: datetime


def _view(draft: ProcessDraft) -> DraftView:
    return DraftView(draft.id, draft.key, draft.base_version, draft.is_new, draft.bpmn_xml,
                     dict(draft.forms),
                     labelled(parse_quietly(draft.bpmn_xml), draft.errors.get("items", [])),
                     draft.created_by,
                     draft.updated_by, draft.updated_at)


def _safe_root(bpmn_xml: str | bytes) -> etree._Element:
    """The parsed document, or DeployRejected for anything that is not safe BPMN XML.

    This is the gate in front of every stored draft: a file that fails here is not stored.
    """
    try:
        root = spiff.parse_xml(bpmn_xml)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise rejected(None, [{"element": "fil", "message": f"ikke gyldig BPMN-XML: {exc}"}]
                       ) from exc
    if etree.QName(root).namespace != diagram_rules.BPMN_NS or etree.QName(root).localname != \
            "definitions":
        raise rejected(None, [{"element": "fil",
                               "message": "rotelementet må være bpmn:definitions"}])
    return root


def _process_ids(root: etree._Element) -> list[str]:
    return [p.get("id", "") for p in root.iterfind("bpmn:process", diagram_rules.NS)
            if p.get("isExecutable") == "true"]


def _text(bpmn_xml: str | bytes) -> str:
    return bpmn_xml.decode("utf-8") if isinstance(bpmn_xml, bytes) else bpmn_xml


def _check(session: Session, draft: ProcessDraft, root: etree._Element,
           bpmn_xml: str | bytes) -> list[dict[str, str]]:
    """Every deploy rule, plus the rule that a draft keeps to its own process id."""
    _parsed, _forms, errors = diagram_rules.validate(bpmn_xml, draft.forms)
    clashes = deploy.key_clashes(session, _process_ids(root),
                                 key=None if draft.is_new else draft.key,
                                 new_process=draft.is_new)
    return labelled(root, clashes) + errors


def open_version(db: Database, key: str, version: int, actor: Actor) -> int:
    """A new draft holding a copy of a deployed version: its diagram and its forms."""
    require_designer(actor)
    with db.transaction() as session:
        row = deploy.version_row(session, key, version)
        now = clock.now()
        draft = ProcessDraft(key=key, base_version=row.version, is_new=False,
                             bpmn_xml=row.bpmn_xml, forms=dict(row.forms), errors={"items": []},
                             created_by=actor.username, created_at=now,
                             updated_by=actor.username, updated_at=now)
        session.add(draft)
        session.flush()
        root = _safe_root(row.bpmn_xml)
        draft.errors = {"items": _check(session, draft, root, row.bpmn_xml)}
        return draft.id


def upload(db: Database, bpmn_xml: bytes | str, actor: Actor, key: str | None = None) -> int:
    """A draft from an uploaded ``.bpmn`` file.

    ``key`` None: the file is a new process, and a process id that exists already is a clash
    (refused: use "new version" on that process instead). ``key`` given: the file is a new
    version of that process; it must hold that id and no other existing process's id.
    A hostile or clashing file is refused and nothing is stored; other problems are stored
    with the draft and shown on the diagram.
    """
    require_designer(actor)
    root = _safe_root(bpmn_xml)
    ids = _process_ids(root)
    if not ids:
        raise rejected(root, [{"element": "fil", "message": "diagrammet har ingen kjørbar "
                                                            "prosess (isExecutable=\"true\")"}])
    with db.transaction() as session:
        base = None
        if key is not None:
            base = _latest_or_404(session, key)
        clashes = deploy.key_clashes(session, ids, key=key, new_process=key is None)
        if clashes:
            raise rejected(root, clashes)
        now = clock.now()
        draft = ProcessDraft(key=key or ids[0], base_version=base.version if base else None,
                             is_new=key is None, bpmn_xml=_text(bpmn_xml),
                             forms=dict(base.forms) if base else {}, errors={"items": []},
                             created_by=actor.username, created_at=now,
                             updated_by=actor.username, updated_at=now)
        session.add(draft)
        session.flush()
        draft.errors = {"items": _check(session, draft, root, bpmn_xml)}
        return draft.id


def save(db: Database, draft_id: int, bpmn_xml: str | bytes, actor: Actor
         ) -> list[dict[str, str]]:
    """Store the edited diagram and return what stands in the way of deploying it.

    Unsafe XML is refused (DeployRejected) and the stored draft stays as it was.
    """
    require_designer(actor)
    root = _safe_root(bpmn_xml)
    with db.transaction() as session:
        draft = _draft(session, draft_id)
        errors = _check(session, draft, root, bpmn_xml)
        draft.bpmn_xml = _text(bpmn_xml)
        draft.errors = {"items": errors}
        draft.updated_by = actor.username
        draft.updated_at = clock.now()
        return errors


def check(db: Database, draft_id: int, bpmn_xml: str | bytes, actor: Actor
          ) -> list[dict[str, str]]:
    """Validate an edited diagram against the draft's forms without storing anything."""
    require_designer(actor)
    root = _safe_root(bpmn_xml)
    with db.reading() as session:
        return _check(session, _draft(session, draft_id), root, bpmn_xml)


def save_names(db: Database, draft_id: int, locale: str, answers: Mapping[str, str],
               actor: Actor) -> list[DiagramName]:
    """Write the ``locale`` names a designer typed (element id → name) into the draft's
    diagram; returns the named elements still without one."""
    require_designer(actor)
    with db.transaction() as session:
        draft = _draft(session, draft_id)
        bpmn_xml = diagram_translations.with_names(draft.bpmn_xml, locale, answers)
        draft.errors = {"items": _check(session, draft, _safe_root(bpmn_xml), bpmn_xml)}
        draft.bpmn_xml = bpmn_xml
        draft.updated_by = actor.username
        draft.updated_at = clock.now()
        return diagram_translations.untranslated(bpmn_xml, locale)


def save_form(db: Database, draft_id: int, name: str, form: Any, actor: Actor) -> None:
    """Put a form (``{title, schema, ui}``) into the draft; an invalid one is refused."""
    require_designer(actor)
    if not FORM_NAME.match(name or ""):
        raise InvalidData({"name": "Skjemanavnet må begynne med en liten bokstav og bare ha "
                                   "små bokstaver, tall og _."})
    problem = form_rules.form_problem(form)
    if problem:
        raise InvalidData({"form": problem[0].upper() + problem[1:] + "."})
    with db.transaction() as session:
        draft = _draft(session, draft_id)
        draft.forms = {**draft.forms, name: form}
        root = _safe_root(draft.bpmn_xml)
        draft.errors = {"items": _check(session, draft, root, draft.bpmn_xml)}
        draft.updated_by = actor.username
        draft.updated_at = clock.now()


def deploy_draft(db: Database, draft_id: int, actor: Actor, note: str | None = None
                 ) -> list[deploy.VersionInfo]:
    """Deploy the draft as the next version (or first, for a new process); the draft is
    removed once its version exists. Refused with every error when it does not validate."""
    require_designer(actor)
    draft = get_draft(db, draft_id, actor)
    versions = deploy.deploy(db, draft.bpmn_xml, actor, forms=draft.forms,
                             key=None if draft.is_new else draft.key,
                             new_process=draft.is_new, note=note)
    with db.transaction() as session:
        row = session.get(ProcessDraft, draft_id)
        if row is not None:
            session.delete(row)
    return versions


def discard(db: Database, draft_id: int, actor: Actor) -> None:
    require_designer(actor)
    with db.transaction() as session:
        session.delete(_draft(session, draft_id))


def get_draft(db: Database, draft_id: int, actor: Actor) -> DraftView:
    require_designer(actor)
    with db.reading() as session:
        return _view(_draft(session, draft_id))


def list_drafts(db: Database, actor: Actor, key: str | None = None) -> list[DraftView]:
    require_designer(actor)
    with db.reading() as session:
        query = select(ProcessDraft).order_by(ProcessDraft.updated_at.desc(), ProcessDraft.id)
        if key is not None:
            query = query.where(ProcessDraft.key == key)
        return [_view(d) for d in session.scalars(query)]


def form_names(draft: DraftView) -> list[str]:
    """Forms a task in the draft may name: the draft's own and the shipped ones."""
    return sorted(set(draft.forms) | processes.form_names())


def handler_choices() -> list[str]:
    """Handlers a service task in the modeler may name (``spiffworkflow:serviceTaskOperator``)."""
    return sorted(handler_names())


def validator_choices() -> list[str]:
    """Validators a user task in the modeler may name (its ``validator`` property). The
    ``message.<name>`` ones are left out: the engine runs them for that message, no task names
    them."""
    return sorted(name for name in validator_names() if not name.startswith("message."))


def draft_form(draft: DraftView, name: str) -> dict[str, Any]:
    """The form a task in the draft would use; NotFound when there is none by that name."""
    try:
        return form_rules.find_form(name, draft.forms)
    except KeyError as exc:
        raise NotFound(f"Skjemaet {name!r} finnes ikke.") from exc


def _draft(session: Session, draft_id: int) -> ProcessDraft:
    draft = session.get(ProcessDraft, draft_id)
    if draft is None:
        raise NotFound("Utkastet finnes ikke.")
    return draft


def _latest_or_404(session: Session, key: str) -> ProcessVersion:
    row = session.scalar(select(ProcessVersion).where(ProcessVersion.key == key)
                         .order_by(ProcessVersion.version.desc()).limit(1))
    if row is None:
        raise NotFound(f"Prosessen {key} finnes ikke.")
    return row


# ---------------------------------------------------------------- form preview


def preview_form(text: str) -> tuple[dict[str, Any] | None, str | None]:
    """A form document from the editor's JSON text, or why it cannot be used."""
    try:
        form = json.loads(text)
    except ValueError as exc:
        return None, f"Ikke gyldig JSON: {exc}"
    problem = form_rules.form_problem(form)
    if problem:
        return None, problem[0].upper() + problem[1:] + "."
    return form, None
