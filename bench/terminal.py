"""A real pseudo-terminal: run a program in it, watch what it draws, press keys, time it.

The program (the `caseload` command, or the bare Textual app of baseline T) gets a pty as its
controlling terminal with TERM=xterm-256color, so Textual runs its real Linux driver, exactly as
over SSH. Everything it writes is read as soon as it arrives and stamped with
`time.perf_counter()`.

Frames: Textual wraps each screen update in the synchronized-update sequences
``ESC[?2026h … ESC[?2026l`` once the terminal says it supports them; this terminal answers
Textual's query (``ESC[?2026$p``) at once, so the end of a frame is the moment its
``ESC[?2026l`` arrives.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import termios
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

SYNC_QUERY = b"\x1b[?2026$p"
SYNC_REPLY = b"\x1b[?2026;2$y"  # "supported, currently reset"
FRAME_END = b"\x1b[?2026l"
# Control sequences, removed to find text on the screen (CSI, OSC, charset and one-char ESC).
_CONTROL = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|"
                      rb"\x1b[()][0-9A-Za-z]|\x1b[=>78]")

KEYS = {"down": b"\x1b[B", "up": b"\x1b[A", "pagedown": b"\x1b[6~", "home": b"\x1b[H",
        "end": b"\x1b[F", "enter": b"\r", "escape": b"\x1b"}


def visible(data: bytes) -> str:
    """The text in terminal output, control sequences removed."""
    return _CONTROL.sub(b"", data).decode("utf-8", "replace")


@dataclass
class Chunk:
    at: float
    data: bytes


@dataclass
class Exit:
    """How the program ended: status, peak resident memory (KiB) and CPU seconds."""

    status: int
    max_rss_kib: int
    cpu_s: float


@dataclass
class Terminal:
    """One program running in a pseudo-terminal of `columns` x `rows`."""

    argv: Sequence[str]
    env: dict[str, str]
    columns: int = 100
    rows: int = 30
    cwd: str | None = None
    started: float = 0.0
    pid: int = 0
    fd: int = -1
    chunks: list[Chunk] = field(default_factory=list)
    output: bytearray = field(default_factory=bytearray)
    exit: Exit | None = None

    def start(self) -> Terminal:
        """Fork the program onto a new pty; returns self."""
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # the child: size the terminal, then become the program
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ,
                            struct.pack("HHHH", self.rows, self.columns, 0, 0))
                if self.cwd:
                    os.chdir(self.cwd)
                os.execve(self.argv[0], list(self.argv), self.env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        os.set_blocking(fd, False)
        return self

    # Reading -------------------------------------------------------------------------------

    def pump(self, timeout: float) -> bool:
        """Read whatever arrives within `timeout` seconds; False once the program has gone."""
        ready, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not ready:
            return True
        try:
            data = os.read(self.fd, 1 << 16)
        except OSError:  # EIO: the child closed the terminal
            return False
        if not data:
            return False
        now = time.perf_counter()
        if SYNC_QUERY in data:
            os.write(self.fd, SYNC_REPLY)
        self.chunks.append(Chunk(now, data))
        self.output += data
        return True

    def wait_for(self, seen: Callable[[], bool], timeout: float = 20.0) -> float:
        """Read until `seen()` is true; returns the time it became true (perf_counter)."""
        deadline = time.perf_counter() + timeout
        while True:
            if seen():
                return self.chunks[-1].at if self.chunks else time.perf_counter()
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"{self.argv[-1]}: not seen within {timeout}s; last "
                                   f"screen text: {visible(bytes(self.output[-600:]))!r}")
            if not self.pump(min(left, 0.05)):
                raise RuntimeError(f"{self.argv} ended early: "
                                   f"{visible(bytes(self.output[-800:]))!r}")

    def first_frame_with(self, markers: tuple[str, ...], timeout: float = 30.0) -> float:
        """When the first frame showing every one of `markers` ended (seconds since start)."""
        start = len(self.chunks)

        def shown(upto: int | None = None) -> bool:
            text = visible(b"".join(c.data for c in self.chunks[:upto]))
            return all(marker in text for marker in markers)

        self.wait_for(shown, timeout)
        # The markers' frame ends at the next frame end (at or after the last marker's chunk).
        index = next(i for i in range(start, len(self.chunks)) if shown(i + 1))
        return self._frame_end_from(index, timeout) - self.started

    def _frame_end_from(self, index: int, timeout: float) -> float:
        deadline = time.perf_counter() + timeout
        while True:
            for chunk in self.chunks[index:]:
                if FRAME_END in chunk.data:
                    return chunk.at
            if b"\x1b[?2026h" not in self.output:  # no synchronized output: the chunk itself
                return self.chunks[index].at
            if time.perf_counter() > deadline or not self.pump(0.05):
                return self.chunks[-1].at

    def settle(self, quiet: float = 0.15, timeout: float = 10.0) -> None:
        """Read until nothing has arrived for `quiet` seconds."""
        deadline = time.perf_counter() + timeout
        last = time.perf_counter()
        while time.perf_counter() < deadline:
            count = len(self.chunks)
            if not self.pump(quiet):
                return
            if len(self.chunks) != count:
                last = time.perf_counter()
            elif time.perf_counter() - last >= quiet:
                return

    # Keys ------------------------------------------------------------------------------------

    def press(self, key: str, *, quiet: float = 0.12, timeout: float = 10.0,
              until: Callable[[bytes], bool] | None = None) -> Press:
        """Press `key` (a name of KEYS or literal text); measure until the screen settles.

        The latency runs from the write to the end of the last frame drawn before the output
        went quiet for `quiet` seconds (or, with `until`, of the first frame whose output since
        the key makes `until` true).
        """
        first = len(self.chunks)
        data = KEYS.get(key, key.encode())
        sent = time.perf_counter()
        os.write(self.fd, data)
        done_at: float | None = None
        deadline = sent + timeout
        last = sent
        while time.perf_counter() < deadline:
            count = len(self.chunks)
            if not self.pump(quiet):
                break
            if len(self.chunks) != count:
                last = time.perf_counter()
                if until is not None and done_at is None:
                    since = b"".join(c.data for c in self.chunks[first:])
                    if until(since) and FRAME_END in since[since.rfind(b"\x1b[?2026h"):]:
                        done_at = self.chunks[-1].at
            elif time.perf_counter() - last >= quiet and (until is None or done_at):
                break
        new = self.chunks[first:]
        ends = [c.at for c in new if FRAME_END in c.data]
        if done_at is None:
            if until is not None:
                raise TimeoutError(f"{key!r}: the expected change never showed")
            done_at = ends[-1] if ends else (new[-1].at if new else sent)
        return Press(key, done_at - sent, sum(len(c.data) for c in new), len(ends))

    def peak_rss_kib(self) -> int:
        """The program's peak resident memory so far (VmHWM, KiB).

        Read from /proc rather than taken from wait4's rusage: a forked child's maximum counts
        the bench's own pages from before `exec`.
        """
        with open(f"/proc/{self.pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return 0

    def cpu_seconds(self) -> float:
        """User + system CPU time of the program so far (from /proc)."""
        with open(f"/proc/{self.pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks

    # Ending --------------------------------------------------------------------------------

    def close(self, keys: bytes = b"q", timeout: float = 10.0) -> Exit:
        """Send `keys` (quit), wait for the exit; force it after `timeout` seconds."""
        if self.exit is not None:
            return self.exit
        try:
            os.write(self.fd, keys)
        except OSError:
            pass
        deadline = time.perf_counter() + timeout
        status = rusage = None
        while time.perf_counter() < deadline:
            self.pump(0.02)
            pid, status, rusage = os.wait4(self.pid, os.WNOHANG)
            if pid:
                break
        else:
            os.kill(self.pid, signal.SIGKILL)
            _, status, rusage = os.wait4(self.pid, 0)
        while self.pump(0):
            pass
        os.close(self.fd)
        assert rusage is not None and status is not None
        self.exit = Exit(os.waitstatus_to_exitcode(status), rusage.ru_maxrss,
                         rusage.ru_utime + rusage.ru_stime)
        return self.exit

    def __enter__(self) -> Terminal:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        if self.exit is None:
            try:
                self.close(b"q", timeout=5)
            except Exception:
                os.kill(self.pid, signal.SIGKILL)


@dataclass(frozen=True)
class Press:
    """One key press: latency (s) to the last frame it caused, bytes written, frames drawn."""

    key: str
    latency: float
    written: int
    frames: int
