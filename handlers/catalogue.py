"""Imports every handler module so its ``@handler``/``@validator`` registrations run.

``handlers.registry.load_all`` imports this module; add a new handler module here.
"""

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
