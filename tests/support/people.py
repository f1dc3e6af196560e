"""The people of the tests: the demo citizens' fødselsnummer, and the demo staff as actors."""

from __future__ import annotations

from engine.kernel.db import Database
from engine.runtime.users import Actor, get_actor

KARI = "15058510170"  # has the login ``innbygger``
OLA = "23074820085"
EMMA = "02031250032"  # born 2 March 2012: under 16 at T0, no login
PER = "11039930090"

STAFF = ("systemkoordinator", "fagleder", "koordinator", "koordinator_oppvekst",
         "fagleder_oppvekst", "innbygger")
"""The demo users the tests act as through the engine (``innbygger`` too, for consents)."""


def staff_of(db: Database) -> dict[str, Actor]:
    """The demo staff as engine actors, by username, for setting cases up through the engine."""
    return {name: get_actor(db, name) for name in STAFF}
