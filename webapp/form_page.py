"""One form page request, shared by the task pages, the report and the plan's own page: show
the form in the page's language, add or remove a row, or save through the engine and show what
it refused beside the fields, with everything typed kept.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import flash, render_template, request
from flask_babel import get_locale, gettext
from flask_babel import gettext as _

from engine.features import attachments
from engine.features.drafts import Draft
from engine.kernel.errors import Conflict, InvalidData
from engine.runtime import forms
from webapp import formparse, formrender, formschema


def uploaded_file(name: str = "attachment") -> attachments.Upload | None:
    """The file posted in the multipart field ``name``, or None when none was chosen (a
    browser sends an empty part without a file name then). What it is, the engine checks."""
    sent = request.files.get(name)
    if sent is None or not sent.filename:
        return None
    return attachments.Upload(sent.filename, sent.read())


def _row_action() -> str:
    return request.form.get("_action", "").strip()


@dataclass
class FormState:
    """What a submitted form led to: done, or the form again with values and messages."""

    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    status: int = 200
    problem: str | None = None
    done: bool = False
    copied: bool = False
    refusal: Conflict | None = None
    """What a 409 said (who completed or holds a task, and when), for the page to tell."""
    row_action: str = ""
    """The row added or removed (``add:<array>``, ``remove:<array>:<index>``): focus goes there."""
    focus_start: bool = False
    """The form's first input takes the focus (the person has just taken the task)."""


def in_page_language(form: dict[str, Any]) -> dict[str, Any]:
    """The form with the texts of the page's language (its ``x-translations``)."""
    return dict(forms.localized(form, str(get_locale() or "nb")))


def in_page_words(schema: dict[str, Any], data: dict[str, Any],
                  errors: Mapping[str, str]) -> dict[str, str]:
    """The engine's refusal in the page's language: a field the form's schema refuses is named
    by its title in the page's ``schema`` (the form's own message where it words one); what
    a step's validator said stays as it was said."""
    problems = forms.submitted_problems(data, schema)
    return {key: forms.worded(problems[key], gettext) if key in problems else message
            for key, message in errors.items()}


def render_form(template: str, schema: dict[str, Any], ui: dict[str, Any], state: FormState,
            **context: Any) -> tuple[str, int]:
    form_fields = formrender.fields(schema, ui, state.values, state.errors)
    formrender.focus_after(form_fields, state.row_action)
    if state.focus_start:
        formrender.focus_first(form_fields)
    summary = formrender.error_summary(form_fields, state.errors)
    intro = [part.strip() for part in str(schema.get("description") or "").split("\n\n")
             if part.strip()]
    return render_template(template, fields=form_fields, summary=summary, problem=state.problem,
                           intro=intro, copied=state.copied, **context), state.status


def _with_row_action(schema: dict[str, Any]) -> dict[str, Any]:
    values = formparse.parse(schema, request.form, keep_rows=True)
    return formparse.apply_action(schema, values, _row_action())


PageAction = Callable[[dict[str, Any]], Any]
"""Something a page's own button does with the form as typed (take the task, save a draft)."""


class DraftButtons:
    """A form page's «Lagre utkast» and «Slett utkastet» (a task's form, the plan's): each
    posts the whole form, so what was typed stays on the page either way."""

    def __init__(self, save: Callable[[dict[str, Any]], Draft],
                 delete: Callable[[], None]) -> None:
        self._save, self._delete = save, delete
        self.saved: Draft | None = None
        self.discarded = False

    def actions(self) -> dict[str, PageAction]:
        return {"draft": self.keep, "discard_draft": self.discard}

    def keep(self, typed: dict[str, Any]) -> None:
        self.saved = self._save(typed)
        flash(_("Utkastet er lagret. Bare du ser det."), "success")

    def discard(self, _typed: dict[str, Any]) -> None:
        self._delete()
        self.discarded = True
        flash(_("Utkastet er slettet."), "success")


def _refused(schema: dict[str, Any], values: dict[str, Any], act: Callable[[], Any]
             ) -> FormState | None:
    """Run ``act``; what the engine refuses comes back with ``values`` and its messages."""
    try:
        act()
    except InvalidData as error:
        return FormState(values, in_page_words(schema, values, error.errors), 422)
    except Conflict as error:
        return FormState(values, {}, 409, error.message, refusal=error)
    return None


def submit_form(schema: dict[str, Any], initial: dict[str, Any],
            save: Callable[[dict[str, Any]], Any],
            previous: Mapping[str, Any] | None = None,
            actions: dict[str, PageAction] | None = None) -> FormState:
    """Handle one request to a form page: show, add/remove a row, copy the last answers
    (``previous``, when the task was done before), run one of the page's own ``actions`` (by
    the ``_action`` its button posts), or save through the engine.

    Every button posts the whole form, so whatever it does, what was typed comes back with the
    engine's messages, never lost; a copy replaces only the fields it has.
    """
    if request.method != "POST":
        return FormState(initial)
    action = _row_action()
    if action == formschema.COPY_PREVIOUS and previous is not None:
        typed = formparse.parse(schema, request.form, keep_rows=True)
        return FormState({**typed, **copy.deepcopy(dict(previous))}, copied=True)
    if action in (actions or {}):
        typed = formparse.parse(schema, request.form, keep_rows=True)
        return (_refused(schema, typed, lambda: (actions or {})[action](typed))
                or FormState(typed))
    if action:
        return FormState(_with_row_action(schema), row_action=action)
    data = formparse.parse(schema, request.form)
    return _refused(schema, data, lambda: save(data)) or FormState(data, done=True)
