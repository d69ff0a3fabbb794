"""Run `caseload` as a real process on a pseudo-terminal, the way a counselor's ssh session does.

`Terminal.start([...])` forks with `pty.fork()` and execs the caseload command in the child; the
test reads everything written to the terminal, types keys, sends signals, and collects the exit
status. Output is kept as bytes, so escape sequences can be checked as they were sent.
"""

from __future__ import annotations

import errno
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Leaving the alternate screen, showing the cursor again: what Textual writes when it restores
# the terminal on exit.
RESTORED = (b"\x1b[?1049l", b"\x1b[?25h")
_ESCAPES = re.compile(rb"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][A-Z0-9]|.)")


def private_env(home: Path, **extra: str) -> dict[str, str]:
    """An environment whose config, data and state folders are under `home` (the test's)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CASELOAD_", "TEXTUAL"))}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"),
               XDG_DATA_HOME=str(home / "data"), XDG_STATE_HOME=str(home / "state"),
               XDG_CACHE_HOME=str(home / "cache"), TERM="xterm-256color", COLORTERM="truecolor",
               LANG="C.UTF-8", PYTHONPATH=str(ROOT), **extra)
    return env


def plain(output: bytes) -> str:
    """The text of terminal output without its escape sequences."""
    return _ESCAPES.sub(b"", output).decode("utf-8", "replace")


@dataclass
class Terminal:
    """A caseload process on a pty: its pid, the master side, all its output so far."""

    pid: int
    fd: int
    output: bytes = b""
    status: int | None = None
    closed: bool = False
    log: list[tuple[float, str]] = field(default_factory=list)

    @classmethod
    def start(cls, args: list[str], env: dict[str, str], size: tuple[int, int] = (100, 30),
              user: int | None = None) -> Terminal:
        """Fork on a new pty and exec `python -m caseload ARGS` (as `user`, if given)."""
        pid, fd = pty.fork()
        if pid == 0:  # the child: the pty is its controlling terminal
            try:
                if user is not None:
                    os.setgid(user)
                    os.setgroups([])
                    os.setuid(user)
                os.chdir(env["HOME"])
                os.execve(sys.executable, [sys.executable, "-m", "caseload", *args], env)
            finally:
                os._exit(127)
        columns, rows = size
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        return cls(pid, fd)

    def read(self, timeout: float = 0.05) -> bytes:
        """Whatever arrives within `timeout`; b"" once the other side is gone."""
        if self.closed:
            return b""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return b""
        try:
            chunk = os.read(self.fd, 65536)
        except OSError as exc:  # EIO: the child side of the pty is closed
            if exc.errno != errno.EIO:
                raise
            chunk = b""
        if not chunk:
            self.closed = True
        self.output += chunk
        return chunk

    def wait_for(self, text: str | bytes, timeout: float = 20.0, *, plain_text: bool = True
                 ) -> bool:
        """Read until `text` has appeared (in the plain text, or the raw bytes)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if plain_text and isinstance(text, str) and text in plain(self.output):
                return True
            if isinstance(text, bytes) and text in self.output:
                return True
            if self.exited():
                return False
            self.read(0.05)
        return False

    def settle(self, quiet: float = 0.4, timeout: float = 10.0) -> None:
        """Read until nothing has arrived for `quiet` seconds."""
        deadline = time.monotonic() + timeout
        last = time.monotonic()
        while time.monotonic() < deadline:
            if self.read(0.05):
                last = time.monotonic()
            elif time.monotonic() - last >= quiet or self.closed:
                return

    def type(self, keys: str | bytes, pause: float = 0.15) -> None:
        """Type keys (a str is sent as UTF-8); then read what the app draws."""
        os.write(self.fd, keys.encode() if isinstance(keys, str) else keys)
        self.settle(pause, timeout=pause + 2)

    def signal(self, number: int) -> None:
        os.kill(self.pid, number)

    def hang_up(self) -> None:
        """What a dropped ssh connection does: the terminal goes away, then SIGHUP."""
        os.close(self.fd)
        self.closed = True
        self.signal(signal.SIGHUP)

    def exited(self) -> bool:
        """Whether the process has ended (reaped)."""
        if self.status is not None:
            return True
        pid, status = os.waitpid(self.pid, os.WNOHANG)
        if pid:
            self.status = status
            return True
        return False

    def wait(self, timeout: float = 20.0) -> int:
        """Read until the process ends; its exit code (or -signal)."""
        deadline = time.monotonic() + timeout
        while not self.exited():
            if time.monotonic() > deadline:
                self.signal(signal.SIGKILL)
                _, self.status = os.waitpid(self.pid, 0)
                raise TimeoutError("caseload did not exit")
            if self.closed:
                time.sleep(0.02)
            else:
                self.read(0.05)
        while not self.closed and self.read(0.05):
            pass
        status = self.status or 0
        return os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status)

    def close(self) -> None:
        """Kill the process if it is still running and release the pty."""
        if not self.exited():
            self.signal(signal.SIGKILL)
            os.waitpid(self.pid, 0)
        if not self.closed:
            os.close(self.fd)
            self.closed = True
