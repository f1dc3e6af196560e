"""Logging in through OpenID Connect: ID-porten for citizens, the municipality's identity
provider for staff (see docs/integrations.md, "OpenID Connect").

Up to two providers, ``citizen`` and ``staff``, each configured by discovery URL, client id and
secret or private key (``IPFLOW_OIDC_CITIZEN_*``, ``IPFLOW_OIDC_STAFF_*``, read by
``webapp.oidc_settings``); with none configured the login page
shows the password form only, as in the demo. The protocol is Authlib's: the authorization code
flow with PKCE (S256), ``state`` and ``nonce`` kept in the signed session cookie, the ID token's
signature checked against the provider's published keys and its claims (issuer, audience,
expiry, nonce, ``at_hash``) by ``authorize_access_token``. Who the person is in ipflow is the
engine's decision (``engine.runtime.logins``): a citizen by the ``pid`` claim, an employee by
the configured username claim. Roles stay managed in ipflow unless a group claim and its
mapping to roles are configured for the staff's provider (``IPFLOW_OIDC_STAFF_GROUPS_CLAIM``,
``IPFLOW_OIDC_STAFF_GROUP_ROLES``); then each login sets them (``engine.features.staff_groups``).

The level of assurance: health data needs ID-porten's high level, so the citizens' provider is
asked for ``acr_values=idporten-loa-high`` by default, and a login whose ID token's ``acr`` is not
one of the accepted values is refused, whatever was asked (the request is only a wish: the
provider answers with the level the person actually reached). ``amr`` (how, e.g. BankID) and
``auth_time`` decide nothing here: ipflow sends no ``max_age``, and the level is the ``acr``.

Logging out ends the ipflow session and then, where the provider advertises an
``end_session_endpoint``, sends the browser there (RP-initiated logout, with the ID token as
``id_token_hint`` and the login page as ``post_logout_redirect_uri``); that address is worked
out at login and kept in the session, so ``webapp.auth``'s logout needs no provider call. The
other way round, a logout at the provider ends the ipflow sessions by back-channel logout
(``webapp.oidc_logout``), for which each login's ``sub`` and ``sid`` are remembered.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from joserfc.errors import JoseError

from engine.features import staff_groups
from engine.kernel.errors import InvalidData
from engine.runtime import logins
from webapp import oidc_logout
from webapp.auth import begin_session, db, safe_next
from webapp.oidc_settings import Provider, providers_from

log = logging.getLogger(__name__)
bp = Blueprint("oidc", __name__)
_NEXT = "oidc_next"  # the session key of the page to land on after the provider's round trip


def install(app: Flask) -> None:
    """Read the configuration (``OIDC_PROVIDERS``, ``PASSWORD_LOGIN``; the environment unless
    the app factory was given them), register the providers with Authlib and the routes, and
    let the logout form post to the providers' origins (its answer redirects there, and the
    Content-Security-Policy's form-action covers the redirects after a form's submission)."""
    app.config.setdefault("OIDC_PROVIDERS", providers_from(os.environ))
    app.config.setdefault("PASSWORD_LOGIN", os.environ.get("IPFLOW_PASSWORD_LOGIN") != "0")
    providers: dict[str, Provider] = app.config["OIDC_PROVIDERS"]
    oauth = OAuth(app)
    for provider in providers.values():
        key = provider.client_key  # private_key_jwt instead of the secret (webapp.oidc_settings)
        oauth.register(
            provider.name, client_id=provider.client_id,
            client_secret=None if key else provider.client_secret,
            server_metadata_url=provider.discovery_url,
            client_auth_methods=[key.auth_method()] if key else None,
            client_kwargs={"scope": provider.scope, "code_challenge_method": "S256",
                           "default_timeout": 10,  # seconds, for every call to the provider
                           **({"token_endpoint_auth_method": "private_key_jwt"} if key else {})})
    app.extensions["ipflow_oauth"] = oauth
    app.config["CSP_FORM_ACTION"] = tuple(sorted({p.origin for p in providers.values()}))
    app.register_blueprint(bp)
    app.register_blueprint(oidc_logout.bp)
    app.extensions["csrf"].exempt(oidc_logout.bp)  # the provider's server posts, no browser


def configured() -> dict[str, Provider]:
    providers: dict[str, Provider] = current_app.config["OIDC_PROVIDERS"]
    return providers


def roles_from_provider() -> bool:
    """Whether the staff's roles come from their provider's groups: each login then sets them,
    so a leder's change on the users page would last only until the next login."""
    return any(provider.groups_claim for provider in configured().values())


def _provider(name: str) -> tuple[Provider, Any]:
    """The provider and its Authlib client; 404 for a name that is not configured."""
    provider = configured().get(name)
    if provider is None:
        abort(404)
    return provider, current_app.extensions["ipflow_oauth"].create_client(name)


@bp.get("/login/oidc/<provider>")
def start(provider: str) -> Any:
    """Off to the provider: Authlib makes ``state``, ``nonce`` and the PKCE verifier and keeps
    them in the session for the callback (one login at a time per browser)."""
    settings, client = _provider(provider)
    for key in [key for key in session if key.startswith("_state_")]:
        session.pop(key)  # an unfinished login is forgotten, so the cookie does not grow
    session[_NEXT] = safe_next(request.args.get("next"))
    extra = {"acr_values": " ".join(settings.acr_values)} if settings.acr_values else {}
    try:
        return client.authorize_redirect(url_for("oidc.callback", provider=settings.name,
                                                 _external=True), **extra)
    except requests.RequestException as error:
        log.warning("OpenID Connect: %s's discovery failed: %s", provider, error)
        return _refused(_("Innloggingstjenesten svarer ikke. Prøv igjen senere."), 502)


@bp.get("/login/oidc/<provider>/callback")
def callback(provider: str) -> Any:
    """Back from the provider: the code exchanged (with the PKCE verifier) for tokens, the ID
    token checked, and the person it names matched to an ipflow user, or refused."""
    settings, client = _provider(provider)
    try:
        token = client.authorize_access_token()
    except (AuthlibBaseError, JoseError, ValueError) as error:  # JoseError: the ID token's checks
        log.warning("OpenID Connect: %s login refused: %r", provider, error)
        return _refused(_("Innloggingen kunne ikke bekreftes. Prøv å logge inn på nytt."), 401)
    except requests.RequestException as error:
        log.warning("OpenID Connect: %s did not answer: %s", provider, error)
        return _refused(_("Innloggingstjenesten svarer ikke. Prøv igjen senere."), 502)
    claims = token.get("userinfo")
    if not claims:  # no ID token, or no nonce to check it with: never trusted
        log.warning("OpenID Connect: %s answered without a checked ID token", provider)
        return _refused(_("Innloggingen kunne ikke bekreftes. Prøv å logge inn på nytt."), 401)
    if settings.accepted_acr and claims.get("acr") not in settings.accepted_acr:
        log.warning("OpenID Connect: %s login at level %r refused (accepted: %s)", provider,
                    claims.get("acr"), " ".join(settings.accepted_acr))
        return _refused(_("Innloggingen hadde ikke sikkerhetsnivået denne tjenesten krever. "
                          "Logg inn på nytt med en innloggingsmetode på høyt nivå, for eksempel "
                          "BankID."), 403)
    username = str(claims.get(settings.username_claim, ""))
    if settings.name == "citizen":
        result = logins.citizen_login(db(), str(claims.get("pid", "")))
        refusal = _("Vi fant ingen sak hos kommunen som er knyttet til deg.")
    elif settings.groups_claim:
        try:
            result = staff_groups.staff_login(
                db(), f"oidc:{settings.name}", username, _groups(claims, settings.groups_claim),
                settings.group_roles, full_name=str(claims.get("name", "")),
                email=str(claims.get("email") or "") or None)
        except InvalidData as error:  # the mapping names a service area ipflow does not have
            log.error("OpenID Connect: IPFLOW_OIDC_STAFF_GROUP_ROLES is wrong: %s", error.errors)
            return _refused(_("Innloggingen kunne ikke fullføres på grunn av en feil i "
                              "oppsettet. Kontakt lederen for tjenesten."), 500)
        refusal = _("Identitetsleverandøren gir deg ingen rolle i ipflow, eller brukerkontoen "
                    "din er deaktivert. Kontakt lederen for tjenesten.")
    else:
        result = logins.staff_login(db(), username)
        refusal = _("Du har ingen aktiv brukerkonto i ipflow. Kontakt lederen for tjenesten.")
    if result.actor is None:
        log.info("OpenID Connect: %s login of an unknown person refused", provider)
        return _refused(refusal, 403)
    if claims.get("sub"):
        logins.remember_provider_login(
            db(), settings.name, str(claims["sub"]), str(claims.get("sid") or "") or None,
            result.actor.username, timedelta(hours=current_app.config["SESSION_MAX_HOURS"]))
    landing = session.get(_NEXT) or url_for("inbox.home")
    begin_session(result, end_session_url=_end_session_url(client, settings, token))
    return redirect(landing)


def _groups(claims: Mapping[str, Any], claim: str) -> list[str]:
    """The claim's groups: a list of names (Entra ID, Keycloak), or one name alone."""
    value = claims.get(claim)
    if isinstance(value, str):
        return [value]
    return [str(group) for group in value] if isinstance(value, list) else []


def _end_session_url(client: Any, provider: Provider, token: Mapping[str, Any]) -> str | None:
    """Where logout sends the browser next: the provider's end-session endpoint, when it has
    one, told which login ends (``id_token_hint``) and where to come back to."""
    endpoint = client.load_server_metadata().get("end_session_endpoint")
    if not endpoint:
        return None
    query = urlencode({"id_token_hint": token["id_token"], "client_id": provider.client_id,
                       "post_logout_redirect_uri": url_for("auth.login", _external=True)})
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


def _refused(message: str, status: int) -> tuple[str, int]:
    return render_template("login_refused.html", message=message), status
