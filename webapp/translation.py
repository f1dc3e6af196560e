"""The pages' translations, found once per request.

Flask-Babel finds the request's context, its locale and the catalogue it cached for that
locale again for every string it translates. A case page translates about 1,200 (its labels,
history and panels, in the templates and in Python), and that search was a third of the
page's time (``ipflow bench reads``, docs/benchmarks.md). Here the catalogue is kept for the
request where Flask-Babel keeps the request's locale (``g``), so it is found once.
"""

from __future__ import annotations

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


def install(app: Flask, babel: Babel) -> None:
    """Make :class:`RequestDomain` the domain of ``babel`` (Flask-Babel's, for ``app``)."""
    babel.domain_instance = RequestDomain(domain=app.extensions["babel"].default_domain)
