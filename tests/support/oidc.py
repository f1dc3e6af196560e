"""A real OpenID provider for the login tests: ``oidc_provider.mjs`` beside this file, panva's
certified ``oidc-provider`` from the npm registry (installed by ``npm ci`` in ``make install``),
run by Node.js on a free port of 127.0.0.1. Not a mock: discovery, keys, the authorization code
flow with PKCE, the ID token and RP-initiated logout are the provider's own.

:func:`sign_in` walks its development login and consent pages as a browser without JavaScript
would, for the tests that need no browser.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from webapp.oidc_settings import DEFAULT_ACR, Provider

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("oidc_provider.mjs")
USERNAME_CLAIM = "ipflow_username"  # the staff client's claim, as the script gives it
_FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*method="post">\s*'
                   r'<input type="hidden" name="prompt" value="(\w+)"')


@dataclass(frozen=True)
class LocalProvider:
    issuer: str
    accounts: Path  # the script's IPFLOW_TEST_ACCOUNTS: more claims per login

    def set_claims(self, login: str, **claims: object) -> None:
        """From the next login on, ``login``'s ID token carries ``claims`` too (e.g.
        ``groups``), instead of what an earlier call gave it."""
        accounts = json.loads(self.accounts.read_text(encoding="utf-8"))
        accounts[login] = claims
        self.accounts.write_text(json.dumps(accounts), encoding="utf-8")

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def providers(self, *names: str) -> dict[str, Provider]:
        """ipflow's configuration for the script's clients (both unless ``names`` says), with
        the levels of assurance asked for and accepted as ``providers_from`` sets by default."""
        return {name: Provider(name, self.discovery_url, name, f"{name}-secret",
                               scope="openid", username_claim=USERNAME_CLAIM,
                               acr_values=tuple(DEFAULT_ACR[name].split()),
                               accepted_acr=tuple(DEFAULT_ACR[name].split()))
                for name in names or ("citizen", "staff")}


@contextmanager
def running_provider(*origins: str, backchannel: str = "",
                     client_jwks: dict[str, object] | None = None) -> Iterator[LocalProvider]:
    """The provider, allowed to send the browser back to each of ``origins`` (ipflows); with
    ``backchannel`` (an ipflow's origin on a real port), it posts logout tokens there; with
    ``client_jwks`` (public keys), its clients ``citizen-key`` and ``staff-key`` authenticate
    by ``private_key_jwt`` with those keys."""
    if not (ROOT / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("oidc-provider is missing from node_modules: run `make install` "
                    "(npm ci installs it from package-lock.json)", pytrace=False)
    with tempfile.TemporaryFile(mode="w+") as errors, tempfile.TemporaryDirectory() as folder:
        accounts = Path(folder) / "accounts.json"
        accounts.write_text("{}", encoding="utf-8")
        settings = {"IPFLOW_TEST_ACCOUNTS": str(accounts), "IPFLOW_TEST_BACKCHANNEL": backchannel,
                    "IPFLOW_TEST_CLIENT_JWKS": json.dumps(client_jwks) if client_jwks else ""}
        process = subprocess.Popen(["node", str(SCRIPT), *origins], cwd=ROOT, text=True,
                                   stdout=subprocess.PIPE, stderr=errors,
                                   env=os.environ | settings)
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            if not line:
                process.wait(timeout=10)
                errors.seek(0)
                pytest.fail(f"the OpenID provider did not start: {errors.read()}")
            yield LocalProvider(json.loads(line)["issuer"], accounts)
        finally:
            process.terminate()
            process.wait(timeout=10)


def sign_in(authorize_url: str, login: str, issuer: str, acr: str | None = None,
            browser: requests.Session | None = None) -> str:
    """Log in as ``login`` on the provider's development pages (any password) and give
    consent; the address the provider then sends the browser to (ipflow's callback). The
    provider authenticates at the level asked for, or at ``acr`` when given (``""``: none).
    ``browser`` keeps the provider's cookies (its session) for :func:`sign_out`."""
    with nullcontext(browser) if browser else requests.Session() as browser:
        response = browser.get(authorize_url, allow_redirects=False, timeout=10)
        for _step in range(12):
            if response.is_redirect:
                location = urljoin(response.url, response.headers["Location"])
                if not location.startswith(issuer + "/"):
                    return location
                response = browser.get(location, allow_redirects=False, timeout=10)
                continue
            form = _FORM.search(response.text)
            assert form, f"no login or consent form at {response.url}: {response.text[:500]}"
            data = {"prompt": form.group(2)}
            if form.group(2) == "login":
                data.update(login=login if acr is None else f"{acr}:{login}", password="any")
            response = browser.post(urljoin(response.url, html.unescape(form.group(1))),
                                    data=data, allow_redirects=False, timeout=10)
    raise AssertionError("the provider never sent the browser back")


def to_provider(client: FlaskClient, which: str) -> str:
    """ipflow's redirect to the provider ``which`` (``citizen``, ``staff``)."""
    response = client.get(f"/login/oidc/{which}")
    assert response.status_code == 302
    return response.headers["Location"]


def back(client: FlaskClient, callback: str) -> TestResponse:
    """The provider's redirect to ipflow's callback, followed in ``client``."""
    parts = urlsplit(callback)
    return client.get(f"{parts.path}?{parts.query}")


def log_in(client: FlaskClient, provider: LocalProvider, which: str, login: str,
           acr: str | None = None) -> TestResponse:
    """Through the provider and back: ipflow's answer to the provider's callback (the provider
    authenticates at the level asked for, or at ``acr``)."""
    return back(client, sign_in(to_provider(client, which), login, provider.issuer, acr))


def signed_in_username(client: FlaskClient) -> str | None:
    """Whom ``client``'s ipflow session is for, if anyone's."""
    with client.session_transaction() as session:
        username: str | None = session.get("username")
        return username


def sign_out(browser: requests.Session, issuer: str) -> None:
    """Log out at the provider in ``browser`` (its end-session page, "Yes, sign me out"), as
    someone does in another service of the same provider; it then posts its logout tokens."""
    page = browser.get(f"{issuer}/session/end", timeout=10)
    form = re.search(r'<form id="op.logoutForm" method="post" action="([^"]+)">\s*'
                     r'<input type="hidden" name="xsrf" value="([^"]+)"', page.text)
    assert form, f"no logout form at {page.url}: {page.text[:500]}"
    answer = browser.post(urljoin(page.url, html.unescape(form.group(1))),
                          data={"xsrf": form.group(2), "logout": "yes"}, timeout=10)
    assert answer.ok, answer.text[:500]
