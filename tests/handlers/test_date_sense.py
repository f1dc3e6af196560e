"""Dates checked against sense on the engine's clock: a start-up meeting or a revision date in
the past is refused with the reason, never replaced by another date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from handlers import validators
from handlers.catalogue import get_validator
from handlers.dates import MUNICIPAL_TZ, format_date, local_date
from handlers.registry import HandlerContext
from tests.support.clock import NOW


@pytest.mark.parametrize("name", ["startup_summons", "paper_plan"])
def test_registered(name: str) -> None:
    assert get_validator(f"validate.{name}") is getattr(validators, name)


def test_a_startup_meeting_in_the_past_is_refused_with_the_reason(context: HandlerContext
                                                                  ) -> None:
    typed = (NOW - timedelta(hours=2)).astimezone(MUNICIPAL_TZ).replace(tzinfo=None)
    errors = validators.startup_summons(context, {
        "startup_meeting_at": typed.isoformat(timespec="minutes")})
    assert set(errors) == {"startup_meeting_at"}
    assert "er passert" in errors["startup_meeting_at"]
    assert "fram i tid" in errors["startup_meeting_at"]
    ahead = (NOW + timedelta(hours=2)).astimezone(MUNICIPAL_TZ).replace(tzinfo=None)
    assert validators.startup_summons(context, {"startup_meeting_at": ahead.isoformat()}) == {}


def test_the_typed_time_is_norwegian(context: HandlerContext) -> None:
    """09:30 UTC is 10:30 in Oslo: a meeting typed for 10:00 today has passed, 11:00 has not."""
    today = local_date(NOW).isoformat()
    assert validators.startup_summons(context, {"startup_meeting_at": f"{today}T10:00"})
    assert validators.startup_summons(context, {"startup_meeting_at": f"{today}T11:00"}) == {}


@pytest.mark.parametrize("name", ["plan", "paper_plan", "consent"])
def test_a_revision_date_in_the_past_is_refused_on_every_form_that_sets_one(
        context: HandlerContext, nin_for, name: str) -> None:
    today = local_date(NOW)
    yesterday = today - timedelta(days=1)
    data = {"revision_date": yesterday.isoformat(), "citizen_nin": nin_for(date(1986, 5, 15)),
            "consent_given_by": [{"name": "Ola", "relation": "selv"}],
            "consent_date": (today - timedelta(days=30)).isoformat()}
    errors = getattr(validators, name)(context, data)
    assert errors["revision_date"] == (
        f"Revisjonsdatoen {format_date(yesterday)} er passert. Velg en dato fra i dag "
        f"({format_date(today)}) eller senere.")
    assert "revision_date" not in getattr(validators, name)(
        context, {**data, "revision_date": today.isoformat()})


def test_a_consents_revision_date_must_end_the_period_it_starts(context: HandlerContext,
                                                                nin_for) -> None:
    consented = local_date(NOW) + timedelta(days=3)
    errors = validators.consent(context, {
        "citizen_nin": nin_for(date(1986, 5, 15)),
        "consent_given_by": [{"name": "Ola", "relation": "selv"}],
        "consent_date": consented.isoformat(),
        "revision_date": (consented - timedelta(days=1)).isoformat()})
    assert errors["revision_date"].startswith(
        f"Revisjonsdatoen må være etter datoen for samtykket ({format_date(consented)})")
