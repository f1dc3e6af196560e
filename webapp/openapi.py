"""The API's contract as an OpenAPI 3.1 document at ``GET /api/v1/openapi.json``.

Generated from the code, so it cannot drift from the routes: every rule of the URL map under
``/api/v1`` is an operation, with its methods, path parameters (an ``int`` id within the id
columns, webapp.edge.MAX_ID), the view's docstring as its description, the bearer scheme unless
the endpoint is public, and every refusal in the API's one error shape. The request and answer
schemas of the main routes come from :mod:`webapp.api_schemas`. No maintained generator fits a
plain Flask blueprint without rewriting the views (apispec, flask-smorest, spectree and
flask-openapi3 each want their own decorators or schema classes), so the few lines here do it.

Public, like the login: it describes the shape of requests, not data, and a client needs it
before it has a token.
"""

from __future__ import annotations

import re
from typing import Any

from flask import current_app, jsonify
from werkzeug.routing import Rule

from webapp import api_schemas
from webapp.api import PUBLIC_ENDPOINTS, api
from webapp.api_schemas import ANY_OBJECT, ERROR, Schema
from webapp.edge import MAX_ID

PREFIX = "/api/v1"
_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")
METHODS = ("get", "post", "put", "delete", "patch")
REFUSALS = {"400": "Forespørselen er ugyldig", "401": "Mangler gyldig innlogging",
            "403": "Ikke tilgang", "404": "Finnes ikke", "405": "Metoden finnes ikke her",
            "409": "Konflikt",
            "413": "For stor eller for dypt nestet", "422": "Ugyldige data",
            "429": "For mange forsøk"}


def _path(rule: Rule) -> tuple[str, list[Schema]]:
    """The rule as an OpenAPI path template, and its path parameters."""
    parameters: list[Schema] = []
    for converter, name in _PARAMETER.findall(rule.rule):
        schema: Schema = ({"type": "integer", "minimum": 0, "maximum": MAX_ID}
                          if converter == "int" else {"type": "string"})
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    return _PARAMETER.sub(r"{\2}", rule.rule).removeprefix(PREFIX) or "/", parameters


def _json(schema: Schema, description: str) -> Schema:
    content = schema.get("content", "application/json")
    body = schema.get("schema", schema) if "content" in schema else schema
    return {"description": description, "content": {content: {"schema": body}}}


def _operation(endpoint: str, method: str, path_parameters: list[Schema]) -> Schema:
    known = api_schemas.OPERATIONS.get(endpoint, {})
    view = current_app.view_functions[endpoint]
    doc = " ".join((view.__doc__ or endpoint).split())
    responses = {status: _json(schema, "OK")
                 for status, schema in known.get("responses", {"200": ANY_OBJECT}).items()}
    responses.update({status: _json({"$ref": "#/components/schemas/Error"}, text)
                      for status, text in REFUSALS.items()})
    operation: Schema = {"operationId": f"{endpoint.removeprefix('api.')}_{method}",
                         "summary": doc.split(". ")[0][:120], "description": doc,
                         "parameters": [*path_parameters, *known.get("query", [])],
                         "responses": responses}
    if method in ("post", "put"):
        operation["requestBody"] = {"required": False, "content": {
            "application/json": {"schema": known.get("body", ANY_OBJECT)}}}
    if endpoint in PUBLIC_ENDPOINTS:
        operation["security"] = []
    return operation


def document() -> Schema:
    """The whole document, from the app's URL map."""
    paths: dict[str, dict[str, Any]] = {}
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX + "/") or rule.endpoint is None:
            continue
        path, parameters = _path(rule)
        for method in sorted(m.lower() for m in rule.methods or ()):
            if method in METHODS:
                paths.setdefault(path, {})[method] = _operation(rule.endpoint, method,
                                                                parameters)
    return {
        "openapi": "3.1.0",
        "info": {"title": "ipflow API", "version": "1",
                 "description": "Individuell plan og koordinator: saker, oppgaver, planen og "
                                "monitoren. Feil har alltid formen {error, code, errors?}."},
        "servers": [{"url": PREFIX}],
        "security": [{"bearer": []}],
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": {"Error": ERROR},
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                                      "description": "POST /login gir token"}}},
    }


@api.get("/openapi.json")
def openapi() -> Any:
    """This document: the contract of every route under /api/v1."""
    return jsonify(document())
