"""Child processes for the fault and load tests: forked, reporting on a pipe, killed at will.

A child is forked from the test process (so it starts in milliseconds, with Caseload already
imported), opens its own connection to the database, and reports each committed write as one
JSON line on a pipe (lines are shorter than PIPE_BUF, so each arrives whole or not at all). The
parent must have closed its own connection before forking: a SQLite or libpq connection must
never be shared across a fork.
"""

from __future__ import annotations

import json
import os
import select
import signal
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Report = Callable[[dict[str, Any]], None]


@dataclass
class Child:
    """A forked child and what it has reported so far."""

    pid: int
    fd: int
    reports: list[dict[str, Any]] = field(default_factory=list)
    buffer: bytes = b""
    status: int | None = None

    def read(self, timeout: float = 0.0) -> bool:
        """Read whatever the child has written; False once the pipe is closed."""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return True
        chunk = os.read(self.fd, 65536)
        if not chunk:
            return False
        self.buffer += chunk
        *lines, self.buffer = self.buffer.split(b"\n")
        self.reports.extend(json.loads(line) for line in lines if line)
        return True

    def kill(self) -> None:
        """SIGKILL the child, collect every line it wrote before dying, and reap it."""
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.wait()

    def wait(self, timeout: float = 120.0) -> int:
        """Read until the child closes the pipe (it died or finished); its wait status."""
        deadline = time.monotonic() + timeout
        while self.read(0.05):
            if time.monotonic() > deadline:
                os.kill(self.pid, signal.SIGKILL)
                raise TimeoutError(f"child {self.pid} did not finish in {timeout} s")
        os.close(self.fd)
        _, self.status = os.waitpid(self.pid, 0)
        return self.status

    @property
    def errors(self) -> list[dict[str, Any]]:
        """The failures the child reported (an exception it did not expect)."""
        return [r for r in self.reports if r.get("op") == "error"]


def fork_child(body: Callable[[Report], None]) -> Child:
    """Fork a child that runs `body(report)` and exits (never returning into pytest)."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        code = 0
        try:
            os.close(read_fd)

            def report(data: dict[str, Any]) -> None:
                os.write(write_fd, json.dumps(data).encode() + b"\n")

            try:
                body(report)
            except BaseException as exc:  # told to the parent, which fails the test
                code = 70
                report({"op": "error", "type": type(exc).__name__, "message": str(exc)[:300],
                        "where": traceback.format_exc()[-1500:]})
        finally:
            os._exit(code)
    os.close(write_fd)
    return Child(pid, read_fd)
