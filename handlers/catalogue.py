"""Every handler and validator by name: imports each handler module so its ``@handler`` and
``@validator`` registrations run, then answers lookups. Add a new handler module here.

The registrations live in :mod:`handlers.registry`; the lookups live here, so that the registry
(imported by every handler module) never imports the handler modules back.
"""

from __future__ import annotations

from handlers import (  # noqa: F401  (imported for their registrations)
    appeals,
    citizen,
    consent,
    coordinator,
    grants,
    journal,
    kpr,
    letters,
    notify,
    plan,
    rights,
    validators,
)
from handlers.registry import Handler, Validator, registered_handlers, registered_validators


def get_handler(name: str) -> Handler:
    """Return the handler for ``name``; KeyError names the missing handler."""
    return registered_handlers()[name]


def get_validator(name: str) -> Validator:
    """Return the validator for ``name``; KeyError names the missing validator."""
    return registered_validators()[name]


def handler_names() -> set[str]:
    return set(registered_handlers())


def validator_names() -> set[str]:
    return set(registered_validators())
