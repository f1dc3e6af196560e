"""The municipality's settings for handlers, read from the environment.

Letters carry the municipality's letterhead and count the appeal period from when the citizen
received the letter; both differ between municipalities, so they are configuration, not code:

    IPFLOW_MUNICIPALITY_NAME, IPFLOW_MUNICIPALITY_UNIT, IPFLOW_MUNICIPALITY_ADDRESS,
    IPFLOW_MUNICIPALITY_PHONE, IPFLOW_MUNICIPALITY_EMAIL, IPFLOW_LETTER_DELIVERY_DAYS

Unset variables keep the demo municipality's values (``handlers.registry.HandlerSettings``).
The monitor's refresh interval (``IPFLOW_MONITOR_REFRESH_MINUTES``) is the operator's too, as
is the SMTP relay the worker sends notices through (``IPFLOW_SMTP_*``, :func:`smtp_settings`),
and the municipality number KPR exports carry (``IPFLOW_MUNICIPALITY_NUMBER``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from datetime import timedelta

from handlers.registry import HandlerSettings

_VARIABLES = {
    "municipality_name": "IPFLOW_MUNICIPALITY_NAME",
    "unit": "IPFLOW_MUNICIPALITY_UNIT",
    "address": "IPFLOW_MUNICIPALITY_ADDRESS",
    "phone": "IPFLOW_MUNICIPALITY_PHONE",
    "email": "IPFLOW_MUNICIPALITY_EMAIL",
    "letter_delivery_days": "IPFLOW_LETTER_DELIVERY_DAYS",
}


def handler_settings() -> HandlerSettings:
    """The settings from the environment; a delivery time that is not a whole number of days
    (0 or more) is a configuration error and raises ValueError naming the variable."""
    values: dict[str, object] = {}
    for field in fields(HandlerSettings):
        raw = os.environ.get(_VARIABLES[field.name], "").strip()
        if not raw:
            continue
        if field.name == "letter_delivery_days":
            if not raw.isdigit():
                raise ValueError(f"{_VARIABLES[field.name]} must be a whole number of days, "
                                 f"not {raw!r}")
            values[field.name] = int(raw)
        else:
            values[field.name] = raw
    return HandlerSettings(**values)  # type: ignore[arg-type]


MONITOR_REFRESH_ENV = "IPFLOW_MONITOR_REFRESH_MINUTES"
MONITOR_REFRESH_DEFAULT = 5.0


def monitor_refresh() -> timedelta:
    """How often the worker computes the monitor's figures (heat map, areas, trends) again:
    ``IPFLOW_MONITOR_REFRESH_MINUTES``, default 5. Computing them reads every open case, so
    the page reads the newest computed figures instead; a value that is not a positive
    number of minutes is a configuration error and raises ValueError naming the variable."""
    raw = os.environ.get(MONITOR_REFRESH_ENV, "").strip()
    if not raw:
        return timedelta(minutes=MONITOR_REFRESH_DEFAULT)
    try:
        minutes = float(raw)
    except ValueError:
        minutes = 0.0
    if not 0 < minutes < 24 * 60:
        raise ValueError(f"{MONITOR_REFRESH_ENV} must be a number of minutes above 0 and "
                         f"under a day, not {raw!r}")
    return timedelta(minutes=minutes)


@dataclass(frozen=True)
class SmtpSettings:
    """Where the worker hands notices over as e-mail: the municipality's SMTP relay.

    ``sender`` is the From address; its domain also names the Message-IDs. ``base_url`` is
    ipflow's address as the recipients reach it, for the link in each mail. ``ca_file`` is a
    CA bundle to trust instead of the system's (a relay with the municipality's own CA)."""

    host: str
    port: int = 587
    starttls: bool = True
    username: str | None = None
    password: str | None = None
    sender: str = "ipflow@localhost"
    base_url: str = "http://localhost:5000"
    ca_file: str | None = None
    timeout: float = 30.0


SMTP_HOST_ENV = "IPFLOW_SMTP_HOST"


def smtp_settings() -> SmtpSettings | None:
    """The SMTP relay from ``IPFLOW_SMTP_HOST``, ``_PORT`` (587), ``_STARTTLS`` (1; 0 turns it
    off), ``_USERNAME``, ``_PASSWORD``, ``_FROM``, ``_CA_FILE`` and ``IPFLOW_BASE_URL``; None
    when no host is set (the worker then writes the outbox folder, as the demo does). A port
    that is not a number is a configuration error and raises ValueError naming the variable."""
    host = os.environ.get(SMTP_HOST_ENV, "").strip()
    if not host:
        return None
    raw_port = os.environ.get("IPFLOW_SMTP_PORT", "").strip() or "587"
    if not raw_port.isdigit() or not 0 < int(raw_port) < 65536:
        raise ValueError(f"IPFLOW_SMTP_PORT must be a port number, not {raw_port!r}")
    defaults = SmtpSettings(host=host)
    return SmtpSettings(
        host=host, port=int(raw_port),
        starttls=os.environ.get("IPFLOW_SMTP_STARTTLS", "1").strip() not in {"0", "false", "no"},
        username=os.environ.get("IPFLOW_SMTP_USERNAME") or None,
        password=os.environ.get("IPFLOW_SMTP_PASSWORD") or None,
        sender=os.environ.get("IPFLOW_SMTP_FROM", "").strip() or defaults.sender,
        base_url=(os.environ.get("IPFLOW_BASE_URL", "").strip() or defaults.base_url).rstrip("/"),
        ca_file=os.environ.get("IPFLOW_SMTP_CA_FILE") or None)


MUNICIPALITY_NUMBER_ENV = "IPFLOW_MUNICIPALITY_NUMBER"
# Not a real municipality: Statistics Norway numbers none 9999, so a demo export cannot be
# mistaken for a municipality's.
MUNICIPALITY_NUMBER_DEFAULT = "9999"


def municipality_number() -> str:
    """The municipality's four-digit number (kommunenummer), which every KPR export carries:
    ``IPFLOW_MUNICIPALITY_NUMBER``, default the demo's 9999. Anything but four digits is a
    configuration error and raises ValueError naming the variable."""
    raw = os.environ.get(MUNICIPALITY_NUMBER_ENV, "").strip()
    if not raw:
        return MUNICIPALITY_NUMBER_DEFAULT
    if not (len(raw) == 4 and raw.isdigit()):
        raise ValueError(f"{MUNICIPALITY_NUMBER_ENV} must be the four-digit kommunenummer, "
                         f"not {raw!r}")
    return raw
