"""The code rules of a diagram: what its Python (conditions, scripts, timer expressions,
handler parameters) may contain, and a trial run of it on empty data.

The sandbox (:class:`engine.kernel.spiff_scripts.RestrictedEnvironment`) has no imports and few
builtins; these rules refuse at deploy what would try to climb out of it or hold a worker.
"""

from __future__ import annotations

import ast

from engine.kernel import spiff_scripts
from engine.kernel.sandbox import Budget, ScriptLimitExceeded

# How long one condition or script may run when tried out at deploy (it runs on empty data,
# so a well-behaved one stops at once, usually with a NameError that is ignored).
TRIAL_SECONDS = 0.5

# Names a diagram may not call even though they are no builtin of the sandbox: each would be
# a way out of it if the sandbox were ever loosened.
FORBIDDEN_NAMES = {"eval", "exec", "compile", "open", "getattr", "setattr", "delattr",
                   "globals", "locals", "vars", "breakpoint", "input", "type", "object",
                   "super", "memoryview", "help", "dir", "id", "classmethod", "staticmethod",
                   "property", "exit", "quit"}
# Attributes that reach frames, code and globals without a leading underscore.
FORBIDDEN_ATTRIBUTES = {"gi_frame", "gi_code", "cr_frame", "cr_code", "ag_frame", "ag_code",
                        "f_globals", "f_locals", "f_builtins", "f_back", "f_code", "tb_frame",
                        "tb_next", "co_code", "func_globals", "format", "format_map", "mro"}
MAX_CONSTANT = 10_000_000


def restricted_code_problem(code: str, mode: str = "exec") -> str | None:
    """Why ``code`` may not run in a diagram, or None when it may.

    The sandbox has no imports and few builtins; these rules refuse at deploy what would try to
    climb out of it (dunder attributes, frames, ``str.format`` field lookups) or exhaust the
    machine in one C call that the time limit cannot interrupt (``**``, huge numbers).
    """
    try:
        tree = ast.parse(code, mode=mode)
    except SyntaxError as exc:
        return f"uttrykket kan ikke tolkes: {exc.msg} ({code!r})"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            return "import er ikke tillatt i diagrammer"
        if isinstance(node, ast.Attribute) and (node.attr.startswith("_")
                                                or node.attr in FORBIDDEN_ATTRIBUTES):
            return f"tilgang til {node.attr!r} er ikke tillatt"
        if isinstance(node, ast.Name) and (node.id.startswith("__")
                                           or node.id in FORBIDDEN_NAMES):
            return f"navnet {node.id!r} er ikke tillatt"
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "__" in node.value:
            return "tekst med «__» er ikke tillatt i uttrykk"
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not \
                isinstance(node.value, bool) and abs(node.value) > MAX_CONSTANT:
            return f"tall større enn {MAX_CONSTANT:,} er ikke tillatt".replace(",", " ")
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            return "potens (**) er ikke tillatt i uttrykk"
        if isinstance(node, ast.Global | ast.Nonlocal | ast.AsyncFunctionDef | ast.Await):
            return "denne konstruksjonen er ikke tillatt i diagrammer"
    return None


def trial_problem(code: str, mode: str) -> str | None:
    """Run the code once on empty data in the sandbox: only a broken limit (time, processor
    time, memory) is a problem here.

    Code that needs case data fails fast (NameError) and is fine; code that loops forever
    on any data (``while True: pass``) is stopped at :data:`TRIAL_SECONDS` and refused.
    """
    environment = spiff_scripts.RestrictedEnvironment(Budget(TRIAL_SECONDS))
    try:
        if mode == "eval":
            environment.evaluate(code, {})
        else:
            environment.execute(code, {})
    except ScriptLimitExceeded as exceeded:
        return f"{exceeded} på tomme data; fjern uendelige løkker og store beregninger"
    except Exception:  # noqa: BLE001, S110  (any other failure needs real case data)
        return None
    return None
