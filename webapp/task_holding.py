"""Who holds a task, as its page tells it before anyone types: nobody yet (take it), me, a
colleague since when (the form is read-only), or done by whom and when (also after a refused
completion, beside what the person typed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from engine.features.snapshots import TaskFacts
from engine.kernel.errors import TaskTaken
from engine.kernel.vocabulary import TaskState
from engine.runtime.users import Actor


class Hold(StrEnum):
    """Where a task stands for the person who opens it."""

    OPEN = "open"            # a group task nobody has taken: take it before typing
    MINE = "mine"            # taken by me (I may give it back)
    ASSIGNED = "assigned"    # given to me personally: nothing to take
    HELD = "held"            # taken by a colleague: read-only
    DONE = "done"            # completed (by whom, when)
    GONE = "gone"            # cancelled: the case went another way


@dataclass(frozen=True)
class Holding:
    """``by`` is the full name of who holds or completed the task, ``since`` when."""

    hold: Hold
    by: str | None = None
    since: datetime | None = None
    by_me: bool = False

    @property
    def locked(self) -> bool:
        """The person may not complete the task from this page."""
        return self.hold in (Hold.HELD, Hold.DONE, Hold.GONE)


def holding(task: TaskFacts, actor: Actor, names: dict[str, str]) -> Holding:
    """Where ``task`` stands for ``actor`` (``names``: username → full name)."""
    if task.state == TaskState.COMPLETED:
        return Holding(Hold.DONE, _name(names, task.completed_by), task.completed_at,
                       task.completed_by == actor.username)
    if task.state != TaskState.READY:
        return Holding(Hold.GONE)
    if task.claimed_by == actor.username:
        return Holding(Hold.MINE, _name(names, actor.username), task.claimed_at, True)
    if task.claimed_by:
        return Holding(Hold.HELD, _name(names, task.claimed_by), task.claimed_at)
    if task.assignee == actor.username:
        return Holding(Hold.ASSIGNED, _name(names, actor.username), None, True)
    return Holding(Hold.OPEN)


def after_refusal(error: TaskTaken, actor: Actor, names: dict[str, str]) -> Holding:
    """What a refused completion found: done or held, by whom and since when."""
    return Holding(Hold.DONE if error.done else Hold.HELD, _name(names, error.by), error.at,
                   error.by == actor.username)


def _name(names: dict[str, str], username: str | None) -> str | None:
    return names.get(username, username) if username else None
