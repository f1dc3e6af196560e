"""Every name in the procedure contract is registered, and nothing else."""

from __future__ import annotations

from handlers.catalogue import handler_names, validator_names

CONTRACT_HANDLERS = {
    "citizen.derive",
    "citizen.age_now",
    "decision.outcome",
    "letters.decision",
    "letters.refusal",
    "letters.interim_reply",
    "letters.appeal_forwarded",
    "letters.summons",
    "letters.closing",
    "letters.coordinator_changed",
    "letters.appeal_upheld",
    "letters.appeal_decided",
    "journal.note",
    "kpr.start",
    "kpr.end",
    "coordinator.register",
    "notify.systemkoordinator",
    "plan.set_revision_date",
    "plan.record_meeting",
    "plan.record",
    "consent.record",
    "consent.withdraw",
    "appeal.open_period",
    "appeal.reinstate_plan",
    "appeal.classify",
    "appeal.grant",
    "appeal.apply_decision",
    "letters.late_appeal_rejected",
    "rights.end_ip",
    "plan.mark_established",
}
CONTRACT_VALIDATORS = {
    "validate.report",
    "validate.assessment",
    "validate.appointment",
    "validate.consent",
    "validate.plan",
    "validate.meeting",
    "validate.evaluation",
    "validate.paper_plan",
    "validate.startup_summons",
    "message.consent_withdrawn",
    "validate.appeal_reassessment",
    "message.appeal_received",
    "message.appeal_decided",
    "message.end_requested",
}


def test_handlers_match_contract() -> None:
    assert handler_names() == CONTRACT_HANDLERS


def test_validators_match_contract() -> None:
    assert validator_names() == CONTRACT_VALIDATORS
