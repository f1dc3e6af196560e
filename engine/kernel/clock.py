"""The engine's one clock.

SpiffWorkflow's timers read the wall clock; the engine instead reads this clock so that
``ipflow worker --now`` and the tests can move time without touching the system clock.
``MUNICIPAL_TZ`` is where the clock is read by people: the engine and the pages take the zone
from here (it is defined once, in ``handlers.dates``, the lowest layer).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime

from handlers.dates import MUNICIPAL_TZ, local_date

__all__ = ["MUNICIPAL_TZ", "frozen_at", "now", "today"]

_frozen: ContextVar[datetime | None] = ContextVar("ipflow_frozen_now", default=None)


def now() -> datetime:
    """The current time in UTC, or the time set by :func:`frozen_at`."""
    return _frozen.get() or datetime.now(UTC)


def today() -> date:
    """The date in Norway now (the clock's ``now`` is UTC, and from midnight in Oslo to
    midnight UTC the two dates differ)."""
    return local_date(now())


@contextmanager
def frozen_at(moment: datetime) -> Iterator[datetime]:
    """Run the block as if it were ``moment`` (naive values are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    token = _frozen.set(moment.astimezone(UTC))
    try:
        yield moment
    finally:
        _frozen.reset(token)
