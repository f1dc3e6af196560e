"""Staff roles and service areas from the identity provider's group claim, against a real
provider (``tests/support/oidc.py``) whose ID tokens carry the ``groups`` the test gives: who is
made, whose roles change, that each change is recorded as the leder's are, and who is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from flask import Flask
from sqlalchemy import select

from engine.features import user_admin
from engine.features.staff_groups import parse_group_roles
from engine.kernel.db import Database
from engine.kernel.models import User, UserChange
from engine.runtime import logins
from engine.runtime.users import create_user, get_actor
from tests.support.oidc import LocalProvider, log_in, running_provider, signed_in_username
from tests.support.pages import Browser, Page, inside
from webapp.oidc_settings import providers_from

MAPPING = ("ipflow-ledere=leder; ipflow-helse=koordinator@helse\n"
           "ipflow-helse = fagleder@helse; ipflow-oppvekst=koordinator@oppvekst")


@pytest.fixture(scope="module")
def provider() -> Iterator[LocalProvider]:
    with running_provider("http://localhost") as running:
        yield running


def _app(make_app: Callable[..., Flask], provider: LocalProvider,
         mapping: str = MAPPING) -> Flask:
    staff = provider.providers("staff")["staff"]
    return make_app(OIDC_PROVIDERS={"staff": replace(
        staff, groups_claim="groups", group_roles=parse_group_roles(mapping))})


@pytest.fixture()
def app(make_app: Callable[..., Flask], provider: LocalProvider) -> Flask:
    return _app(make_app, provider)


def _roles(db: Database, username: str) -> set[tuple[str, str | None]]:
    with db.reading() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        return {(m.role, m.service_area) for m in user.memberships}


def _changes(db: Database, username: str) -> list[tuple[str, str, list[list[str | None]]]]:
    with db.reading() as session:
        rows = session.scalars(select(UserChange).where(UserChange.username == username)
                               .order_by(UserChange.id))
        return [(row.actor, row.what, row.data["roles"]) for row in rows]


def test_the_mapping_is_read_from_the_environment_and_a_wrong_one_stops_the_start() -> None:
    environ = {"IPFLOW_OIDC_STAFF_DISCOVERY_URL": "https://idp.example/.well-known/x",
               "IPFLOW_OIDC_STAFF_CLIENT_ID": "ipflow", "IPFLOW_OIDC_STAFF_CLIENT_SECRET": "s"}
    assert providers_from(environ)["staff"].groups_claim == ""
    staff = providers_from(environ | {"IPFLOW_OIDC_STAFF_GROUPS_CLAIM": "groups",
                                      "IPFLOW_OIDC_STAFF_GROUP_ROLES": MAPPING})["staff"]
    assert staff.groups_claim == "groups"
    assert staff.group_roles == {
        "ipflow-ledere": (("leder", None),),
        "ipflow-helse": (("koordinator", "helse"), ("fagleder", "helse")),
        "ipflow-oppvekst": (("koordinator", "oppvekst"),)}
    claim = {"IPFLOW_OIDC_STAFF_GROUPS_CLAIM": "groups"}
    for wrong, said in ((claim, "go together"),
                        ({"IPFLOW_OIDC_STAFF_GROUP_ROLES": MAPPING}, "go together"),
                        (claim | {"IPFLOW_OIDC_STAFF_GROUP_ROLES": "g=sjef"}, "not a staff role"),
                        (claim | {"IPFLOW_OIDC_STAFF_GROUP_ROLES": "g=innbygger"},
                         "not a staff role"),
                        (claim | {"IPFLOW_OIDC_STAFF_GROUP_ROLES": "g leder"}, "GROUP=ROLE")):
        with pytest.raises(ValueError, match=said):
            providers_from(environ | wrong)


def test_a_new_employee_with_mapped_groups_gets_a_user_recorded_as_the_providers_change(
        app: Flask, provider: LocalProvider, db: Database) -> None:
    provider.set_claims("nora.ny", groups=["ipflow-helse", "alle-ansatte"], name="Nora Ny",
                        email="nora.ny@kommune.example")
    client = app.test_client()
    response = log_in(client, provider, "staff", "nora.ny")
    assert response.status_code == 302 and signed_in_username(client) == "nora.ny"
    assert _roles(db, "nora.ny") == {("koordinator", "helse"), ("fagleder", "helse")}
    with db.reading() as session:
        user = session.scalars(select(User).where(User.username == "nora.ny")).one()
        assert (user.full_name, user.email, user.active) == (
            "Nora Ny", "nora.ny@kommune.example", True)
    # the leder's list of changes shows it, made by the staff's provider
    change = user_admin.recent_changes(db, get_actor(db, "leder"), "nora.ny")[0]
    assert (change.actor, change.what) == ("oidc:staff", "created")
    assert change.data["roles"] == [["fagleder", "helse"], ["koordinator", "helse"]]
    assert client.get("/inbox").status_code == 200
    leder = Browser(app.test_client())
    leder.login("leder")
    changes = inside(leder.get("/users"), "user-changes")
    assert "Opprettet – nora.ny (av identitetsleverandøren)" in " ".join(changes.split())


def test_each_login_sets_the_roles_from_the_groups_and_ends_sessions_that_had_more(
        app: Flask, provider: LocalProvider, db: Database) -> None:
    create_user(db, "per.ansatt", "passord-som-er-langt", "Per Ansatt",
                [("koordinator", "psykisk")])
    provider.set_claims("per.ansatt", groups=["ipflow-oppvekst", "ipflow-ledere"])
    first = app.test_client()
    assert log_in(first, provider, "staff", "per.ansatt").status_code == 302
    assert _roles(db, "per.ansatt") == {("koordinator", "oppvekst"), ("leder", None)}
    assert first.get("/users").status_code == 200  # a leder now

    provider.set_claims("per.ansatt", groups=["ipflow-oppvekst"])
    second = app.test_client()
    assert log_in(second, provider, "staff", "per.ansatt").status_code == 302
    assert _roles(db, "per.ansatt") == {("koordinator", "oppvekst")}
    assert "/login" in first.get("/inbox").headers["Location"]  # the leder's session ended
    assert second.get("/inbox").status_code == 200
    assert second.get("/users").status_code == 403

    log_in(app.test_client(), provider, "staff", "per.ansatt")  # unchanged: nothing recorded
    assert _changes(db, "per.ansatt") == [
        ("oidc:staff", "roles_changed", [["koordinator", "oppvekst"], ["leder", None]]),
        ("oidc:staff", "roles_changed", [["koordinator", "oppvekst"]])]


def test_groups_that_map_to_no_role_are_refused_and_nothing_changes(
        app: Flask, provider: LocalProvider, db: Database) -> None:
    provider.set_claims("ola.uten", groups=["alle-ansatte"])
    stranger = app.test_client()
    refused = log_in(stranger, provider, "staff", "ola.uten")
    assert refused.status_code == 403 and "gir deg ingen rolle i ipflow" in Page(refused)
    assert signed_in_username(stranger) is None
    with db.reading() as session:
        assert session.scalar(select(User).where(User.username == "ola.uten")) is None

    create_user(db, "siri.ansatt", "passord-som-er-langt", "Siri Ansatt",
                [("koordinator", "helse")])
    provider.set_claims("siri.ansatt")  # no groups claim at all
    client = app.test_client()
    assert log_in(client, provider, "staff", "siri.ansatt").status_code == 403
    assert signed_in_username(client) is None
    assert _roles(db, "siri.ansatt") == {("koordinator", "helse")}
    assert _changes(db, "siri.ansatt") == []


def test_a_deactivated_user_and_a_citizens_user_stay_refused_whatever_their_groups(
        app: Flask, provider: LocalProvider, db: Database) -> None:
    create_user(db, "tidligere", "passord-som-er-langt", "Tidligere Ansatt",
                [("koordinator", "helse")])
    logins.deactivate(db, "tidligere")
    for login in ("tidligere", "innbygger"):
        provider.set_claims(login, groups=["ipflow-ledere"])
        client = app.test_client()
        assert log_in(client, provider, "staff", login).status_code == 403
        assert signed_in_username(client) is None
        assert _changes(db, login) == []
    assert _roles(db, "innbygger") == {("innbygger", None)}
    with db.reading() as session:
        assert not session.scalars(select(User).where(User.username == "tidligere")).one().active


def test_a_mapping_to_a_service_area_ipflow_lacks_is_refused_and_logged(
        make_app: Callable[..., Flask], provider: LocalProvider, db: Database,
        caplog: pytest.LogCaptureFixture) -> None:
    app = _app(make_app, provider, "ipflow-barnevern=koordinator@barnevern")
    provider.set_claims("bo.ny", groups=["ipflow-barnevern"])
    client = app.test_client()
    refused = log_in(client, provider, "staff", "bo.ny")
    assert refused.status_code == 500 and "feil i oppsettet" in Page(refused)
    assert "ukjent tjenesteområde: barnevern" in caplog.text
    with db.reading() as session:
        assert session.scalar(select(User).where(User.username == "bo.ny")) is None


def test_without_a_mapping_the_group_claim_is_ignored_and_roles_stay_ipflows(
        make_app: Callable[..., Flask], provider: LocalProvider, db: Database) -> None:
    app = make_app(OIDC_PROVIDERS=provider.providers("staff"))
    create_user(db, "liv.ansatt", "passord-som-er-langt", "Liv Ansatt",
                [("koordinator", "helse")])
    provider.set_claims("liv.ansatt", groups=["ipflow-ledere"])
    client = app.test_client()
    assert log_in(client, provider, "staff", "liv.ansatt").status_code == 302
    assert _roles(db, "liv.ansatt") == {("koordinator", "helse")}
    provider.set_claims("ny.uten.konto", groups=["ipflow-ledere"])
    assert log_in(app.test_client(), provider, "staff", "ny.uten.konto").status_code == 403


def test_with_roles_from_the_provider_the_leder_sees_them_but_cannot_change_them(
        app: Flask, provider: LocalProvider, db: Database) -> None:
    """A leder's change would last until the user's next login; the page says where the
    roles come from instead of offering a form, and a posted change is refused."""
    provider.set_claims("per.ansatt", groups=["ipflow-oppvekst"])
    assert log_in(app.test_client(), provider, "staff", "per.ansatt").status_code == 302
    with db.reading() as session:
        user_id = session.scalars(select(User.id).where(User.username == "per.ansatt")).one()
    leder = Browser(app.test_client())
    leder.login("leder")
    page = leder.get(f"/users/{user_id}")
    assert 'id="user-roles"' not in page.html
    assert "Koordinator" in inside(page, "provider-roles")
    assert "settes på nytt ved hver innlogging" in page
    answer = leder.follow(leder.post(f"/users/{user_id}/roles", {"roles": ["leder:*"]}))
    assert "Rollene kommer fra identitetsleverandøren" in answer
    assert _roles(db, "per.ansatt") == {("koordinator", "oppvekst")}
    assert [what for _actor, what, _roles in _changes(db, "per.ansatt")] == ["created"]


def test_without_a_group_mapping_the_leder_changes_roles_on_the_page(
        make_app: Callable[..., Flask], provider: LocalProvider, db: Database) -> None:
    app = make_app(OIDC_PROVIDERS=provider.providers("staff"))
    create_user(db, "siri.ansatt", "passord-som-er-langt", "Siri Ansatt",
                [("koordinator", "helse")])
    with db.reading() as session:
        user_id = session.scalars(select(User.id).where(User.username == "siri.ansatt")).one()
    leder = Browser(app.test_client())
    leder.login("leder")
    assert 'id="user-roles"' in leder.get(f"/users/{user_id}").html
    leder.post(f"/users/{user_id}/roles", {"roles": ["fagleder:helse"]})
    assert _roles(db, "siri.ansatt") == {("fagleder", "helse")}
