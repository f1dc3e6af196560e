"""The engine's closed vocabularies: task and case states, event kinds and roles.

Each value is stored as a plain string (the columns stay ``String``, the JSON API shows the
string), and a ``StrEnum`` member equals its string, so rows read back compare equal to the
members without conversion. Values are never renamed: they are in databases and in clients.
"""

from __future__ import annotations

from enum import StrEnum


class TaskState(StrEnum):
    """A human task: open for work, done, or withdrawn because the case moved on."""

    READY = "ready"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class CaseState(StrEnum):
    """A case's ``status``. ``closed`` means the procedure has ended but the case may still be
    reopened by an appeal; ``completed`` and ``cancelled`` are final."""

    ACTIVE = "active"
    ERROR = "error"
    CLOSED = "closed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


# Cases the engine still runs: open in inboxes, counted as running by the designer.
RUNNING_CASE_STATES = (CaseState.ACTIVE, CaseState.ERROR)
# Cases that take no more messages, tasks or actions.
FINAL_CASE_STATES = (CaseState.COMPLETED, CaseState.CANCELLED)


class EventKind(StrEnum):
    """What an ``event`` row records. Names follow one rule: subject, then past-tense verb."""

    CASE_STARTED = "case_started"
    DUPLICATE_REGISTERED = "duplicate_registered"
    REPORT_ATTACHED = "report_attached"
    TASK_CREATED = "task_created"
    TASK_CLAIMED = "task_claimed"
    TASK_UNCLAIMED = "task_unclaimed"
    TASK_ASSIGNED = "task_assigned"
    TASK_REASSIGNED = "task_reassigned"
    TASK_COMPLETED = "task_completed"
    TASK_ESCALATED = "task_escalated"
    REMINDER_SENT = "reminder_sent"
    STEP_COMPLETED = "step_completed"
    TIMER_FIRED = "timer_fired"
    MESSAGE_RECEIVED = "message_received"
    MESSAGE_CAUGHT = "message_caught"
    END_REACHED = "end_reached"
    INCIDENT_OPENED = "incident_opened"
    INCIDENT_RETRIED = "incident_retried"
    INCIDENT_RESOLVED = "incident_resolved"
    COORDINATOR_ASSIGNED = "coordinator_assigned"
    KPR_START = "kpr_start"
    KPR_END = "kpr_end"
    THREAD_MESSAGE = "thread_message"
    PLAN_REVISED = "plan_revised"
    PLAN_PROPOSED = "plan_proposed"
    PLAN_PROPOSAL_DECLINED = "plan_proposal_declined"
    ACTION_ITEM_CHANGED = "action_item_changed"
    ACTION_ITEMS_CLOSED = "action_items_closed"
    MIGRATED = "migrated"
    CASE_COMPLETED = "case_completed"
    CASE_CLOSED = "case_closed"
    CASE_REOPENED = "case_reopened"
    CASE_CANCELLED = "case_cancelled"
    VARIABLE_CORRECTED = "variable_corrected"
    STEP_SKIPPED = "step_skipped"
    CASE_ANONYMISED = "case_anonymised"


class OutboxKind(StrEnum):
    """What an outbox row is (``outbox.kind``); the e-mail's subject says which, and nothing
    more (engine.features.mail)."""

    LETTER = "letter"
    NOTIFICATION = "notification"
    REMINDER = "reminder"
    ESCALATION = "escalation"
    TASK = "task"  # a task given to the recipient
    MESSAGE = "message"  # a new message in the thread of a case the recipient follows


class NoticeChoice(StrEnum):
    """How a user wants to hear of notices (``app_user.notices``): an e-mail for each, one a
    day for all of them, or none (they still see them marked unread in ipflow)."""

    NOW = "now"
    DAILY = "daily"
    NONE = "none"


class Role(StrEnum):
    """A role a user holds (``membership.role``) and a task is for (a lane's id)."""

    INNBYGGER = "innbygger"
    SYSTEMKOORDINATOR = "systemkoordinator"
    FAGLEDER = "fagleder"
    KOORDINATOR = "koordinator"
    DESIGNER = "designer"
    LEDER = "leder"
