"""Every text a person reads in a form, with its translation: what the designer translates.

A form node's ``title``, ``description``, choice labels (``x-enumNames``, one text each) and
its own validation messages (``x-errorMessages``, one per keyword) are written in Norwegian;
``x-translations[locale]`` beside them holds the same keys in another language
(:func:`engine.runtime.forms.localized` reads them). :func:`texts` lists them all with where
they sit, :func:`untranslated` the ones without a translation (a shipped form has none, see
``tests/engine/test_form_translations.py``), and :func:`with_translations` writes what a
designer typed back into the form.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from engine.runtime.forms import ERROR_MESSAGES, TRANSLATED, TRANSLATIONS

SEPARATOR = "|"


@dataclass(frozen=True)
class FormText:
    """One text of a form: ``ref`` names it (the path to its node, the key and, for a choice
    label or a message, which one), ``where`` is the titles down to it, ``text`` the Norwegian
    and ``translation`` the other language's ('' when missing)."""

    ref: str
    where: str
    key: str
    item: str | None
    text: str
    translation: str


def _sources(node: Mapping[str, Any]) -> Iterator[tuple[str, str | None, str]]:
    """(key, item, text) of each translatable text a node holds itself."""
    for key in TRANSLATED:
        value = node.get(key)
        if isinstance(value, str) and key != ERROR_MESSAGES:
            yield key, None, value
        elif isinstance(value, list) and key != ERROR_MESSAGES:
            yield from ((key, str(i), str(label)) for i, label in enumerate(value))
        elif isinstance(value, dict) and key == ERROR_MESSAGES:
            yield from ((key, str(k), str(message)) for k, message in value.items())


def _translation(node: Mapping[str, Any], locale: str, key: str, item: str | None) -> str:
    languages = node.get(TRANSLATIONS)
    wanted = languages.get(locale) if isinstance(languages, dict) else None
    value = wanted.get(key) if isinstance(wanted, dict) else None
    if item is None:
        return value if isinstance(value, str) else ""
    if isinstance(value, list):
        index = int(item)
        return str(value[index]) if index < len(value) and value[index] else ""
    return str(value.get(item) or "") if isinstance(value, dict) else ""


def texts(form: Mapping[str, Any], locale: str = "en") -> list[FormText]:
    """Every text of the form in document order, with its translation into ``locale``."""
    found: list[FormText] = []

    def walk(node: Any, path: tuple[str, ...], where: tuple[str, ...]) -> None:
        if isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, (*path, str(i)), where)
            return
        if not isinstance(node, dict):
            return
        title = node.get("title")
        here = (*where, title) if isinstance(title, str) and title and path else where
        for key, item, text in _sources(node):
            ref = SEPARATOR.join(["/".join(path), key, *([item] if item is not None else [])])
            found.append(FormText(ref, " › ".join(here), key, item, text,
                                  _translation(node, locale, key, item)))
        for key, value in node.items():
            if key != TRANSLATIONS and (key not in TRANSLATED or isinstance(value, dict)):
                walk(value, (*path, key), here)

    walk(form, (), ())
    return found


def untranslated(form: Mapping[str, Any], locale: str = "en") -> list[FormText]:
    return [text for text in texts(form, locale) if not text.translation.strip()]


def _node(form: Any, path: str) -> Any:
    node = form
    for part in path.split("/") if path else []:
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def with_translations(form: Mapping[str, Any], locale: str,
                      answers: Mapping[str, str]) -> dict[str, Any]:
    """A copy of the form with ``answers`` (ref → text) as its ``locale`` translations; an
    empty answer removes that translation. Refs the form does not have are ignored."""
    result = copy.deepcopy(dict(form))
    for text in texts(form, locale):
        if text.ref not in answers:
            continue
        answer = answers[text.ref].strip()
        node = _node(result, text.ref.split(SEPARATOR)[0])
        wanted = node.setdefault(TRANSLATIONS, {}).setdefault(locale, {})
        if text.item is None:
            wanted[text.key] = answer
        elif text.key == ERROR_MESSAGES:
            wanted.setdefault(text.key, {})[text.item] = answer
        else:
            labels = wanted.setdefault(text.key, [])
            labels.extend([""] * (len(node[text.key]) - len(labels)))
            labels[int(text.item)] = answer
        _drop_empty(wanted, text.key)
        if not wanted:
            del node[TRANSLATIONS][locale]
    return result


def _drop_empty(wanted: dict[str, Any], key: str) -> None:
    value = wanted.get(key)
    if not value or (isinstance(value, dict) and not any(value.values())) or (
            isinstance(value, list) and not any(value)):
        wanted.pop(key, None)
    elif isinstance(value, dict):
        wanted[key] = {k: v for k, v in value.items() if v}
