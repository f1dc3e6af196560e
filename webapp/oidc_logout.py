"""OpenID Connect Back-Channel Logout 1.0: the provider tells ipflow, server to server, that a
login ended there (the person logged out at ID-porten or at the municipality's provider), and
ipflow ends that user's sessions (see docs/integrations.md, "OpenID Connect").

The provider posts a ``logout_token``, a JWT signed like its ID tokens, to
``/login/oidc/<provider>/backchannel-logout``. It is trusted only when its signature matches the
provider's published keys (fetched again for a key id not among them, a rotated key, at most
every 5 minutes) and its claims are a logout
token's: ``iss`` the provider's, ``aud`` ipflow's client id, ``iat`` recent, a ``jti``, the
back-channel logout event, ``sid`` or ``sub``, and no ``nonce`` (so an ID token is not taken
for one). The login is then looked up among those remembered at the callback
(``engine.runtime.logins``). No cookie comes with the request, so it is exempt from CSRF;
the answer is 200, or 400 with ``invalid_request`` for a token that is not trusted.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import requests
from flask import Blueprint, Response, abort, current_app, jsonify, request
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from engine.runtime import logins
from webapp.auth import db

log = logging.getLogger(__name__)
bp = Blueprint("oidc_logout", __name__)
EVENT = "http://schemas.openid.net/event/backchannel-logout"
MAX_AGE = 300  # seconds: an older logout token is refused (a replay could end a new login)
LEEWAY = 120  # seconds of clock difference allowed, as for ID tokens
REFETCH_EVERY = 300  # seconds: the least time between two fetches of a provider's keys here


@bp.post("/login/oidc/<provider>/backchannel-logout")
def backchannel(provider: str) -> Any:
    """End the sessions of the user whose provider login the logout token names."""
    settings = current_app.config["OIDC_PROVIDERS"].get(provider)
    if settings is None:
        abort(404)
    client = current_app.extensions["ipflow_oauth"].create_client(provider)
    try:
        claims = _checked(client, settings.client_id, request.form.get("logout_token", ""))
    except (JoseError, ValueError, requests.RequestException) as error:
        log.warning("OpenID Connect: %s back-channel logout refused: %r", provider, error)
        return _answer({"error": "invalid_request"}, 400)
    ended = logins.end_provider_login(db(), provider, claims.get("sub"), claims.get("sid"))
    log.info("OpenID Connect: %s ended the login of %s", provider, ", ".join(ended) or "nobody")
    return _answer({}, 200)


def _checked(client: Any, client_id: str, token: str) -> dict[str, Any]:
    """The logout token's claims, when it is one this provider signed for ipflow."""
    metadata = client.load_server_metadata()
    algorithms = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    try:
        decoded = jwt.decode(token, KeySet.import_key_set(client.fetch_jwk_set()), algorithms)
    except InvalidKeyIdError:  # perhaps a key the provider rotated in since they were fetched
        if not _may_refetch(client.name):
            raise
        decoded = jwt.decode(token, KeySet.import_key_set(client.fetch_jwk_set(force=True)),
                             algorithms)
    claims: dict[str, Any] = decoded.claims
    events = claims.get("events")
    if not isinstance(events, dict) or not isinstance(events.get(EVENT), dict):
        raise ValueError("no back-channel logout event")
    if "nonce" in claims:
        raise ValueError("a nonce: an ID token, not a logout token")
    jwt.JWTClaimsRegistry(
        leeway=LEEWAY, iss={"essential": True, "value": metadata["issuer"]},
        aud={"essential": True, "value": client_id}, iat={"essential": True},
        jti={"essential": True}).validate(claims)
    if not (isinstance(claims.get("sid"), str) or isinstance(claims.get("sub"), str)):
        raise ValueError("neither sid nor sub")
    if not isinstance(claims["iat"], int | float) or claims["iat"] < time.time() - MAX_AGE:
        raise ValueError("issued too long ago")
    return claims


def _may_refetch(provider: str) -> bool:
    """Whether the provider's keys may be fetched again now: at most once every
    :data:`REFETCH_EVERY` seconds, so that anyone posting tokens with made-up key ids cannot
    make ipflow call the provider for each."""
    last: dict[str, float] = current_app.extensions.setdefault("ipflow_jwks_refetched", {})
    now = time.monotonic()
    if now - last.get(provider, -REFETCH_EVERY) < REFETCH_EVERY:
        return False
    last[provider] = now
    return True


def _answer(body: dict[str, str], status: int) -> tuple[Response, int]:
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, status
