"""What the archive has not taken, for those who oversee the work, and giving it another try.

A record whose hand-over failed, or that the archive answered with a failure, is sent again
each worker round (:mod:`engine.features.archiving`) until :data:`archiving.MAX_ATTEMPTS`;
then it waits for people. The monitor's archive page shows both, by case number, kind and the
archive's error (no names, like the rest of the monitor), and ``ipflow archive retry`` gives
the ones that wait their attempts back once the cause is fixed. Both read the records not
sent through the partial index ``ix_archive_record_unsent``, so they stay cheap however many
records the archive has taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from engine.features.archiving import MAX_ATTEMPTS
from engine.kernel.db import Database
from engine.kernel.errors import Forbidden
from engine.kernel.models import ArchiveRecord, Document
from engine.runtime.users import OVERSIGHT_ROLES, Actor


@dataclass(frozen=True)
class ArchiveProblem:
    """One record the archive has not filed: tried ``attempts`` times, the last error."""

    case_id: int
    document_id: int
    kind: str
    attempts: int
    last_error: str | None
    receipt_at: datetime | None
    given_up: bool


@dataclass(frozen=True)
class ArchiveStatus:
    """How many records are being tried again, how many wait for people, and the newest."""

    retrying: int
    given_up: int
    problems: tuple[ArchiveProblem, ...]
    max_attempts: int = MAX_ATTEMPTS


def archive_status(db: Database, actor: Actor, limit: int = 50) -> ArchiveStatus:
    """The records not filed, those that wait for people first, newest first (at most
    ``limit``); for the monitor's roles."""
    if not actor.has_any_role(OVERSIGHT_ROLES):
        raise Forbidden("Bare leder og systemkoordinator ser arkiveringen.")
    unsent = ArchiveRecord.sent_at.is_(None)
    given_up = ArchiveRecord.attempts >= MAX_ATTEMPTS
    with db.reading() as session:
        counts = dict(session.execute(
            select(given_up, func.count()).where(unsent).group_by(given_up)).all())
        rows = session.execute(
            select(ArchiveRecord, Document.kind).join(
                Document, Document.id == ArchiveRecord.document_id)
            .where(unsent).order_by(given_up.desc(), ArchiveRecord.document_id.desc())
            .limit(limit)).all()
        problems = tuple(
            ArchiveProblem(row.case_id, row.document_id, kind, row.attempts, row.last_error,
                           row.receipt_at, row.attempts >= MAX_ATTEMPTS)
            for row, kind in rows)
    return ArchiveStatus(int(counts.get(False, 0)), int(counts.get(True, 0)), problems)


def retry_given_up(db: Database, case_id: int | None = None) -> int:
    """Give the records that wait for people (of one case, or all) their attempts back, so
    the next worker round sends them again; how many. Their last error stays until then."""
    with db.transaction() as session:
        query = (update(ArchiveRecord)
                 .where(ArchiveRecord.sent_at.is_(None), ArchiveRecord.attempts >= MAX_ATTEMPTS)
                 .values(attempts=0))
        if case_id is not None:
            query = query.where(ArchiveRecord.case_id == case_id)
        return int(session.execute(query).rowcount)  # type: ignore[attr-defined]
