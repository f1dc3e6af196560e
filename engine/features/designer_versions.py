"""The deployed processes as a designer sees them: every process with its newest version, each
process's version history (who deployed it, when, their note, the cases running on it), and
what changed between two versions.

Versions are compared element by element, matched by id; where a shape sits is not a change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.features import deploy
from engine.features.designer import require_designer
from engine.features.diagram_rules import BPMN_NS, NS
from engine.kernel import spiff
from engine.kernel.db import Database
from engine.kernel.errors import NotFound
from engine.kernel.models import Case, ProcessVersion, VersionNote
from engine.kernel.paging import Page, Paging, read_page
from engine.kernel.vocabulary import RUNNING_CASE_STATES
from engine.runtime.users import Actor


@dataclass(frozen=True)
class VersionRow:
    key: str
    version: int
    name: str
    deployed_by: str
    deployed_at: datetime
    note: str
    running_cases: int
    changes: DiffSummary | None  # against the version before; None for the first


@dataclass(frozen=True)
class ProcessRow:
    key: str
    name: str
    latest: int
    deployed_by: str
    deployed_at: datetime
    running_cases: int


def list_processes(db: Database, actor: Actor) -> list[ProcessRow]:
    require_designer(actor)
    with db.reading() as session:
        running = _running_by_version(session)
        rows = []
        for key in session.scalars(select(ProcessVersion.key).distinct()
                                   .order_by(ProcessVersion.key)):
            versions = list(session.scalars(select(ProcessVersion).where(
                ProcessVersion.key == key).order_by(ProcessVersion.version)))
            latest = versions[-1]
            rows.append(ProcessRow(key, latest.name, latest.version, latest.deployed_by,
                                   latest.deployed_at,
                                   sum(running.get(v.id, 0) for v in versions)))
        return rows


def history(db: Database, key: str, actor: Actor, paging: Paging) -> Page[VersionRow]:
    """A page of the versions of a process, newest first: who deployed it, when, their note,
    how many cases run on it, and what changed from the version before."""
    require_designer(actor)
    with db.reading() as session:
        versions = read_page(session, select(ProcessVersion).where(
            ProcessVersion.key == key).order_by(ProcessVersion.version.desc()), paging,
            lambda row: row[0])
        if not versions.rows:
            raise NotFound(f"Prosessen {key} finnes ikke.")
        before = session.scalar(select(ProcessVersion).where(
            ProcessVersion.key == key, ProcessVersion.version < versions.rows[-1].version)
            .order_by(ProcessVersion.version.desc()).limit(1))
        notes = dict(session.execute(select(VersionNote.process_version_id, VersionNote.note)
                                     .where(VersionNote.process_version_id.in_(
                                         [v.id for v in versions.rows]))).all())
        running = _running_by_version(session)
        rows = []
        for version, previous in zip(versions.rows, (*versions.rows[1:], before), strict=True):
            changes: DiffSummary | None = None
            if previous:
                changes = diff_documents(previous.bpmn_xml, version.bpmn_xml, previous.forms,
                                         version.forms).summary()
            rows.append(VersionRow(key, version.version, version.name, version.deployed_by,
                                   version.deployed_at, notes.get(version.id, ""),
                                   running.get(version.id, 0), changes))
        return Page(tuple(rows), versions.total, versions.page, versions.per_page)


def version_numbers(db: Database, key: str, actor: Actor) -> list[int]:
    """The process's version numbers, newest first (what the comparison offers)."""
    require_designer(actor)
    with db.reading() as session:
        numbers = list(session.scalars(select(ProcessVersion.version).where(
            ProcessVersion.key == key).order_by(ProcessVersion.version.desc())))
    if not numbers:
        raise NotFound(f"Prosessen {key} finnes ikke.")
    return numbers


def version_xml(db: Database, key: str, version: int, actor: Actor) -> str:
    require_designer(actor)
    with db.reading() as session:
        return deploy.version_row(session, key, version).bpmn_xml


def _running_by_version(session: Session) -> dict[int, int]:
    query = select(Case.process_version_id, func.count(Case.id)).where(
        Case.status.in_(RUNNING_CASE_STATES)).group_by(Case.process_version_id)
    return dict(session.execute(query).all())


# ---------------------------------------------------------------- diff


@dataclass(frozen=True)
class Element:
    """What the designer can change about one element, as comparable text."""

    id: str
    kind: str
    name: str
    attributes: dict[str, str]


@dataclass(frozen=True)
class Change:
    element: Element
    fields: list[tuple[str, str, str]]  # (what, before, after)


@dataclass(frozen=True)
class DiffSummary:
    added: int
    removed: int
    changed: int
    forms_changed: int

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.forms_changed)


@dataclass
class VersionDiff:
    added: list[Element] = field(default_factory=list)
    removed: list[Element] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    forms_added: list[str] = field(default_factory=list)
    forms_removed: list[str] = field(default_factory=list)
    forms_changed: list[str] = field(default_factory=list)

    def summary(self) -> DiffSummary:
        return DiffSummary(len(self.added), len(self.removed), len(self.changed),
                           len(self.forms_added) + len(self.forms_removed)
                           + len(self.forms_changed))


def diff_versions(db: Database, key: str, before: int, after: int, actor: Actor
                  ) -> VersionDiff:
    """Elements added, removed and changed from version ``before`` to ``after`` (and forms).

    Elements are matched by id; the layout (where a shape sits) is not a change.
    """
    require_designer(actor)
    with db.reading() as session:
        old, new = deploy.version_row(session, key, before), deploy.version_row(session, key, after)
        return diff_documents(old.bpmn_xml, new.bpmn_xml, old.forms, new.forms)


def diff_documents(old_xml: str, new_xml: str, old_forms: Mapping[str, Any],
                   new_forms: Mapping[str, Any]) -> VersionDiff:
    old, new = elements(old_xml), elements(new_xml)
    result = VersionDiff(
        added=[new[i] for i in new if i not in old],
        removed=[old[i] for i in old if i not in new],
        forms_added=sorted(set(new_forms) - set(old_forms)),
        forms_removed=sorted(set(old_forms) - set(new_forms)),
        forms_changed=sorted(n for n in set(old_forms) & set(new_forms)
                             if old_forms[n] != new_forms[n]))
    for element_id, before in old.items():
        after = new.get(element_id)
        if after is None:
            continue
        fields = [("type", before.kind, after.kind)] if before.kind != after.kind else []
        if before.name != after.name:
            fields.append(("navn", before.name, after.name))
        for what in sorted(set(before.attributes) | set(after.attributes)):
            was, now = before.attributes.get(what, ""), after.attributes.get(what, "")
            if was != now:
                fields.append((what, was, now))
        if fields:
            result.changed.append(Change(after, fields))
    return result


def elements(bpmn_xml: str) -> dict[str, Element]:
    """The flow elements, lanes and processes of a diagram with what a designer edits."""
    root = spiff.parse_xml(bpmn_xml)
    messages = {m.get("id"): m.get("name", "") for m in root.iterfind("bpmn:message", NS)}
    found: dict[str, Element] = {}
    for process in root.iterfind("bpmn:process", NS):
        lanes: dict[str, str] = {}
        for lane in process.iterfind(".//bpmn:lane", NS):
            found[lane.get("id", "")] = Element(lane.get("id", ""), "lane",
                                                lane.get("name", ""), {})
            for ref in lane.iterfind("bpmn:flowNodeRef", NS):
                lanes[(ref.text or "").strip()] = lane.get("name", "")
        found[process.get("id", "")] = Element(process.get("id", ""), "process",
                                               process.get("name", ""), {})
        _collect(process, lanes, messages, found)
    return found


def _collect(container: etree._Element, lanes: Mapping[str, str], messages: Mapping[str, str],
             found: dict[str, Element]) -> None:
    """Add the flow elements of a process or sub-process, and of the sub-processes inside it:
    the phases hold most of the procedure one level down."""
    for node in container:
        if not isinstance(node.tag, str) or etree.QName(node).namespace != BPMN_NS:
            continue
        kind = etree.QName(node).localname
        if kind in ("laneSet", "documentation", "extensionElements") or not node.get("id"):
            continue
        found[node.get("id", "")] = Element(node.get("id", ""), kind, node.get("name", ""),
                                            _attributes(node, lanes, messages))
        if kind in ("subProcess", "transaction", "adHocSubProcess"):
            _collect(node, lanes, messages, found)


def _attributes(node: etree._Element, lanes: Mapping[str, str],
                messages: Mapping[str, str]) -> dict[str, str]:
    node_id = node.get("id", "")
    attributes: dict[str, str] = {}

    def put(what: str, value: str | None) -> None:
        if value:
            attributes[what] = value.strip()

    put("bane", lanes.get(node_id))
    for prop in node.iterfind("bpmn:extensionElements/spiffworkflow:properties/"
                              "spiffworkflow:property", NS):
        labels = {"form": "skjema", "validator": "validator", "due_in": "frist"}
        put(labels.get(prop.get("name", ""), prop.get("name", "")), prop.get("value"))
    operator = node.find("bpmn:extensionElements/spiffworkflow:serviceTaskOperator", NS)
    if operator is not None:
        put("handler", operator.get("id"))
        params = [f"{p.get('id')}={p.get('value')}" for p in
                  operator.iterfind("spiffworkflow:parameters/spiffworkflow:parameter", NS)]
        put("parametere", ", ".join(params))
    put("betingelse", node.findtext("bpmn:conditionExpression", "", NS))
    put("standardflyt", node.get("default"))
    put("fra", node.get("sourceRef"))
    put("til", node.get("targetRef"))
    put("festet til", node.get("attachedToRef"))
    if node.get("attachedToRef"):
        put("avbryter", "nei" if node.get("cancelActivity") == "false" else "ja")
    put("skript", node.findtext("bpmn:script", "", NS))
    for kind, label in (("timeDuration", "varighet"), ("timeDate", "tidspunkt"),
                        ("timeCycle", "gjentakelse")):
        put(f"tid ({label})", node.findtext(f"bpmn:timerEventDefinition/bpmn:{kind}", "", NS))
    message = node.find("bpmn:messageEventDefinition", NS)
    if message is not None:
        put("melding", messages.get(message.get("messageRef", ""), message.get("messageRef")))
    return attributes
