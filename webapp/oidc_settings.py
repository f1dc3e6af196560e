"""The OpenID providers' settings, read from the environment at start (``IPFLOW_OIDC_CITIZEN_*``,
``IPFLOW_OIDC_STAFF_*``; see the README): what ``webapp.oidc`` registers with Authlib.

A setting that cannot work stops the start, with a message naming the variable, rather than
the first person's login. Kept apart from the routes so that reading a configuration needs no
Flask app.

How ipflow proves itself at a provider's token endpoint: by default with its client secret
(``client_secret_basic``); with ``IPFLOW_OIDC_<P>_PRIVATE_KEY_FILE`` by a JWT it signs with its
own private key (``private_key_jwt``, RFC 7523; ID-porten offers it, HelseID requires it), and
then no secret is configured nor sent. The signing is Authlib's (``PrivateKeyJWT``); what is
ipflow's is the key, its ``kid``, the algorithm, the audience, and a lifetime of one minute.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from authlib.oauth2.rfc7523 import PrivateKeyJWT, private_key_jwt_sign
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, RSAKey

from engine.features import staff_groups
from engine.features.staff_groups import GroupRoles

PROVIDER_NAMES = ("citizen", "staff")
DEFAULT_ACR = {"citizen": "idporten-loa-high", "staff": ""}  # Normen: health data, high level
SIGNING_ALGS = {"RSA": ("RS256", "PS256"), "EC": ("ES256",)}  # by key type; the first: default
ASSERTION_SECONDS = 60  # HelseID refuses a client assertion that lives longer


@dataclass(frozen=True)
class ClientKey:
    """ipflow's private key at one provider, which knows the public half by ``key_id``.
    ``audience`` is the assertion's ``aud``; empty: the token endpoint's address."""

    key: RSAKey | ECKey = field(repr=False)
    key_id: str
    alg: str
    audience: str = ""

    def auth_method(self) -> PrivateKeyJWT:
        """The token endpoint's client authentication, for Authlib's ``client_auth_methods``."""
        return _ShortLivedPrivateKeyJWT(self)


class _ShortLivedPrivateKeyJWT(PrivateKeyJWT):  # type: ignore[misc]  # Authlib has no types
    """Authlib's ``private_key_jwt`` with the key's ``kid`` in the header (the provider picks
    the public key by it) and an assertion valid for a minute from now (``nbf`` .. ``exp``),
    where Authlib's default is an hour."""

    def __init__(self, client_key: ClientKey) -> None:
        super().__init__(token_endpoint=client_key.audience or None, alg=client_key.alg)
        self.client_key = client_key

    def sign(self, auth: Any, token_endpoint: str) -> Any:
        now = int(time.time())
        return private_key_jwt_sign(
            self.client_key.key, client_id=auth.client_id, token_endpoint=token_endpoint,
            claims={"nbf": now}, header={"kid": self.client_key.key_id, "typ": "JWT"},
            alg=self.alg, issued_at=now, expires_at=now + ASSERTION_SECONDS)


@dataclass(frozen=True)
class Provider:
    """One identity provider as ipflow's client there: the claim that names the person is
    ``pid`` for citizens (ID-porten's fødselsnummer) and ``username_claim`` for staff. With a
    ``client_key`` ipflow authenticates by ``private_key_jwt`` and ``client_secret`` is empty."""

    name: str
    discovery_url: str
    client_id: str
    client_secret: str = field(repr=False)
    scope: str = "openid profile"
    username_claim: str = "preferred_username"
    acr_values: tuple[str, ...] = ()  # asked for at the provider, in order of preference
    accepted_acr: tuple[str, ...] = ()  # the ID token's acr must be one of these (none: any)
    groups_claim: str = ""  # staff: the claim listing the person's groups (none: roles in ipflow)
    group_roles: GroupRoles = field(default_factory=dict)  # group -> the roles it gives
    client_key: ClientKey | None = None

    @property
    def origin(self) -> str:
        parts = urlsplit(self.discovery_url)
        return f"{parts.scheme}://{parts.netloc}"


def providers_from(environ: Mapping[str, str]) -> dict[str, Provider]:
    """The providers configured in ``environ``; a discovery URL without its client id and a
    secret or private key is a configuration error, said at start rather than at the first
    login."""
    found = {}
    for name in PROVIDER_NAMES:
        prefix = f"IPFLOW_OIDC_{name.upper()}_"
        url = environ.get(prefix + "DISCOVERY_URL", "")
        if not url:
            continue
        client_id = environ.get(prefix + "CLIENT_ID", "")
        client_key = client_key_from(environ, prefix)
        secret = "" if client_key else environ.get(prefix + "CLIENT_SECRET", "")
        if not client_id or not (secret or client_key):
            raise ValueError(f"{prefix}DISCOVERY_URL needs {prefix}CLIENT_ID and "
                             f"{prefix}CLIENT_SECRET or {prefix}PRIVATE_KEY_FILE")
        asked = environ.get(prefix + "ACR_VALUES", DEFAULT_ACR[name])
        found[name] = Provider(
            name, url, client_id, secret,
            scope=environ.get(prefix + "SCOPE", "openid profile"),
            username_claim=environ.get(prefix + "USERNAME_CLAIM", "preferred_username"),
            acr_values=tuple(asked.split()),
            accepted_acr=tuple(environ.get(prefix + "ACCEPTED_ACR", asked).split()),
            client_key=client_key,
            **(_groups_from(environ, prefix) if name == "staff" else {}))
    return found


def _groups_from(environ: Mapping[str, str], prefix: str) -> dict[str, Any]:
    """The group claim and its mapping to roles: both or neither."""
    claim = environ.get(prefix + "GROUPS_CLAIM", "").strip()
    mapping = staff_groups.parse_group_roles(environ.get(prefix + "GROUP_ROLES", ""))
    if bool(claim) != bool(mapping):
        raise ValueError(f"{prefix}GROUPS_CLAIM and {prefix}GROUP_ROLES go together")
    return {"groups_claim": claim, "group_roles": mapping}


def client_key_from(environ: Mapping[str, str], prefix: str) -> ClientKey | None:
    """The private key for ``private_key_jwt``, when ``PRIVATE_KEY_FILE`` names one: a PEM file
    (PKCS#8 or PKCS#1, unencrypted) or a JWK (JSON) with the private part, RSA or EC P-256.
    ``KEY_ID`` must be given: the ``kid`` the public key was registered under at the provider
    (a JWK's own ``kid`` is not trusted to be it). ``SIGNING_ALG``: RS256 (default) or PS256
    for RSA, ES256 for EC. ``ASSERTION_AUDIENCE``: the ``aud`` the provider wants, when not
    its token endpoint's address."""
    path = environ.get(prefix + "PRIVATE_KEY_FILE", "").strip()
    key_id = environ.get(prefix + "KEY_ID", "").strip()
    if not path:
        if key_id:
            raise ValueError(f"{prefix}KEY_ID is set without {prefix}PRIVATE_KEY_FILE")
        return None
    if not key_id:
        raise ValueError(f"{prefix}PRIVATE_KEY_FILE needs {prefix}KEY_ID (the key's kid at "
                         "the provider)")
    key = _read_key(Path(path), prefix + "PRIVATE_KEY_FILE")
    algs = SIGNING_ALGS[key.key_type]
    alg = environ.get(prefix + "SIGNING_ALG", "").strip() or algs[0]
    if alg not in algs:
        raise ValueError(f"{prefix}SIGNING_ALG {alg} does not go with an {key.key_type} key "
                         f"(possible: {', '.join(algs)})")
    return ClientKey(key, key_id, alg, environ.get(prefix + "ASSERTION_AUDIENCE", "").strip())


def _read_key(path: Path, variable: str) -> RSAKey | ECKey:
    """The private key in the file, or a ``ValueError`` saying what is wrong with it."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ValueError(f"{variable}: cannot read {path}: {error.strerror}") from error
    key = _import(data)
    if key is None:
        raise ValueError(f"{variable}: {path} holds no key ipflow can read (a PEM or JWK "
                         "private key, RSA or EC)")
    if isinstance(key, ECKey) and key.curve_name != "P-256":
        raise ValueError(f"{variable}: {path} is an EC key on {key.curve_name}, not P-256")
    if not key.is_private:
        raise ValueError(f"{variable}: {path} holds a public key, not the private key")
    return key


def _import(data: bytes) -> RSAKey | ECKey | None:
    """The RSA or EC key in a JWK or PEM, or None. The key type is said to joserfc, which
    warns when left to guess it."""
    source: Any = data
    if data.lstrip().startswith(b"{"):
        try:
            source = json.loads(data)
        except ValueError:
            return None
    for key_class in (RSAKey, ECKey):
        if isinstance(source, dict) and source.get("kty") != key_class.key_type:
            continue
        try:
            return key_class.import_key(source)
        except (JoseError, ValueError, TypeError):
            continue
    return None
