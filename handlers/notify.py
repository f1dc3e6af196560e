"""Notifications to the koordinerende enhet.

The seed procedure has the coordinator "melde frå til systemkoordinator" at several points (IP
declined in the electronic tool, plan closed, coordinator changed). The diagram chooses the
subject; the body names the citizen and the case so the message can be acted on.
"""

from __future__ import annotations

from typing import Any

from handlers.params import param
from handlers.registry import HandlerContext, handler

SYSTEMKOORDINATOR = "systemkoordinator"  # the role key: every user with that role


@handler("notify.systemkoordinator")
def systemkoordinator(context: HandlerContext, data: dict[str, Any]) -> None:
    """Send ``subject`` to the systemkoordinator role with a short body naming citizen and case.

    The fødselsnummer is left out on purpose: a notification is not the place for it.
    """
    subject = param(context, "subject")
    lines = [f"Sak {context.case_id}: {data.get('citizen_name') or 'ukjent innbygger'}."]
    if data.get("service_area"):
        lines.append(f"Tjenesteområde: {data['service_area']}.")
    if data.get("coordinator"):
        lines.append(f"Koordinator: {context.directory.display_name(data['coordinator'])}.")
    lines.append(f"{subject}.")
    context.effects.notify(SYSTEMKOORDINATOR, subject, "\n".join(lines))
