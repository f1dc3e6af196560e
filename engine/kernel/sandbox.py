"""Diagram code (conditions, scripts, timer expressions) runs in a separate process, under limits
that the code can neither catch, disable nor outlast.

A trace function in the web process (the earlier time limit) is not enough: code that catches
the exception it raises loops on while holding the database's write lock, and one long C call
(``sum(range(10**9))``, a huge string repetition) is never interrupted and can take memory from
every other request. Here the code runs in ``engine/kernel/sandbox_child.py``, a plain Python
process with no access to ipflow, which the kernel limits (``RLIMIT_AS`` for memory,
``RLIMIT_CPU`` per evaluation) and which this module kills when its wall-clock time is up.
The web process only waits on a pipe meanwhile, so other requests keep their speed.

Each engine call has one :class:`Budget`: a single evaluation may take :data:`EVAL_SECONDS`,
all of them together :data:`CALL_SECONDS`, so a request that runs diagram code answers within
3 seconds even when every condition on its way is slow. A broken limit raises
:class:`ScriptLimitExceeded`, which the engine records as an incident on the step (a refusal
at deploy). Processes are reused: a pool keeps idle ones per web process (a forked worker
starts its own), and one that broke a limit is thrown away.
"""

from __future__ import annotations

import atexit
import builtins
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

EVAL_SECONDS = 1.0  # wall clock for one condition, script or timer expression
CALL_SECONDS = 2.5  # wall clock for all diagram code of one engine call together
MEMORY_BYTES = 512 * 2**20  # the code process's whole address space
IDLE_PROCESSES = 4  # kept ready per web process

CHILD = Path(__file__).with_name("sandbox_child.py")


class ScriptLimitExceeded(Exception):  # noqa: N818  (the name says what happened)
    """Diagram code broke a limit (time, processor time or memory) and was stopped."""


class ScriptError(Exception):
    """Diagram code raised an exception that is no Python builtin (the name is kept)."""


class Budget:
    """The wall-clock time one engine call's diagram code may still use."""

    def __init__(self, seconds: float = CALL_SECONDS) -> None:
        self.total = seconds
        self.spent = 0.0

    def next_limit(self) -> float:
        """Seconds the next evaluation may take; raises when the call has used them all."""
        left = self.total - self.spent
        if left <= 0:
            raise ScriptLimitExceeded(
                f"diagrammets kode brukte til sammen mer enn {self.total:.1f} s i ett steg "
                "og ble stoppet")
        return min(EVAL_SECONDS, left)


class _Process:
    """One code process and the pipe to it (length-prefixed JSON frames both ways)."""

    def __init__(self, builtin_names: Iterable[str]) -> None:
        self.owner = os.getpid()
        self.popen = subprocess.Popen(  # noqa: S603  (our own interpreter and file)
            [sys.executable, "-I", "-S", str(CHILD)], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, close_fds=True)  # its stderr (a crash) goes to the server's log
        self._send({"builtins": sorted(builtin_names), "memory_bytes": MEMORY_BYTES})

    def _send(self, message: Mapping[str, Any]) -> None:
        self._send_bytes(json.dumps(message, allow_nan=False, ensure_ascii=False).encode())

    def _send_bytes(self, data: bytes) -> None:
        assert self.popen.stdin is not None
        self.popen.stdin.write(len(data).to_bytes(4, "big") + data)
        self.popen.stdin.flush()

    def _read(self, size: int, deadline: float) -> bytes:
        assert self.popen.stdout is not None
        fd = self.popen.stdout.fileno()
        chunks: list[bytes] = []
        while size:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
            chunk = os.read(fd, size)
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def ask(self, request: bytes, seconds: float) -> dict[str, Any]:
        deadline = time.monotonic() + seconds
        self._send_bytes(request)
        header = self._read(4, deadline)
        answer: dict[str, Any] = json.loads(self._read(int.from_bytes(header, "big"), deadline))
        return answer

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
        self.popen.wait()
        for stream in (self.popen.stdin, self.popen.stdout):
            if stream is not None:
                stream.close()


class Sandbox:
    """Runs code in pooled code processes; safe to share between threads."""

    def __init__(self, builtin_names: Iterable[str]) -> None:
        self.builtin_names = tuple(builtin_names)
        self._idle: list[_Process] = []
        self._lock = threading.Lock()
        atexit.register(self.close)

    def _acquire(self) -> _Process:
        with self._lock:
            while self._idle:
                process = self._idle.pop()
                if process.owner == os.getpid() and process.popen.poll() is None:
                    return process
        return _Process(self.builtin_names)

    def _release(self, process: _Process) -> None:
        with self._lock:
            if len(self._idle) < IDLE_PROCESSES:
                self._idle.append(process)
                return
        process.stop()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for process in idle:
            if process.owner == os.getpid():
                process.stop()

    def run(self, mode: str, code: str, context: Mapping[str, Any], budget: Budget
            ) -> dict[str, Any]:
        """``{"value", "context"}`` of ``code`` run on ``context`` (``mode`` "eval" or
        "exec"); the code's own exception is raised again here, a broken limit as
        :class:`ScriptLimitExceeded`."""
        seconds = budget.next_limit()
        try:
            request = json.dumps({"mode": mode, "code": code, "context": context,
                                  "cpu_seconds": seconds}, allow_nan=False,
                                 ensure_ascii=False).encode()
        except (TypeError, ValueError) as error:
            raise TypeError(f"saksdataene kan ikke gis til diagrammets kode: {error}") from None
        process = self._acquire()
        started = time.monotonic()
        try:
            answer = process.ask(request, seconds)
        except TimeoutError:
            process.stop()
            raise ScriptLimitExceeded(
                f"diagrammets kode brukte mer enn {seconds:.1f} s og ble stoppet") from None
        except (EOFError, BrokenPipeError):
            process.stop()
            raise ScriptLimitExceeded(_death(process.popen.returncode)) from None
        finally:
            budget.spent += time.monotonic() - started
        if not answer["ok"] and answer["error"] == "MemoryError":
            process.stop()
            raise ScriptLimitExceeded(_memory_message())
        self._release(process)
        if not answer["ok"]:
            raise _exception(answer)
        return answer


def _memory_message() -> str:
    return (f"diagrammets kode brukte mer enn {MEMORY_BYTES // 2**20} MB minne og ble "
            "stoppet")


def _death(returncode: int | None) -> str:
    if returncode == -signal.SIGXCPU:
        return "diagrammets kode brukte for mye regnetid og ble stoppet"
    if returncode == -signal.SIGKILL:  # the kernel's answer to memory it could not give
        return _memory_message()
    return f"diagrammets kode stoppet uventet (kode {returncode})"


def _exception(answer: Mapping[str, Any]) -> Exception:
    """The code's exception as the builtin class it was, so callers can tell them apart."""
    name, message, line = answer["error"], answer["message"], answer.get("line")
    text = f"{message} (linje {line})" if line else message
    kind = getattr(builtins, name, None)
    if isinstance(kind, type) and issubclass(kind, Exception) and kind is not MemoryError:
        try:
            return kind(text)
        except TypeError:  # a builtin that wants other arguments (UnicodeDecodeError)
            pass
    return ScriptError(f"{name}: {text}")
