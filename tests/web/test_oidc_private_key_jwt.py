"""ipflow authenticating at the provider's token endpoint with ``private_key_jwt`` (RFC 7523)
instead of a client secret, as HelseID requires and ID-porten offers: against a real provider
(``tests/support/oidc.py``) whose clients ``citizen-key`` and ``staff-key`` have no secret, only
the public keys the test made. The key files and their checks at start are
``webapp.oidc_settings``'s.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs

import pytest
from flask import Flask
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, RSAKey

from tests.support.oidc import LocalProvider, log_in, running_provider, signed_in_username
from tests.support.pages import Page
from tests.support.people import KARI
from webapp.oidc_settings import ASSERTION_SECONDS, providers_from

RSA_KID = "ipflow-rsa-2026"
EC_KID = "ipflow-ec-2026"
RSA = RSAKey.generate_key(2048, parameters={"kid": RSA_KID})
EC = ECKey.generate_key("P-256", parameters={"kid": EC_KID})


@pytest.fixture(scope="module")
def provider() -> Iterator[LocalProvider]:
    jwks = KeySet([RSA, EC]).as_dict(private=False)
    with running_provider("http://localhost", client_jwks=jwks) as running:
        yield running


@pytest.fixture()
def keys(tmp_path: Path) -> dict[str, Path]:
    """ipflow's private keys as a municipality would keep them: the RSA key as PEM, the EC key
    as a JWK; and a public key and a file that is no key, for the checks at start."""
    files = {"rsa.pem": RSA.as_pem(private=True),
             "ec.jwk": json.dumps(EC.as_dict(private=True)).encode(),
             "public.pem": RSA.as_pem(private=False), "garbage.pem": b"not a key"}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    return {name: tmp_path / name for name in files}


def _environ(provider: LocalProvider, which: str, key: Path, kid: str,
             **more: str) -> dict[str, str]:
    prefix = f"IPFLOW_OIDC_{which.upper()}_"
    return {prefix + "DISCOVERY_URL": provider.discovery_url, prefix + "CLIENT_ID": f"{which}-key",
            prefix + "PRIVATE_KEY_FILE": str(key), prefix + "KEY_ID": kid,
            prefix + "USERNAME_CLAIM": "ipflow_username",
            **{prefix + name: value for name, value in more.items()}}


def test_a_staff_login_through_a_client_that_signs_with_its_rsa_key(
        make_app: Callable[..., Flask], provider: LocalProvider, keys: dict[str, Path]) -> None:
    """The secret set beside the key is neither needed nor sent: the provider's client has
    none, and would refuse a login that offered one instead of the assertion."""
    providers = providers_from(_environ(provider, "staff", keys["rsa.pem"], RSA_KID,
                                        SIGNING_ALG="PS256", CLIENT_SECRET="left-over"))
    assert providers["staff"].client_secret == ""
    client = make_app(OIDC_PROVIDERS=providers).test_client()
    response = log_in(client, provider, "staff", "koordinator")
    assert response.status_code == 302 and signed_in_username(client) == "koordinator"
    assert client.get("/inbox").status_code == 200


def test_a_citizen_login_through_a_client_that_signs_with_its_ec_jwk_for_the_issuer(
        make_app: Callable[..., Flask], provider: LocalProvider, keys: dict[str, Path]) -> None:
    providers = providers_from(_environ(provider, "citizen", keys["ec.jwk"], EC_KID,
                                        ASSERTION_AUDIENCE=provider.issuer))
    client = make_app(OIDC_PROVIDERS=providers).test_client()
    assert log_in(client, provider, "citizen", KARI).status_code == 302
    assert signed_in_username(client) == "innbygger"


def test_a_client_signing_with_another_key_is_refused_and_no_session_begins(
        make_app: Callable[..., Flask], provider: LocalProvider, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    """Another key under the registered kid: the provider's token endpoint refuses the
    assertion, and ipflow says the login could not be confirmed."""
    impostor = tmp_path / "impostor.pem"
    impostor.write_bytes(RSAKey.generate_key(2048).as_pem(private=True))
    providers = providers_from(_environ(provider, "staff", impostor, RSA_KID))
    client = make_app(OIDC_PROVIDERS=providers).test_client()
    refused = log_in(client, provider, "staff", "koordinator")
    assert refused.status_code == 401
    assert "Innloggingen kunne ikke bekreftes" in Page(refused)
    assert signed_in_username(client) is None
    assert "staff login refused" in caplog.text and "invalid_client" in caplog.text
    assert client.get("/inbox").status_code == 302  # to the login page


def test_the_assertion_names_the_key_and_lives_a_minute(keys: dict[str, Path]) -> None:
    """What the provider checks, read back with the public key: the kid it looks the key up
    by, the client as issuer and subject, the audience, and HelseID's limit of 60 seconds."""
    environ = _environ(LocalProvider("https://helseid.example", keys["rsa.pem"]), "staff",
                       keys["rsa.pem"], RSA_KID, ASSERTION_AUDIENCE="https://helseid.example/")
    client_key = providers_from(environ)["staff"].client_key
    assert client_key is not None
    _uri, _headers, body = client_key.auth_method()(
        SimpleNamespace(client_id="staff-key"), "POST", "https://helseid.example/token", {},
        "grant_type=authorization_code")
    form = parse_qs(body)
    assert form["client_assertion_type"] == ["urn:ietf:params:oauth:client-assertion-type:"
                                             "jwt-bearer"]
    assert "client_secret" not in form
    token = jwt.decode(form["client_assertion"][0], RSA, algorithms=["RS256"])
    assert token.header == {"alg": "RS256", "kid": RSA_KID, "typ": "JWT"}
    claims = token.claims
    assert (claims["iss"], claims["sub"], claims["aud"]) == (
        "staff-key", "staff-key", "https://helseid.example/")
    assert claims["exp"] - claims["iat"] == ASSERTION_SECONDS and claims["nbf"] == claims["iat"]
    assert claims["jti"]


def test_a_key_that_cannot_be_used_stops_the_start(keys: dict[str, Path],
                                                   tmp_path: Path) -> None:
    base = {"IPFLOW_OIDC_STAFF_DISCOVERY_URL": "https://idp.example/.well-known/x",
            "IPFLOW_OIDC_STAFF_CLIENT_ID": "ipflow"}
    key = {"IPFLOW_OIDC_STAFF_PRIVATE_KEY_FILE": str(keys["rsa.pem"]),
           "IPFLOW_OIDC_STAFF_KEY_ID": RSA_KID}
    assert providers_from(base | key)["staff"].client_key is not None
    for wrong, said in (
            ({}, "CLIENT_SECRET or IPFLOW_OIDC_STAFF_PRIVATE_KEY_FILE"),
            (key | {"IPFLOW_OIDC_STAFF_KEY_ID": ""}, "needs IPFLOW_OIDC_STAFF_KEY_ID"),
            ({"IPFLOW_OIDC_STAFF_KEY_ID": RSA_KID, "IPFLOW_OIDC_STAFF_CLIENT_SECRET": "s"},
             "KEY_ID is set without"),
            (key | {"IPFLOW_OIDC_STAFF_PRIVATE_KEY_FILE": str(tmp_path / "missing.pem")},
             "cannot read"),
            (key | {"IPFLOW_OIDC_STAFF_PRIVATE_KEY_FILE": str(keys["garbage.pem"])},
             "holds no key ipflow can read"),
            (key | {"IPFLOW_OIDC_STAFF_PRIVATE_KEY_FILE": str(keys["public.pem"])},
             "a public key, not the private key"),
            (key | {"IPFLOW_OIDC_STAFF_SIGNING_ALG": "ES256"}, "does not go with an RSA key"),
            (key | {"IPFLOW_OIDC_STAFF_SIGNING_ALG": "HS256"}, "does not go with an RSA key")):
        with pytest.raises(ValueError, match=said):
            providers_from(base | wrong)


def test_the_app_does_not_start_with_a_key_file_it_cannot_use(
        make_app: Callable[..., Flask], keys: dict[str, Path], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The app reads the environment at start, as ``ipflow serve`` does: an EC key on
    another curve than P-256 (which ES256 needs) is named, and no app is made."""
    other_curve = tmp_path / "p384.jwk"
    other_curve.write_text(json.dumps(ECKey.generate_key("P-384").as_dict(private=True)))
    for name, value in {"IPFLOW_OIDC_STAFF_DISCOVERY_URL": "https://idp.example/.well-known/x",
                        "IPFLOW_OIDC_STAFF_CLIENT_ID": "ipflow",
                        "IPFLOW_OIDC_STAFF_PRIVATE_KEY_FILE": str(other_curve),
                        "IPFLOW_OIDC_STAFF_KEY_ID": EC_KID}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match="PRIVATE_KEY_FILE: .* is an EC key on P-384"):
        make_app()
    monkeypatch.setenv("IPFLOW_OIDC_STAFF_PRIVATE_KEY_FILE", str(keys["ec.jwk"]))
    assert make_app().config["OIDC_PROVIDERS"]["staff"].client_key.alg == "ES256"
