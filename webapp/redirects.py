"""Where a ``next`` field or the referrer may send the browser: a path on this site only.

Browsers forgive a lot in a ``Location`` header: they drop tabs and newlines, turn ``\\`` into
``/`` and treat ``//host`` as another site. So a target is unquoted first and refused when it
holds a scheme, a host, a backslash, a control character or whitespace, or starts with ``//``;
every redirect that follows a user-given target goes through :func:`local_path`.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit


def _is_local(target: str) -> bool:
    # The unquoted path (not the query, where an encoded space is ordinary) is checked too, so
    # a target encoded once more than the browser decodes cannot slip through.
    for text in (target, unquote(target.partition("?")[0])):
        if not text.startswith("/") or text.startswith("//") or "\\" in text:
            return False
        if any(c.isspace() or unicodedata.category(c)[0] == "C" for c in text):
            return False
        parts = urlsplit(text)
        if parts.scheme or parts.netloc:
            return False
    return True


def local_path(target: str | None, default: str, *, under: str = "/") -> str:
    """``target`` when it is a path on this site starting with ``under``, else ``default``."""
    if target and _is_local(target) and target.startswith(under):
        return target
    return default
