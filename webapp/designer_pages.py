"""The process designer's pages (``/designer``, role ``designer`` only).

Server-rendered and usable without JavaScript: the list of processes and versions, a
version's history, the diff between two versions, uploads, form editing with a preview, and
the migration of running cases. The modeler page is the one place with JavaScript (bpmn-js,
built from npm into ``static/vendor/designer.bundle.js``); it talks to the small JSON
endpoints here (``/designer/drafts/<id>/save`` etc., CSRF token in the ``X-CSRFToken``
header). Every action is one engine call; the engine checks the role again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response as Redirect

from engine.features import designer, designer_versions, migration
from engine.kernel.errors import DeployRejected, EngineError, InvalidData
from engine.runtime import form_texts
from engine.runtime.users import PROCEDURE_ROLES
from webapp import formrender
from webapp.auth import db, login_required, signed_in_actor
from webapp.edge import paging_arg
from webapp.labels import FORM_TEXT_LABELS

bp = Blueprint("designer", __name__, url_prefix="/designer")
F = TypeVar("F", bound=Callable[..., Any])


def designer_required(view: F) -> F:
    """Logged in (else to the login page) and holding the designer role (else 403)."""

    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not signed_in_actor().has_role("designer"):
            abort(403)
        return view(*args, **kwargs)

    return cast(F, wrapped)


@bp.after_request
def no_store(response: Response) -> Response:
    """Drafts and migration previews change under the designer's hands: never cache them."""
    response.headers.setdefault("Cache-Control", "no-store")
    return response


# ---------------------------------------------------------------- processes and versions


@bp.get("/")
@designer_required
def index() -> str:
    actor = signed_in_actor()
    return render_template("designer/index.html",
                           processes=designer_versions.list_processes(db(), actor),
                           drafts=designer.list_drafts(db(), actor))


@bp.get("/processes/<key>")
@designer_required
def process(key: str) -> str:
    actor = signed_in_actor()
    versions = designer_versions.history(db(), key, actor, paging_arg())
    return render_template("designer/process.html", key=key, versions=versions,
                           numbers=designer_versions.version_numbers(db(), key, actor),
                           page_url=lambda page: url_for("designer.process", key=key,
                                                         page=page),
                           drafts=designer.list_drafts(db(), actor, key))


@bp.post("/processes/<key>/versions/<int:version>/edit")
@designer_required
def edit_version(key: str, version: int) -> Redirect:
    draft_id = designer.open_version(db(), key, version, signed_in_actor())
    return redirect(url_for("designer.draft", draft_id=draft_id))


@bp.get("/processes/<key>/versions/<int:version>/download")
@designer_required
def download(key: str, version: int) -> Response:
    xml = designer_versions.version_xml(db(), key, version, signed_in_actor())
    return Response(xml, mimetype="application/xml", headers={
        "Content-Disposition": f'attachment; filename="{key}-v{version}.bpmn"'})


@bp.get("/processes/<key>/diff")
@designer_required
def diff(key: str) -> str:
    actor = signed_in_actor()
    numbers = designer_versions.version_numbers(db(), key, actor)
    try:
        after = int(request.args.get("to", numbers[0]))
        before = int(request.args.get("from", max(after - 1, 1)))
    except ValueError:
        abort(404)
    result = designer_versions.diff_versions(db(), key, before, after, actor)
    return render_template("designer/diff.html", key=key, numbers=numbers, before=before,
                           after=after, diff=result)


@bp.post("/upload")
@designer_required
def upload() -> Any:
    """A ``.bpmn`` file as a draft: of a new process, or (``key``) a new version of one."""
    key = request.form.get("key") or None
    file = request.files.get("bpmn")
    data = file.read() if file is not None else b""
    back = url_for("designer.process", key=key) if key else url_for("designer.index")
    if not data.strip():
        flash(_("Velg en .bpmn-fil å laste opp."), "error")
        return redirect(back)
    try:
        draft_id = designer.upload(db(), data, signed_in_actor(), key=key)
    except DeployRejected as refused:
        return render_template("designer/refused.html", errors=refused.element_errors,
                               back=back), 422
    flash(_("Filen er lastet opp som et utkast. Rett feilene som vises, og ta det i bruk."))
    return redirect(url_for("designer.draft", draft_id=draft_id))


# ---------------------------------------------------------------- drafts and the modeler


@bp.get("/drafts/<int:draft_id>")
@designer_required
def draft(draft_id: int) -> str:
    view = designer.get_draft(db(), draft_id, signed_in_actor())
    data = {
        "xml": view.bpmn_xml, "errors": view.errors, "key": view.key,
        "forms": designer.form_names(view), "handlers": designer.handler_choices(),
        "validators": designer.validator_choices(),
        "roles": list(PROCEDURE_ROLES),
        "urls": {"save": url_for("designer.save", draft_id=draft_id),
                 "check": url_for("designer.check", draft_id=draft_id),
                 "deploy": url_for("designer.deploy", draft_id=draft_id),
                 "form": url_for("designer.form_json", draft_id=draft_id, name="__name__"),
                 "saveForm": url_for("designer.save_form_json", draft_id=draft_id,
                                     name="__name__"),
                 "preview": url_for("designer.preview")},
    }
    return render_template("designer/modeler.html", draft=view, data=data)


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidData({"_": _("Forespørselen må være et JSON-objekt.")})
    return body


def _refusal(error: EngineError) -> tuple[Response, int]:
    body: dict[str, Any] = {"error": error.message, "code": error.code}
    if isinstance(error, DeployRejected):  # the modeler marks each problem on its element
        body["errors"] = error.element_errors
    elif isinstance(error, InvalidData):
        body["errors"] = error.errors
    return jsonify(body), error.status


@bp.post("/drafts/<int:draft_id>/save")
@designer_required
def save(draft_id: int) -> Any:
    """The modeler saves the diagram; the answer lists the errors to show on it."""
    try:
        bpmn = _json_body().get("bpmn")
        if not isinstance(bpmn, str):
            raise InvalidData({"bpmn": _("Diagrammet mangler.")})
        errors = designer.save(db(), draft_id, bpmn, signed_in_actor())
    except EngineError as error:
        return _refusal(error)
    return jsonify({"errors": errors, "saved": True})


@bp.post("/drafts/<int:draft_id>/check")
@designer_required
def check(draft_id: int) -> Any:
    """Validation without saving, as the designer draws."""
    try:
        bpmn = _json_body().get("bpmn")
        if not isinstance(bpmn, str):
            raise InvalidData({"bpmn": _("Diagrammet mangler.")})
        errors = designer.check(db(), draft_id, bpmn, signed_in_actor())
    except EngineError as error:
        return _refusal(error)
    return jsonify({"errors": errors})


@bp.post("/drafts/<int:draft_id>/deploy")
@designer_required
def deploy(draft_id: int) -> Any:
    """Deploy the draft. From the modeler (JSON, with the diagram as drawn): saved first, then
    deployed, 201 or 422 with the errors. From a plain form: the stored draft, then a page."""
    actor = signed_in_actor()
    as_json = request.is_json
    try:
        if as_json:
            body = _json_body()
            note = str(body.get("note") or "")
            if isinstance(body.get("bpmn"), str):
                errors = designer.save(db(), draft_id, body["bpmn"], actor)
                if errors:
                    raise DeployRejected(errors)
        else:
            note = request.form.get("note", "")
        versions = designer.deploy_draft(db(), draft_id, actor, note=note)
    except EngineError as error:
        if as_json:
            return _refusal(error)
        flash(error.message, "error")
        return redirect(url_for("designer.draft", draft_id=draft_id))
    first = versions[0]
    message = _("Versjon %(version)s av %(key)s er tatt i bruk.", version=first.version,
                key=first.key)
    if as_json:
        return jsonify({"key": first.key, "version": first.version, "message": message,
                        "url": url_for("designer.process", key=first.key)}), 201
    flash(message)
    return redirect(url_for("designer.process", key=first.key))


@bp.post("/drafts/<int:draft_id>/discard")
@designer_required
def discard(draft_id: int) -> Redirect:
    """Deleting a draft asks first: without the ticked confirmation nothing is deleted."""
    view = designer.get_draft(db(), draft_id, signed_in_actor())
    if request.form.get("confirm") != "ja":
        flash(_("Utkastet er ikke slettet: kryss av for at du vil slette det."), "error")
        return redirect(url_for("designer.draft", draft_id=draft_id))
    designer.discard(db(), draft_id, signed_in_actor())
    flash(_("Utkastet er slettet."))
    if view.is_new:
        return redirect(url_for("designer.index"))
    return redirect(url_for("designer.process", key=view.key))


# ---------------------------------------------------------------- forms


def _preview_fields(form: dict[str, Any]) -> list[formrender.Field]:
    return formrender.fields(form.get("schema") or {}, form.get("ui") or {}, {}, {})


@bp.get("/drafts/<int:draft_id>/forms/<name>.json")
@designer_required
def form_json(draft_id: int, name: str) -> Any:
    view = designer.get_draft(db(), draft_id, signed_in_actor())
    return jsonify({"name": name, "form": designer.draft_form(view, name)})


@bp.post("/drafts/<int:draft_id>/forms/<name>.json")
@designer_required
def save_form_json(draft_id: int, name: str) -> Any:
    body = request.get_json(silent=True)
    form, problem = designer.preview_form(body.get("text", "") if isinstance(body, dict)
                                          else "")
    try:
        if problem:
            raise InvalidData({"form": problem})
        designer.save_form(db(), draft_id, name, form, signed_in_actor())
    except EngineError as error:
        return _refusal(error)
    return jsonify({"saved": True, "errors": designer.get_draft(db(), draft_id,
                                                                signed_in_actor()).errors})


@bp.post("/forms/preview")
@designer_required
def preview() -> Any:
    """The live preview: the form as a person will see it, or why it cannot be shown."""
    body = request.get_json(silent=True)
    text = body.get("text", "") if isinstance(body, dict) else ""
    form, problem = designer.preview_form(text if isinstance(text, str) else "")
    if problem or form is None:
        return jsonify({"errors": [problem], "html": ""})
    html = render_template("designer/_preview.html", fields=_preview_fields(form),
                           title=form.get("title", ""))
    return jsonify({"errors": [], "html": html})


@bp.route("/drafts/<int:draft_id>/forms/<name>", methods=["GET", "POST"])
@designer_required
def edit_form(draft_id: int, name: str) -> Any:
    """Form editing without JavaScript: the JSON beside its rendered preview."""
    actor = signed_in_actor()
    view = designer.get_draft(db(), draft_id, actor)
    problem, status = None, 200
    if request.method == "POST":
        text = request.form.get("form", "")
        form, problem = designer.preview_form(text)
        if form is not None and request.form.get("action") == "save":
            try:
                designer.save_form(db(), draft_id, name, form, actor)
            except InvalidData as invalid:
                problem = "; ".join(invalid.errors.values())
            else:
                flash(_("Skjemaet %(name)s er lagret i utkastet.", name=name))
                return redirect(url_for("designer.edit_form", draft_id=draft_id, name=name))
        status = 422 if problem else 200
    else:
        try:
            form = designer.draft_form(view, name)
        except EngineError:
            form = {"title": "", "schema": {"type": "object", "properties": {}}}
        text = json.dumps(form, ensure_ascii=False, indent=2)
    fields = _preview_fields(form) if form is not None and not problem else []
    return render_template("designer/form_edit.html", draft=view, name=name, text=text,
                           problem=problem, fields=fields,
                           title=(form or {}).get("title", ""),
                           english=form_texts.texts(form) if form and fields else [],
                           text_kinds=FORM_TEXT_LABELS), status


@bp.post("/drafts/<int:draft_id>/forms/<name>/english")
@designer_required
def translate_form(draft_id: int, name: str) -> Any:
    """The English of every text of the draft's form, as typed in the table beside it
    (written into the form's ``x-translations``)."""
    actor = signed_in_actor()
    form = designer.draft_form(designer.get_draft(db(), draft_id, actor), name)
    answers = {key[len("en:"):]: value for key, value in request.form.items()
               if key.startswith("en:")}
    designer.save_form(db(), draft_id, name,
                       form_texts.with_translations(form, "en", answers), actor)
    missing = len(form_texts.untranslated(
        designer.draft_form(designer.get_draft(db(), draft_id, actor), name)))
    flash(_("De engelske tekstene i skjemaet %(name)s er lagret.", name=name) + " " + (
        ngettext("%(num)s tekst mangler engelsk.", "%(num)s tekster mangler engelsk.", missing)
        if missing else _("Alle tekstene har engelsk.")))
    return redirect(url_for("designer.edit_form", draft_id=draft_id, name=name,
                            _anchor="engelsk"))


# ---------------------------------------------------------------- migration


@bp.route("/processes/<key>/versions/<int:version>/migrate", methods=["GET", "POST"])
@designer_required
def migrate(key: str, version: int) -> Any:
    """Which running cases of older versions can move to this one, and moving the chosen."""
    actor = signed_in_actor()
    results = None
    if request.method == "POST":
        try:
            chosen = sorted({int(v) for v in request.form.getlist("case")})
        except ValueError:
            abort(400)
        if not chosen:
            flash(_("Velg minst én sak å flytte."), "error")
        else:
            results = migration.migrate(db(), key, version, chosen, actor)
            moved = sum(1 for r in results if r.moved)
            flash(_("%(moved)s av %(chosen)s saker er flyttet til versjon %(version)s.",
                    moved=moved, chosen=len(chosen), version=version),
                  "error" if moved < len(chosen) else "message")
    plans = migration.preview(db(), key, version, actor)
    return render_template("designer/migrate.html", key=key, version=version, plans=plans,
                           results=results)
