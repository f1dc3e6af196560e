"""What the citizen sees of the procedure: their own steps and what happens, in plain words.

The diagram's lanes are the procedure's roles (a deploy refuses a user task outside a lane
named after a role). The citizen's lane (``innbygger``) is theirs; every other lane is the
municipality's staff, whose division of work (which role, which bookkeeping step) is not the
citizen's concern. So the citizen sees what people do (the diagram's tasks) and what happens
(its events: a decision sent, a coordinator appointed, a deadline), never the automatic steps
(journal notes, KPR, registering, computing a date), and a lane named by who it is to them:
you, or the municipality, never the staff's roles.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _

from engine.features.diagram import Step
from engine.kernel.vocabulary import Role

# What happens, in any lane.
EVENT_KINDS = frozenset({"startEvent", "endEvent", "boundaryEvent", "intermediateCatchEvent",
                         "intermediateThrowEvent"})
# What a person does.
TASK_KINDS = frozenset({"userTask", "task"})


def citizen_steps(steps: Iterable[Step]) -> list[Step]:
    """The steps shown to the citizen (see the module's rule)."""
    return [step for step in steps if step.kind in EVENT_KINDS | TASK_KINDS]


def lane_for_citizen(lane: str | None) -> str:
    """The citizen's lane is theirs; every other is the municipality's."""
    return _("Deg") if lane == Role.INNBYGGER else _("Kommunen")
