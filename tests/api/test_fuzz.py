"""Property-based fuzzing of the whole API (schemathesis) against a running server: a real WSGI
server on 127.0.0.1 in a thread, on the test database (SQLite, or PostgreSQL with
TEST_DATABASE_URL). Valid and invalid requests are generated from /api/v1/openapi.json for every
operation; no answer may be a 5xx, and every answer keeps to the document (status, content type,
schema). Bounded and deterministic: a few examples per operation, derandomized.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, got_request_exception
from werkzeug.serving import make_server

from engine import demo
from engine.kernel.db import Database
from tests.support.people import staff_of
from webapp import create_app, limiter

schemathesis = pytest.importorskip("schemathesis")  # the test extra; skipped until installed
from hypothesis import HealthCheck, given, settings  # noqa: E402  (comes with schemathesis)
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.generation.modes import GenerationMode  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

# Per operation and mode: the whole run stays well under a minute per database in CI;
# IPFLOW_FUZZ_EXAMPLES=200 digs deeper by hand.
EXAMPLES = int(os.environ.get("IPFLOW_FUZZ_EXAMPLES", "6"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
NIN = "23074820085"
# Who calls: the role that may use the route, so the fuzz reaches past the access check; the
# logout ends a user's every token, so it has a caller of its own.
CALLERS = (("/monitor", "leder"), ("/innsyn", "leder"), ("/processes", "designer"),
           ("/logout", "koordinator"), ("", "systemkoordinator"))


@pytest.fixture()
def live(db: Database) -> Iterator[dict[str, Any]]:
    """The app served over HTTP, with two cases in it and a token per caller; every
    exception a view raised is recorded (a 5xx the server hid would still fail the test)."""
    people = staff_of(db)
    for _ in range(2):
        demo.report(db, people["koordinator"], NIN)
    enabled = limiter.enabled
    app: Flask = create_app(db.url, {"SECRET_KEY": "fuzz", "RATELIMIT_ENABLED": False})
    app.extensions["ipflow_db"].dispose()
    app.extensions["ipflow_db"] = db
    errors: list[BaseException] = []
    got_request_exception.connect(lambda _sender, exception, **_: errors.append(exception), app,
                                  weak=False)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="ipflow-fuzz", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/api/v1"
    client = app.test_client()
    tokens = {user: client.post("/api/v1/login", json={"username": user, "password": "demo"})
              .get_json()["token"] for _, user in CALLERS}
    try:
        yield {"url": url, "tokens": tokens, "errors": errors}
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        limiter.enabled = enabled


def fuzz(operation: Any, mode: Any, url: str, headers: dict[str, str]) -> None:
    """``EXAMPLES`` requests to one operation in one mode, each checked against the document."""
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def call(case: Any) -> None:
        case.call_and_validate(base_url=url, headers=headers, checks=CHECKS, timeout=10)

    call()


def test_no_input_gives_a_5xx_or_breaks_the_contract(live: dict[str, Any]) -> None:
    """Each operation, with valid and with invalid input (schemathesis's two modes)."""
    schema = schemathesis.openapi.from_url(f"{live['url']}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    documented = {f"{method.upper()} {path}"
                  for path, methods in schema.raw_schema["paths"].items() for method in methods}
    # schemathesis leaves out the document's own route
    assert {o.label for o in operations} == documented - {"GET /openapi.json"}
    for operation in operations:
        user = next(user for prefix, user in CALLERS if operation.path.startswith(prefix))
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            fuzz(operation, mode, live["url"], {"Authorization": f"Bearer {live['tokens'][user]}"})
    assert live["errors"] == []
