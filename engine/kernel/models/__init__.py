"""The engine's tables (SQLAlchemy 2 typed declarative models), one module per concern.

Only the engine writes these. Inboxes and the monitor read ``task``, ``case`` and ``event``
rows; they never deserialize workflow state to list work. Every table is importable from here,
so callers need not know which module holds it.
"""

from engine.kernel.models.archive import ArchiveRecord, CaseArchive
from engine.kernel.models.base import Base, JsonType, PackedJson, PackedText, UTCDateTime
from engine.kernel.models.cases import (
    AccessLog,
    Case,
    Event,
    Incident,
    ProcessVersion,
    Task,
    TaskEscalation,
    Timer,
    searchable,
)
from engine.kernel.models.designer import ProcessDraft, VersionNote
from engine.kernel.models.inbox_counts import InboxCount
from engine.kernel.models.monitor import MonitorSnapshot
from engine.kernel.models.notices import PlanDraft, ReadMark, TaskDraft
from engine.kernel.models.people import (
    ApiToken,
    LoginThrottle,
    Membership,
    OidcLogin,
    ServiceArea,
    User,
    UserChange,
)
from engine.kernel.models.plans import ActionItem, PlanProposal, PlanRevision, SharingConsent
from engine.kernel.models.progress import NUDGE_EVENTS
from engine.kernel.models.records import Attachment, CaseMessage, Document, KprRecord, Outbox

__all__ = [
    "AccessLog", "ActionItem", "ApiToken", "ArchiveRecord", "Attachment", "Base", "Case",
    "CaseArchive", "CaseMessage",
    "Document", "Event", "InboxCount", "Incident", "JsonType", "KprRecord", "LoginThrottle",
    "OidcLogin", "PackedJson", "PackedText",
    "Membership", "MonitorSnapshot",
    "NUDGE_EVENTS",
    "Outbox", "PlanDraft", "PlanProposal", "PlanRevision", "ProcessDraft", "ProcessVersion",
    "ReadMark", "ServiceArea", "SharingConsent", "Task", "TaskDraft", "TaskEscalation", "Timer",
    "UTCDateTime", "User", "UserChange", "VersionNote", "searchable",
]
