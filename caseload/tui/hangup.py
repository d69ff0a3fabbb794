"""A lost terminal: on SIGHUP (a dropped ssh connection) or SIGTERM the app saves and leaves.

Textual does not handle either signal, and their default action ends the process at once: the
terminal is left in the app's modes and a save a worker was making is cut off (its transaction
rolls back, so nothing half-written remains, but the counselor's last change is lost). Here:

* the terminal still there (SIGTERM, or a SIGHUP sent by hand): the automatic logoff runs
  (`PrivacyApp.log_off`): the screen is blanked, database work still running may finish, and
  the app exits through Textual, which restores the terminal;
* the terminal gone (a dropped connection: the pty is hung up): nothing is drawn, since
  writing to a dead terminal can stall Textual's output thread for good; database work still
  running may finish, then the process ends;
* either way a watchdog ends the process `WATCHDOG_SECONDS` after the signal if it has not
  ended by then (the grace for saves has passed; a transaction still open is rolled back by the
  database, never left half-written).

The handler is a plain signal handler, not one run by the event loop, so it runs even when the
loop is stuck (a lock acquire is interrupted for it). A form never submitted is discarded, as
on logoff; the weekly review keeps its place because every move through it is saved when made.
The exit code says what happened: 129 after SIGHUP, 143 after SIGTERM (128 + the signal).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import termios
import threading
from typing import Any, Protocol

from textual.worker_manager import WorkerManager

SIGNALS = (signal.SIGHUP, signal.SIGTERM)
SAVE_GRACE_SECONDS = 10.0  # as on automatic logoff (tui/privacy.py)
WATCHDOG_SECONDS = SAVE_GRACE_SECONDS + 5.0


class LeavingApp(Protocol):
    """What this module needs of the app (`CaseloadApp`)."""

    hangup_code: int | None

    @property
    def workers(self) -> WorkerManager: ...

    async def log_off(self) -> None: ...


_tasks: set[asyncio.Task[Any]] = set()


def install(app: LeavingApp) -> None:
    """Handle SIGHUP and SIGTERM (call from the running app, on the main thread)."""
    loop = asyncio.get_running_loop()
    for number in SIGNALS:
        signal.signal(number, lambda number, _frame: leave(app, 128 + number, loop))


def leave(app: LeavingApp, code: int, loop: asyncio.AbstractEventLoop) -> None:
    """Arm the watchdog and ask the event loop to save and exit with `code` (a second signal
    while leaving changes nothing)."""
    if app.hangup_code is not None:
        return
    app.hangup_code = code
    watchdog = threading.Timer(WATCHDOG_SECONDS, os._exit, args=(code,))
    watchdog.daemon = True  # it never keeps a process alive that ended on its own
    watchdog.start()
    loop.call_soon_threadsafe(_start, app, code)


def _start(app: LeavingApp, code: int) -> None:
    task = asyncio.ensure_future(_save_and_leave(app, code))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


def terminal_gone() -> bool:
    """Whether the terminal Textual draws on (stderr) has hung up."""
    stream = sys.__stderr__
    try:
        if stream is None:
            return True
        termios.tcgetattr(stream.fileno())
    except (termios.error, OSError, ValueError):
        return True
    return False


async def _save_and_leave(app: LeavingApp, code: int) -> None:
    if not terminal_gone():
        await app.log_off()
        return
    busy = [w for w in app.workers if w.is_running and not w.group.endswith("-dialog")]
    if busy:
        try:
            await asyncio.wait_for(app.workers.wait_for_complete(busy), SAVE_GRACE_SECONDS)
        except Exception:  # a failed or slow save: what was committed is kept either way
            pass
    os._exit(code)
