"""Security headers on every response (pages, API, static files, errors).

The Content-Security-Policy allows scripts only from this site: no inline script and no
``on*=""`` handler runs, so an injected tag cannot act. Styles are from this site too, except in
the designer, whose modeler (bpmn-js and its properties panel) writes ``style`` attributes and
a ``<style>`` element of its own. HSTS is sent only when the app is served over HTTPS
(``IPFLOW_HTTPS=1``), since a browser that learns it over plain HTTP would refuse the site.
Forms post to this site only, and to the OpenID Connect providers' origins
(``CSP_FORM_ACTION``, set by ``webapp.oidc``): logging out answers the form with a redirect to
the provider's end-session endpoint, and a browser holds redirects after a form's submission
to form-action too.
"""

from __future__ import annotations

from flask import Flask, Response, request

_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# The modeler's own inline styles (see the module docstring); its scripts stay 'self' only.
_DESIGNER_POLICY = _POLICY | {"style-src": "'self' 'unsafe-inline'"}
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}
HSTS = "max-age=31536000; includeSubDomains"
NO_STORE_PATHS = ("/cases", "/tasks", "/inbox", "/mine")


def _policy_text(policy: dict[str, str]) -> str:
    return "; ".join(f"{name} {value}" for name, value in policy.items())


CSP = _policy_text(_POLICY)
DESIGNER_CSP = _policy_text(_DESIGNER_POLICY)


def _with_form_targets(policy: dict[str, str], origins: tuple[str, ...]) -> str:
    if not origins:
        return _policy_text(policy)
    return _policy_text(policy | {"form-action": " ".join(("'self'", *origins))})


def register(app: Flask) -> None:
    """Add the headers to every response of ``app``; HSTS when its cookies are HTTPS-only."""
    https = bool(app.config.get("SESSION_COOKIE_SECURE"))
    origins = tuple(app.config.get("CSP_FORM_ACTION", ()))
    page_csp = _with_form_targets(_POLICY, origins)
    designer_csp = _with_form_targets(_DESIGNER_POLICY, origins)

    @app.after_request
    def security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        designer = request.path.startswith("/designer")
        response.headers.setdefault("Content-Security-Policy",
                                    designer_csp if designer else page_csp)
        if https:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if request.path.startswith(NO_STORE_PATHS):
            response.headers.setdefault("Cache-Control", "no-store")
        return response
