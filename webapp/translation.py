"""The pages' translations, found once per request.

Flask-Babel finds the request's context, its locale and the catalogue it cached for that
locale again for every string it translates. A case page translates about 1,200 (its labels,
history and panels, in the templates and in Python), and that search was a third of the
page's time (``ipflow bench reads``, docs/benchmarks.md). Here the catalogue is kept for the
request where Flask-Babel keeps the request's locale (``g``), so it is found once; the
templates' ``_()`` goes to it at once, not through Flask-Babel's context and domain look-ups
(about 600 strings a case page).
"""

from __future__ import annotations

from typing import Any

import flask_babel
from babel.support import NullTranslations
from flask import Flask, g, has_app_context
from flask_babel import Babel, Domain

_KEY = "_ipflow_translations"


class RequestDomain(Domain):
    """Flask-Babel's default domain, its catalogue looked up once per request."""

    def get_translations(self) -> NullTranslations:
        if not has_app_context():
            return super().get_translations()
        found: NullTranslations | None = g.get(_KEY)
        if found is None:
            found = super().get_translations()
            setattr(g, _KEY, found)
        return found


def gettext(string: str, **variables: Any) -> str:
    """Flask-Babel's ``gettext`` for the pages' Python code, through the request's catalogue
    at once once it is found: a case page translates a few hundred strings in Python (its
    steps, history and labels), and Flask-Babel's context and domain look-ups were most of
    each."""
    found: NullTranslations | None = g.get(_KEY) if has_app_context() else None
    if found is None:
        return flask_babel.gettext(string, **variables)
    text = found.ugettext(string)
    return text % variables if variables else text


def install(app: Flask, babel: Babel) -> None:
    """Make :class:`RequestDomain` the domain of ``babel`` (Flask-Babel's, for ``app``), and
    give the templates gettext callables that go to the request's catalogue at once."""
    domain = RequestDomain(domain=app.extensions["babel"].default_domain)
    babel.domain_instance = domain
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: domain.get_translations().ugettext(s),
        ngettext=lambda s, p, n: domain.get_translations().ungettext(s, p, n),
        pgettext=lambda c, s: domain.get_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: domain.get_translations().unpgettext(c, s, p, n),
        newstyle=True)
