"""What the citizen sees of the procedure, in plain words.

Which steps and events are theirs is the engine's rule (:mod:`engine.features.audience`,
read from the diagram); here is how the rest is named to them: a lane by who it is to them,
you or the municipality, never the staff's roles.
"""

from __future__ import annotations

from engine.kernel.vocabulary import Role
from webapp.translation import gettext as _


def lane_for_citizen(lane: str | None) -> str:
    """The citizen's lane is theirs; every other is the municipality's."""
    return _("Deg") if lane == Role.INNBYGGER else _("Kommunen")
