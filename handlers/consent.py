"""Recording informed consent.

No plan may be made against the citizen's will, and information may only be shared with the
participants the citizen (or, below 16, the guardians) agreed to. Each period's consent is kept in
``consents`` so it can be shown later: who consented, when, to what, and to which sharing.
"""

from __future__ import annotations

from typing import Any

from handlers.params import param
from handlers.registry import HandlerContext, handler


@handler("consent.record")
def record(context: HandlerContext, data: dict[str, Any]) -> dict[str, Any]:
    """Append the consent given in the consent form to ``consents``, tagged with the ``period``
    parameter (e.g. the first plan period or a renewal)."""
    period = param(context, "period")
    sharing = list(data.get("sharing_consents") or [])
    kinds = [
        kind
        for kind, given in (("plan", data.get("consent_to_plan")), ("sharing", bool(sharing)))
        if given
    ]
    entry = {
        "period": period,
        "date": data.get("consent_date") or context.now.date().isoformat(),
        "given_by": list(data.get("consent_given_by") or []),
        "kinds": kinds,
        "sharing_scopes": sharing,
        "wants_ip": data.get("wants_ip"),
        "on_paper": bool(data.get("consent_on_paper")),
        "recorded_at": context.now.isoformat(),
    }
    return {"consents": [*(data.get("consents") or []), entry]}
