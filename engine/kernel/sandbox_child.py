"""The process that runs a diagram's code: started by :mod:`engine.kernel.sandbox`, never imported.

It runs as ``python -I -S <this file>`` and imports only the standard library, so nothing of
ipflow (no database, no session, no secret) is in reach of the code it runs. It reads one
request at a time from stdin and answers on stdout, each a 4-byte length and a JSON document:

- first ``{"builtins": [...], "memory_bytes": N}``: the builtins diagram code may use, and the
  address space the process may have (``RLIMIT_AS``);
- then ``{"mode": "eval" | "exec", "code", "context", "cpu_seconds"}`` → ``{"ok": true,
  "value", "context"}`` or ``{"ok": false, "error", "message", "line"}``.

Before each request the process caps its own CPU time at what it has used plus
``cpu_seconds`` (``RLIMIT_CPU``): code that outruns it is killed by the kernel with SIGXCPU,
whatever it catches. The parent also holds a wall-clock limit and kills the process when it
passes. A result that is not plain JSON (a set, a range, NaN) is an error here, so it can
never reach the case's stored state.
"""

from __future__ import annotations

import builtins
import json
import math
import resource
import sys
import traceback
from collections.abc import Iterator
from typing import Any


def _frames_in() -> Iterator[Any]:
    stream = sys.stdin.buffer
    while True:
        header = stream.read(4)
        if len(header) < 4:
            return
        yield json.loads(stream.read(int.from_bytes(header, "big")))


def _encode(message: Any) -> bytes:
    return json.dumps(message, allow_nan=False, ensure_ascii=False).encode()


def _send(data: bytes) -> None:
    sys.stdout.buffer.write(len(data).to_bytes(4, "big") + data)
    sys.stdout.buffer.flush()


def _line_of(error: BaseException) -> int | None:
    lines = [frame.lineno for frame in traceback.extract_tb(error.__traceback__)
             if frame.filename == "<string>"]
    return lines[-1] if lines else getattr(error, "lineno", None)


def _plain(context: dict[str, Any], allowed: dict[str, Any]) -> dict[str, Any]:
    """The script's variables without the builtins and functions it was given or defined."""
    return {key: value for key, value in context.items()
            if key != "__builtins__" and key not in allowed and not callable(value)}


def _run(request: dict[str, Any], allowed: dict[str, Any]) -> dict[str, Any]:
    context = request["context"]
    if request["mode"] == "eval":
        value = eval(request["code"], {"__builtins__": allowed, **context})
        return {"ok": True, "value": value, "context": None}
    scope = {"__builtins__": allowed, **context}
    exec(request["code"], scope)
    return {"ok": True, "value": None, "context": _plain(scope, allowed)}


def main() -> None:
    frames = _frames_in()
    setup = next(frames)
    allowed = {name: getattr(builtins, name) for name in setup["builtins"]}
    limit = setup["memory_bytes"]
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # Only the soft limit moves (a process may not raise its hard limit again); the kernel
    # sends SIGXCPU when it is reached, and the code has no way to handle a signal.
    hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
    for request in frames:
        used = resource.getrusage(resource.RUSAGE_SELF)
        soft = math.ceil(used.ru_utime + used.ru_stime + request["cpu_seconds"])
        resource.setrlimit(resource.RLIMIT_CPU,
                           (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))
        try:
            answer = _run(request, allowed)
        except BaseException as error:  # noqa: BLE001  (every failure goes back to the engine)
            answer = {"ok": False, "error": type(error).__name__,
                      "message": str(error)[:2000], "line": _line_of(error)}
        try:
            data = _encode(answer)
        except (TypeError, ValueError) as error:  # a set, a range, NaN: not storable
            data = _encode({"ok": False, "error": type(error).__name__, "line": None,
                            "message": f"koden ga en verdi som ikke kan lagres i saken ({error})"})
        _send(data)


if __name__ == "__main__":
    main()
